#pragma once
// Even pacing for a rate-limited sender. Datagram n is due at
// start + n * bits_per_datagram / rate: a fixed schedule, so sends spread
// evenly through each second instead of iperf3's "send while the average is
// below target" bursts. A sender that falls behind (the CPU was busy) may
// catch up by at most `max_backlog` datagrams, so a stall never turns into a
// burst. Pure: time is passed in (a fake clock in tests).
#include <algorithm>
#include <cstdint>

namespace nperf::engine {

class Pacer {
 public:
  // rate_bps 0 means unlimited.
  Pacer(uint64_t rate_bps, uint32_t bytes_per_unit, double start_s, uint64_t max_backlog = 64)
      : interval_s_(rate_bps ? static_cast<double>(bytes_per_unit) * 8.0 / static_cast<double>(rate_bps) : 0),
        next_s_(start_s),
        max_backlog_(max_backlog) {}

  bool unlimited() const { return interval_s_ == 0; }
  // How many units may go now (0 means wait until next_due()); at most `want`.
  uint64_t allowance(double now_s, uint64_t want) const {
    if (unlimited()) return want;
    if (now_s < next_s_) return 0;
    uint64_t due = static_cast<uint64_t>((now_s - next_s_) / interval_s_) + 1;
    return std::min({due, want, max_backlog_});
  }
  // Records that `units` were sent at `now_s`.
  void sent(double now_s, uint64_t units) {
    if (unlimited()) return;
    // Forget a backlog larger than max_backlog: no bursts after a stall.
    next_s_ = std::max(next_s_, now_s - static_cast<double>(max_backlog_) * interval_s_);
    next_s_ += static_cast<double>(units) * interval_s_;
  }
  double next_due() const { return next_s_; }
  double interval() const { return interval_s_; }

 private:
  double interval_s_;
  double next_s_;
  uint64_t max_backlog_;
};

}  // namespace nperf::engine
