#pragma once
// The timetable of one running test, without timers or sockets: given the
// start, the report interval, -O, -t (and on the server the safety margin
// after -t) it says what is due at a moment the caller passes in. Both
// sessions' timekeeping loops ask it, so the rules (omit before end, end
// before interval, a late interval does not burst) are written once and
// unit-tested with made-up times.
#include <limits>

namespace nperf::session {

struct TestClockPlan {
  double interval_s = 0;  // 0: no interval reports
  double omit_s = 0;
  double duration_s = 0;  // 0: no time limit (-n/-k, or unlimited)
  // Below zero: the time limit ends the test (the client). Otherwise this end
  // does not end the test itself (the server: the client does) and only gives
  // up this long after the time limit, when the client vanished.
  double give_up_margin_s = -1;
  // How often to look at the counters anyway (-n/-k, --rcv-timeout, failures).
  double poll_s = 0.1;
};

// What the caller has seen since the last look; only the client's -n/-k use it.
struct TestProgress {
  bool quota_reached = false;     // -n/-k: the amount was sent or received
  bool senders_finished = false;  // every local sender stopped (its share of the quota is out)
  bool send_queues_drained = true;
};

enum class ClockEvent {
  kNothing,       // sleep until next_wake()
  kGiveUp,        // the server's safety deadline passed
  kOmitEnd,       // -O is over: report and restart the counters
  kEndTest,       // the client ends the test (time or quota)
  kWaitForDrain,  // -n/-k sent, not yet acknowledged: nothing else this round
  kInterval,      // an interval report is due
};

class TestClock {
 public:
  TestClock(const TestClockPlan& plan, double start);

  // When to look again after `now`.
  double next_wake(double now) const;
  // What is due at `now`, one event per call, most urgent first. It moves
  // its own timetable on (the next interval, the end of -O), so the caller
  // acts on every event it gets.
  ClockEvent next_event(double now, const TestProgress& progress = {});

  bool omitting() const { return omitting_; }
  // The time limit (the client's end or the server's deadline); infinity when none.
  double limit() const { return limit_; }

 private:
  static constexpr double kInfinity = std::numeric_limits<double>::infinity();
  // -n/-k: the last bytes may still be in flight when the senders stop; the
  // server stops counting at TEST_END, so they get this long to land.
  static constexpr double kDrainAllowanceS = 1.0;

  double interval_s_;
  double poll_s_;
  bool ends_test_;
  double omit_end_;
  double limit_;
  double next_tick_;
  double drain_deadline_ = 0;
  bool omitting_;
};

}  // namespace nperf::session
