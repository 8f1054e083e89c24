#pragma once
// How many bytes a TCP receiver should let queue before the kernel wakes it
// (SO_RCVLOWAT).
//
// Without it the kernel wakes the reader for every segment that lands in an
// empty queue, and on loopback and veth that wake-up is paid by the
// *sending* core, which also runs the receive path: measured here, a
// one-stream loopback test moves ~15 % more with the reader woken per block
// (docs/benchmarks.md). The watermark follows the measured rate, about one
// millisecond of data, so a slow stream is still read at once and interval
// figures never lag; it never exceeds one read (the block length) nor an
// eighth of the receive buffer, so a small -w window is never held back.
// Pure: the caller measures and applies.
#include <algorithm>
#include <cstdint>

namespace nperf::engine {

constexpr double kReceiveWakeS = 0.001;            // about this much data per wake-up
constexpr double kReceiveWatermarkPeriodS = 0.05;  // re-measured this often

constexpr uint32_t receive_low_watermark(uint64_t bytes, double seconds, uint32_t read_len,
                                         int64_t receive_buffer) {
  if (seconds <= 0 || bytes == 0) return 1;
  const double wanted = static_cast<double>(bytes) / seconds * kReceiveWakeS;
  const int64_t cap = std::min<int64_t>(read_len, receive_buffer / 8);
  if (cap <= 1) return 1;
  return static_cast<uint32_t>(std::clamp<double>(wanted, 1, static_cast<double>(cap)));
}

// Whether a new watermark differs enough from the one set to be worth a setsockopt.
constexpr bool watermark_changed(uint32_t current, uint32_t next) {
  return next * 4 < current * 3 || next * 4 > current * 5;  // more than 25 % either way
}

}  // namespace nperf::engine
