#pragma once
// The few sums every reporter derives from the report model the way iperf3
// does, in one place so the text, -J and --csv figures agree to the digit.
#include <cstdint>

namespace nperf::report {

// In iperf3's order of operations (bytes per second, then times 8), so the
// last digit agrees with its output.
inline double rate(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / seconds * 8 : 0;
}

// iperf3 fills a missing duration with the other one (the server never learns
// the client's sender time before it prints its summary; an interrupted client
// never hears the server's receiver time).
inline double sender_time(double sender_s, double receiver_s) {
  return sender_s > 0 ? sender_s : receiver_s;
}
inline double receiver_time(double sender_s, double receiver_s) {
  return receiver_s > 0 ? receiver_s : sender_s;
}

// UDP lost percentage as iperf3 computes it: 0 without packets; also 0 when
// the loss is unknown (lost_packets -1).
inline double lost_percent(int64_t lost, uint64_t packets) {
  if (lost < 0 || packets == 0) return 0;
  return 100.0 * static_cast<double>(lost) / static_cast<double>(packets);
}

}  // namespace nperf::report
