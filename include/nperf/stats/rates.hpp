#pragma once
// The two figures every report derives, defined once: interval records, end
// summaries, the text/-J/--csv reporters and the verdicts all call these, so
// they agree to the last digit.
#include <cstdint>

namespace nperf {

// Bits per second, in iperf3's order of operations (bytes per second, then
// times 8) so the last digit of a -J figure agrees with iperf3's. 0 for an
// empty period.
inline double bits_per_second(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / seconds * 8 : 0;
}

// UDP loss in percent of the datagrams, 0 without datagrams. `lost` may be
// negative in an interval: a late datagram took back a loss counted earlier
// (iperf3 prints that as it is).
inline double loss_percent(int64_t lost, uint64_t packets) {
  return packets ? 100.0 * static_cast<double>(lost) / static_cast<double>(packets) : 0;
}

}  // namespace nperf
