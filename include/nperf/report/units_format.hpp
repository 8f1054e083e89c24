#pragma once
// iperf3's unit formatting ("fit in 4 places"): 1.00 MBytes, 8.39 Mbits/sec.
#include <cstdint>
#include <string>

namespace nperf::report {

// Transfer column: adaptive bytes, e.g. "1.00 MByte" (templates add the 's').
std::string format_bytes(double bytes, char format = 'A');
// Bitrate column: per -f, e.g. "8.39 Mbit" (templates add "s/sec").
std::string format_rate(double bits_per_second, char format);

}  // namespace nperf::report
