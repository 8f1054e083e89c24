#include "nperf/session/test_clock.hpp"

#include <algorithm>

namespace nperf::session {

TestClock::TestClock(const TestClockPlan& plan, double start)
    : interval_s_(plan.interval_s),
      poll_s_(plan.poll_s),
      ends_test_(plan.give_up_margin_s < 0),
      omit_end_(plan.omit_s > 0 ? start + plan.omit_s : -1),
      limit_(plan.duration_s > 0
                 ? start + plan.omit_s + plan.duration_s + std::max(0.0, plan.give_up_margin_s)
                 : kInfinity),
      next_tick_(plan.interval_s > 0 ? start + plan.interval_s : kInfinity),
      omitting_(plan.omit_s > 0) {}

double TestClock::next_wake(double now) const {
  return std::min({next_tick_, limit_, now + poll_s_, omit_end_ > now ? omit_end_ : kInfinity});
}

ClockEvent TestClock::next_event(double now, const TestProgress& progress) {
  if (!ends_test_ && now >= limit_) return ClockEvent::kGiveUp;
  if (omitting_ && now >= omit_end_) {
    omitting_ = false;
    next_tick_ = interval_s_ > 0 ? now + interval_s_ : kInfinity;
    return ClockEvent::kOmitEnd;
  }
  if (ends_test_) {
    const bool time_up = now >= limit_;
    if (time_up || progress.quota_reached) {
      const bool quota_end = !time_up && progress.senders_finished;
      if (quota_end && !progress.send_queues_drained) {
        if (drain_deadline_ == 0) drain_deadline_ = now + kDrainAllowanceS;
        if (now < drain_deadline_) return ClockEvent::kWaitForDrain;
      }
      return ClockEvent::kEndTest;
    }
  }
  if (now >= next_tick_) {
    next_tick_ += interval_s_;
    if (next_tick_ < now) next_tick_ = now + interval_s_;  // we fell behind; don't burst
    return ClockEvent::kInterval;
  }
  return ClockEvent::kNothing;
}

}  // namespace nperf::session
