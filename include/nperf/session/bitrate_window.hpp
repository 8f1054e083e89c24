#pragma once
// --server-bitrate-limit RATE/SECS: the average rate over the last SECS
// seconds, from a cumulative byte counter read at any moments the caller
// likes. iperf3 sums its last SECS/interval report intervals; this keeps the
// readings themselves, so the check needs no report interval (-i 0 too) and
// a late reading only lengthens the span it divides by. Pure: time is passed
// in, the unit tests use made-up times.
#include <cstdint>
#include <deque>

namespace nperf::session {

class BitrateWindow {
 public:
  // limit_bps > 0; window_s > 0. `start_bytes`: the counter at `start_s`.
  BitrateWindow(uint64_t limit_bps, double window_s, double start_s, uint64_t start_bytes = 0);

  // Records the counter at `now_s` (never earlier than the last reading).
  // True when the average over the last window_s seconds is above the limit.
  // Nothing is judged before window_s seconds of readings exist: iperf3 too
  // waits until its window is full, so a test's first moments (slow start,
  // a burst) are averaged like any others.
  bool exceeded(double now_s, uint64_t total_bytes);

  // The average of the last judged window, bit/s (0 before the first).
  double average_bps() const { return average_bps_; }
  uint64_t limit_bps() const { return limit_bps_; }
  double window_s() const { return window_s_; }

 private:
  struct Reading {
    double at_s;
    uint64_t bytes;
  };
  uint64_t limit_bps_;
  double window_s_;
  // Oldest first; the front is the newest reading at least window_s old once
  // the window is full.
  std::deque<Reading> readings_;
  double average_bps_ = 0;
};

}  // namespace nperf::session
