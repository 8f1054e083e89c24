#pragma once
// nperf's version, defined once, in the three forms it is shown: `--version`,
// the "version" line of -V and -J, and the "client_version" the client sends
// in its parameters. Keep it in step with project(VERSION) in CMakeLists.txt.
#include <string_view>

#define NPERF_VERSION_MAJOR_MINOR "0.1"
#define NPERF_VERSION NPERF_VERSION_MAJOR_MINOR ".0"
// The iperf3 release whose control protocol and output nperf follows.
#define NPERF_IPERF_PROTOCOL "3.12"

namespace nperf {

inline constexpr std::string_view kVersionLine =
    "nperf " NPERF_VERSION " (speaks the iperf " NPERF_IPERF_PROTOCOL " protocol)";
inline constexpr std::string_view kVersionString =
    "nperf " NPERF_VERSION " (iperf " NPERF_IPERF_PROTOCOL " protocol)";
inline constexpr std::string_view kClientVersion = NPERF_IPERF_PROTOCOL "-nperf-" NPERF_VERSION_MAJOR_MINOR;

}  // namespace nperf
