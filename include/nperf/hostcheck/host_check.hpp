#pragma once
// `nperf --check [HOST]`: gather, judge, print. The one entry point main.cpp calls.
#include <functional>
#include <string>
#include <string_view>

#include "nperf/config/config.hpp"

namespace nperf::hostcheck {

using Sink = std::function<void(std::string_view)>;

// Uses config.host (may be empty: the default route), config.family (-4/-6)
// and config.json (-J). Returns the exit code: 0 when the check ran, whatever
// it found; 1 when it could not run (HOST does not resolve, no /proc).
int run_host_check(const Config& config, const Sink& out, const Sink& err);

}  // namespace nperf::hostcheck
