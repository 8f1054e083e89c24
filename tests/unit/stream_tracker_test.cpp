#include "nperf/stats/stream_tracker.hpp"

#include <gtest/gtest.h>

namespace nperf {
namespace {

StreamInfo sender_info() {
  StreamInfo info;
  info.socket = 5;
  info.id = 1;
  info.sender = true;
  return info;
}

TcpInfoSample tcp(uint64_t retrans, uint64_t cwnd, int64_t rtt) {
  TcpInfoSample s;
  s.valid = true;
  s.total_retransmits = retrans;
  s.snd_cwnd_bytes = cwnd;
  s.rtt_us = rtt;
  return s;
}

TEST(StreamTracker, IntervalsAreDifferencesOfCumulativeCounters) {
  StreamTracker t(sender_info(), true);
  t.start(100.0, 0, tcp(0, 0, 0));
  IntervalStream a = t.sample(101.0, 1'000'000, tcp(2, 50'000, 300), false);
  IntervalStream b = t.sample(102.0, 3'000'000, tcp(5, 70'000, 500), false);
  EXPECT_DOUBLE_EQ(a.start, 0);
  EXPECT_DOUBLE_EQ(a.end, 1);
  EXPECT_EQ(a.bytes, 1'000'000u);
  EXPECT_DOUBLE_EQ(a.bits_per_second, 8'000'000);
  EXPECT_EQ(a.retransmits, 2);
  EXPECT_DOUBLE_EQ(b.start, 1);
  EXPECT_DOUBLE_EQ(b.end, 2);
  EXPECT_EQ(b.bytes, 2'000'000u);
  EXPECT_EQ(b.retransmits, 3);
  EXPECT_EQ(b.snd_cwnd, 70'000u);
  t.finish(102.5, 3'500'000, tcp(6, 60'000, 400));
  EXPECT_EQ(t.measured_bytes(), 3'500'000u);
  EXPECT_DOUBLE_EQ(t.measured_seconds(), 2.5);
  EXPECT_EQ(t.retransmits(), 6);
  EXPECT_EQ(t.max_snd_cwnd(), 70'000u);
  EXPECT_EQ(t.max_rtt(), 500);
  EXPECT_EQ(t.min_rtt(), 300);
  EXPECT_EQ(t.mean_rtt(), 400);
}

TEST(StreamTracker, RestartAtOmitEndResetsBaselinesAndTimes) {
  StreamTracker t(sender_info(), true);
  t.start(10.0, 0, tcp(0, 0, 0));
  IntervalStream omitted = t.sample(11.0, 5'000, tcp(4, 1000, 900), true);
  EXPECT_TRUE(omitted.omitted);
  t.start(11.0, 5'000, tcp(4, 1000, 900));
  IntervalStream first = t.sample(12.0, 8'000, tcp(4, 1000, 100), false);
  EXPECT_FALSE(first.omitted);
  EXPECT_DOUBLE_EQ(first.start, 0);
  EXPECT_EQ(first.bytes, 3'000u);
  EXPECT_EQ(first.retransmits, 0);
  t.finish(12.0, 8'000, tcp(4, 1000, 100));
  EXPECT_EQ(t.measured_bytes(), 3'000u);
  EXPECT_EQ(t.retransmits(), 0);
  EXPECT_EQ(t.max_rtt(), 100) << "omitted samples must not count in the RTT statistics";
}

TEST(StreamTracker, ReceiverHasNoTcpInfo) {
  StreamInfo info = sender_info();
  info.sender = false;
  StreamTracker t(info, false);
  t.start(0, 0, {});
  IntervalStream s = t.sample(1, 42, tcp(3, 1, 1), false);
  EXPECT_FALSE(s.has_tcp_info);
  EXPECT_FALSE(s.sender);
  EXPECT_EQ(s.bytes, 42u);
}

TEST(IntervalSum, TakesTimesFromTheFirstIncludedStreamAndAddsBytes) {
  std::vector<IntervalStream> streams(3);
  streams[0].start = 0;
  streams[0].end = 1.0;
  streams[0].seconds = 1.0;
  streams[0].bytes = 100;
  streams[0].has_tcp_info = true;
  streams[0].retransmits = 1;
  streams[0].sender = true;
  streams[1].start = 0;
  streams[1].end = 1.1;
  streams[1].seconds = 1.1;
  streams[1].bytes = 50;
  streams[1].has_tcp_info = true;
  streams[1].retransmits = 2;
  streams[2].bytes = 1000;
  IntervalSum sum = sum_interval(streams, {true, true, false});
  EXPECT_EQ(sum.bytes, 150u);
  EXPECT_DOUBLE_EQ(sum.seconds, 1.0);
  EXPECT_DOUBLE_EQ(sum.bits_per_second, 1200);
  EXPECT_TRUE(sum.has_retransmits);
  EXPECT_EQ(sum.retransmits, 3);
  EXPECT_TRUE(sum.sender);
}

TEST(IntervalSum, DropsOnlyAShortFinalInterval) {
  IntervalReport report;
  report.streams.resize(1);
  report.streams[0].seconds = 0.05;
  report.streams[0].bytes = 10;
  EXPECT_TRUE(drop_final_interval(report, 1.0));
  report.streams[0].seconds = 0.2;
  EXPECT_FALSE(drop_final_interval(report, 1.0));
}

TEST(EndSum, UsesFirstStreamDurationsAndOnlyOneDirection) {
  std::vector<EndStream> streams(3);
  streams[0].info.forward = true;
  streams[0].sender_seconds = 2.0;
  streams[0].receiver_seconds = 2.1;
  streams[0].sent_bytes = 10;
  streams[0].received_bytes = 9;
  streams[0].has_retransmits = true;
  streams[0].retransmits = 4;
  streams[1].info.forward = true;
  streams[1].sender_seconds = 3.0;
  streams[1].sent_bytes = 20;
  streams[1].received_bytes = 19;
  streams[2].info.forward = false;
  streams[2].sent_bytes = 1000;
  EndSum sum = sum_streams(streams, true);
  EXPECT_EQ(sum.sent_bytes, 30u);
  EXPECT_EQ(sum.received_bytes, 28u);
  EXPECT_DOUBLE_EQ(sum.sender_seconds, 2.0);
  EXPECT_DOUBLE_EQ(sum.receiver_seconds, 2.1);
  EXPECT_EQ(sum.retransmits, 4);
  EXPECT_EQ(sum_streams(streams, false).sent_bytes, 1000u);
}

}  // namespace
}  // namespace nperf
