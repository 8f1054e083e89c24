#include "nperf/session/test_clock.hpp"

#include <gtest/gtest.h>

namespace nperf::session {
namespace {

constexpr double kStart = 1000;  // any monotonic start; the clock only adds to it

TestClockPlan client_plan(double duration, double interval = 1, double omit = 0) {
  TestClockPlan plan;
  plan.duration_s = duration;
  plan.interval_s = interval;
  plan.omit_s = omit;
  return plan;
}

TEST(TestClock, IntervalsThenEndAtTheTimeLimit) {
  TestClock clock(client_plan(3), kStart);
  EXPECT_EQ(clock.next_event(kStart + 0.5), ClockEvent::kNothing);
  EXPECT_DOUBLE_EQ(clock.next_wake(kStart + 0.5), kStart + 0.6) << "the poll comes before the first tick";
  EXPECT_EQ(clock.next_event(kStart + 1), ClockEvent::kInterval);
  EXPECT_EQ(clock.next_event(kStart + 1), ClockEvent::kNothing) << "one report per tick";
  EXPECT_EQ(clock.next_event(kStart + 2.01), ClockEvent::kInterval);
  EXPECT_EQ(clock.next_event(kStart + 3), ClockEvent::kEndTest) << "the end wins over the tick due with it";
}

TEST(TestClock, ALateIntervalDoesNotBurst) {
  TestClock clock(client_plan(0), kStart);
  EXPECT_EQ(clock.next_event(kStart + 5.5), ClockEvent::kInterval);
  EXPECT_EQ(clock.next_event(kStart + 5.6), ClockEvent::kNothing)
      << "ticks missed while asleep are not caught up";
  EXPECT_DOUBLE_EQ(clock.next_wake(kStart + 6.4), kStart + 6.5);
  EXPECT_EQ(clock.next_event(kStart + 6.5), ClockEvent::kInterval);
}

TEST(TestClock, OmitEndsFirstAndRestartsTheIntervals) {
  TestClock clock(client_plan(2, 1, 2), kStart);
  EXPECT_TRUE(clock.omitting());
  EXPECT_EQ(clock.next_event(kStart + 1), ClockEvent::kInterval) << "omitted intervals still tick";
  EXPECT_DOUBLE_EQ(clock.next_wake(kStart + 1.95), kStart + 2) << "wakes at the end of -O";
  EXPECT_EQ(clock.next_event(kStart + 2.3), ClockEvent::kOmitEnd);
  EXPECT_FALSE(clock.omitting());
  EXPECT_EQ(clock.next_event(kStart + 3.2), ClockEvent::kNothing) << "the next tick counts from the omit end";
  EXPECT_EQ(clock.next_event(kStart + 3.3), ClockEvent::kInterval);
  EXPECT_EQ(clock.next_event(kStart + 4), ClockEvent::kEndTest) << "-t counts after -O";
  EXPECT_DOUBLE_EQ(clock.limit(), kStart + 4);
}

TEST(TestClock, NoIntervalsNoLimit) {
  TestClock clock(client_plan(0, 0), kStart);
  EXPECT_EQ(clock.next_event(kStart + 1e6), ClockEvent::kNothing);
  EXPECT_DOUBLE_EQ(clock.next_wake(kStart + 7), kStart + 7.1) << "only the poll wakes it";
}

TEST(TestClock, QuotaEndsTheTestAfterTheSendQueuesDrain) {
  TestClockPlan plan = client_plan(0, 0);
  plan.poll_s = 0.002;
  TestClock clock(plan, kStart);
  EXPECT_DOUBLE_EQ(clock.next_wake(kStart), kStart + 0.002);
  EXPECT_EQ(clock.next_event(kStart + 1, {false, false, true}), ClockEvent::kNothing);
  TestProgress sent_not_acked{true, true, false};
  EXPECT_EQ(clock.next_event(kStart + 2, sent_not_acked), ClockEvent::kWaitForDrain);
  EXPECT_EQ(clock.next_event(kStart + 2.9, sent_not_acked), ClockEvent::kWaitForDrain);
  EXPECT_EQ(clock.next_event(kStart + 3, sent_not_acked), ClockEvent::kEndTest) << "at most 1 s of waiting";
}

TEST(TestClock, QuotaDrainedOrReceivedEndsAtOnce) {
  TestClock drained(client_plan(0, 0), kStart);
  EXPECT_EQ(drained.next_event(kStart + 2, {true, true, true}), ClockEvent::kEndTest);
  TestClock received(client_plan(0, 0), kStart);
  EXPECT_EQ(received.next_event(kStart + 2, {true, false, false}), ClockEvent::kEndTest)
      << "a receiving client (-R -n) has no send queue to wait for";
}

TEST(TestClock, TheTimeLimitDoesNotWaitForTheDrain) {
  TestClock clock(client_plan(2, 0), kStart);
  EXPECT_EQ(clock.next_event(kStart + 2, {true, true, false}), ClockEvent::kEndTest);
}

TEST(TestClock, TheServerGivesUpAfterTheMargin) {
  TestClockPlan plan = client_plan(10, 1, 1);
  plan.give_up_margin_s = 40;
  TestClock clock(plan, kStart);
  EXPECT_DOUBLE_EQ(clock.limit(), kStart + 51);
  EXPECT_EQ(clock.next_event(kStart + 1), ClockEvent::kOmitEnd);
  EXPECT_EQ(clock.next_event(kStart + 11, {true, true, true}), ClockEvent::kInterval)
      << "the server never ends the test itself, whatever the counters say";
  EXPECT_EQ(clock.next_event(kStart + 51), ClockEvent::kGiveUp);
}

TEST(TestClock, AnUnlimitedServerTestNeverGivesUp) {
  TestClockPlan plan = client_plan(0, 1);
  plan.give_up_margin_s = 40;
  TestClock clock(plan, kStart);
  EXPECT_EQ(clock.next_event(kStart + 1e6), ClockEvent::kInterval);
}

}  // namespace
}  // namespace nperf::session
