#pragma once
// Even pacing for a rate-limited sender. Datagram n is due at
// start + n * bits_per_datagram / rate: a fixed schedule, so sends spread
// evenly through each second instead of iperf3's "send while the average is
// below target" bursts. A sender that falls behind (the CPU was busy) may
// catch up by at most `max_backlog` datagrams, so a stall never turns into a
// burst. Pure: time is passed in (a fake clock in tests).
//
// Burst mode (-b RATE/BURST, iperf3's "burst"): units go out in groups of
// `burst`, group k due at start + k * burst * bits_per_unit / rate, so the
// average rate is the same and each group leaves back-to-back. burst 1 is
// the plain schedule above, computed by the same arithmetic.
#include <algorithm>
#include <cstdint>

namespace nperf::engine {

class Pacer {
 public:
  // rate_bps 0 means unlimited. burst 0 is taken as 1. The catch-up limit is
  // never below one burst, so a burst is never cut by it.
  Pacer(uint64_t rate_bps, uint32_t bytes_per_unit, double start_s, uint64_t max_backlog = 64,
        uint64_t burst = 1)
      : interval_s_(rate_bps ? static_cast<double>(bytes_per_unit) * 8.0 / static_cast<double>(rate_bps) : 0),
        burst_(std::max<uint64_t>(burst, 1)),
        burst_interval_s_(static_cast<double>(burst_) * interval_s_),
        next_s_(start_s),
        left_(burst_),
        max_backlog_(std::max(max_backlog, burst_)) {}

  bool unlimited() const { return interval_s_ == 0; }
  // How many units may go now (0 means wait until next_due()); at most `want`.
  uint64_t allowance(double now_s, uint64_t want) const {
    if (unlimited()) return want;
    if (now_s < next_s_) return 0;
    // The rest of the current group, plus every later group already due.
    uint64_t due = left_ + static_cast<uint64_t>((now_s - next_s_) / burst_interval_s_) * burst_;
    return std::min({due, want, max_backlog_});
  }
  // Records that `units` were sent at `now_s`.
  void sent(double now_s, uint64_t units) {
    if (unlimited()) return;
    // Forget a backlog larger than max_backlog: no bursts after a stall.
    next_s_ = std::max(next_s_, now_s - static_cast<double>(max_backlog_) * interval_s_);
    if (units < left_) {
      left_ -= units;  // the group is not finished: its due time stays
      return;
    }
    units -= left_;
    next_s_ += static_cast<double>(1 + units / burst_) * burst_interval_s_;
    left_ = burst_ - units % burst_;
  }
  // When the next unit (burst mode: the current group) is due.
  double next_due() const { return next_s_; }
  double interval() const { return interval_s_; }
  uint64_t burst() const { return burst_; }
  double burst_interval() const { return burst_interval_s_; }

 private:
  double interval_s_;
  uint64_t burst_;
  double burst_interval_s_;
  double next_s_;  // due time of the current group (burst 1: of the next unit)
  uint64_t left_;  // units of the current group not sent yet (1..burst)
  uint64_t max_backlog_;
};

}  // namespace nperf::engine
