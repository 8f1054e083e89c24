#pragma once
// The few sums every reporter derives from the report model the way iperf3
// does, in one place so the text, -J and --csv figures agree to the digit.
#include <cstdint>

#include "nperf/stats/rates.hpp"

namespace nperf::report {

// Rates: bits_per_second (stats/rates.hpp), the one formula.

// iperf3 fills a missing duration with the other one (the server never learns
// the client's sender time before it prints its summary; an interrupted client
// never hears the server's receiver time).
inline double sender_time(double sender_s, double receiver_s) {
  return sender_s > 0 ? sender_s : receiver_s;
}
inline double receiver_time(double sender_s, double receiver_s) {
  return receiver_s > 0 ? receiver_s : sender_s;
}

// An end summary's UDP lost percentage (loss_percent, stats/rates.hpp); 0
// when the loss is unknown (lost_packets -1: a pre-3.14 peer with omit).
inline double lost_percent(int64_t lost, uint64_t packets) {
  return lost < 0 ? 0 : loss_percent(lost, packets);
}

// -F: bytes moved as a whole percentage of the file, truncated as iperf3's
// (int) cast does; 0 for an empty file (iperf3 divides by it). Clamped: the
// bytes may be the peer's figure, and a cast out of int's range is undefined.
inline int file_percent(uint64_t bytes, int64_t file_size) {
  if (file_size <= 0) return 0;
  const double percent = static_cast<double>(bytes) / static_cast<double>(file_size) * 100.0;
  return percent >= 2e9 ? 2'000'000'000 : static_cast<int>(percent);
}

}  // namespace nperf::report
