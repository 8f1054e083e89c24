// The end of a test as pure functions (stats/end_report.hpp) and the one rate
// and loss formula (stats/rates.hpp): trackers driven with synthetic counters,
// peer results built by hand.
#include "nperf/stats/end_report.hpp"

#include <gtest/gtest.h>

#include "nperf/report/end_figures.hpp"
#include "nperf/stats/end_groups.hpp"
#include "nperf/stats/rates.hpp"

namespace nperf {
namespace {

using protocol::StreamResult;
using protocol::TestResults;

StreamInfo stream(int id, bool sender, bool forward) {
  StreamInfo s;
  s.id = id;
  s.socket = id + 4;
  s.sender = sender;
  s.forward = forward;
  return s;
}

TcpInfoSample tcp(uint64_t retransmits, int64_t rtt_us) {
  TcpInfoSample t;
  t.valid = true;
  t.total_retransmits = retransmits;
  t.snd_cwnd_bytes = 64 * 1024;
  t.rtt_us = rtt_us;
  return t;
}

StreamResult peer_stream(int id, uint64_t bytes, double seconds) {
  StreamResult r;
  r.id = id;
  r.bytes = bytes;
  r.end_time = seconds;
  return r;
}

// ---- the one rate and loss formula -------------------------------------------

TEST(Rates, BitsPerSecondIsBytesPerSecondTimesEight) {
  EXPECT_DOUBLE_EQ(bits_per_second(1250000, 2), 5e6);
  EXPECT_DOUBLE_EQ(bits_per_second(1, 3), 8.0 / 3);
  EXPECT_EQ(bits_per_second(1000, 0), 0);
  EXPECT_EQ(bits_per_second(1000, -1), 0);
}

TEST(Rates, LossPercentOfDatagrams) {
  EXPECT_DOUBLE_EQ(loss_percent(5, 200), 2.5);
  EXPECT_EQ(loss_percent(5, 0), 0);
  // An interval may take back a loss counted earlier; iperf3 prints it as it is.
  EXPECT_DOUBLE_EQ(loss_percent(-2, 100), -2);
  // At the end, -1 means unknown (a pre-3.14 peer with omit): printed as 0.
  EXPECT_EQ(report::lost_percent(-1, 100), 0);
  EXPECT_DOUBLE_EQ(report::lost_percent(3, 100), 3);
}

TEST(Rates, IntervalRecordsUseTheSameFormula) {
  StreamTracker t(stream(1, false, true), false, true);
  t.start(10, 0, {}, UdpCounters{});
  UdpCounters c;
  c.packets = 400;
  c.lost = 6;
  IntervalStream s = t.sample(10.5, 3000, {}, false, c);
  EXPECT_EQ(s.bits_per_second, bits_per_second(3000, 0.5));
  EXPECT_EQ(s.lost_percent, loss_percent(6, 400));
}

// ---- UDP figures --------------------------------------------------------------

struct UdpReceiver {
  StreamTracker t{stream(1, false, true), false, true};
  UdpReceiver() {
    UdpCounters start{10, 1, 0, 0.001, 0};
    UdpCounters end{110, 6, 2, 0.002, 4};
    t.start(0, 0, {}, start);
    t.finish(1, 100000, {}, end);
  }
};

TEST(UdpFigures, ReceiverCountsAfterTheOmitPeriodAndTakesThePeersSentPackets) {
  UdpReceiver r;
  StreamResult remote = peer_stream(1, 100000, 1);
  remote.packets = 120;
  remote.omitted_packets = 10;
  remote.omitted_errors = 0;
  EndStream e;
  e.info = r.t.info();
  fill_udp_figures(r.t, &remote, 0, &e);
  EXPECT_TRUE(e.udp);
  EXPECT_EQ(e.receiver_packets, 100u);
  EXPECT_EQ(e.lost_packets, 5);
  EXPECT_EQ(e.out_of_order, 2);
  EXPECT_DOUBLE_EQ(e.jitter_ms, 2);
  EXPECT_EQ(e.host_dropped, 4);
  EXPECT_EQ(e.sender_packets, 110u);
}

TEST(UdpFigures, SenderTakesLossAndJitterFromTheReceivingPeer) {
  StreamTracker t(stream(1, true, true), false, true);
  t.start(0, 0, {}, UdpCounters{5, 0, 0, 0, 0});
  t.finish(1, 100000, {}, UdpCounters{105, 0, 0, 0, 0});
  StreamResult remote = peer_stream(1, 90000, 1);
  remote.packets = 98;
  remote.errors = 3;
  remote.jitter_s = 0.0015;
  EndStream e;
  e.info = t.info();
  fill_udp_figures(t, &remote, 0, &e);
  EXPECT_EQ(e.sender_packets, 100u);
  EXPECT_EQ(e.receiver_packets, 98u);
  EXPECT_EQ(e.lost_packets, 3);
  EXPECT_DOUBLE_EQ(e.jitter_ms, 1.5);
  // A pre-3.14 peer sends no omitted counts: with omit its loss after omit is unknown...
  fill_udp_figures(t, &remote, 2, &e);
  EXPECT_EQ(e.lost_packets, -1);
  // ...and a 3.14+ peer's omitted errors are taken off.
  remote.omitted_errors = 1;
  remote.omitted_packets = 0;
  fill_udp_figures(t, &remote, 2, &e);
  EXPECT_EQ(e.lost_packets, 2);
}

// ---- end report ---------------------------------------------------------------

// A client sending on two TCP streams (-P 2).
struct TcpClient {
  StreamTracker a{stream(1, true, true), true}, b{stream(3, true, true), true};
  LocalTestTotals totals;
  TcpClient() {
    a.start(0, 0, tcp(0, 100));
    a.finish(2.0, 2000000, tcp(4, 300));
    b.start(0.01, 0, tcp(0, 100));
    b.finish(2.5, 1000000, tcp(1, 200));
    totals.protocol = Protocol::kTcp;
    totals.congestion = "cubic";
    totals.streams = {{&a, {}, -1, {0}}, {&b, {}, 2, {1, 2}}};
  }
};

TEST(EndReport, WithoutThePeerOnlyTheLocalHalfIsKnown) {
  TcpClient c;
  EndReport end = end_report(c.totals, nullptr);
  ASSERT_EQ(end.streams.size(), 2u);
  const EndStream& s = end.streams[0];
  EXPECT_TRUE(s.sender_known);
  EXPECT_FALSE(s.receiver_known);
  EXPECT_EQ(s.sent_bytes, 2000000u);
  EXPECT_DOUBLE_EQ(s.sender_seconds, 2.0);
  EXPECT_TRUE(s.has_retransmits);
  EXPECT_EQ(s.retransmits, 4);
  EXPECT_EQ(s.max_rtt, 300);
  EXPECT_EQ(end.streams[1].pinned_cpu, 2);
  EXPECT_EQ(end.streams[1].cpus_seen, (std::vector<int>{1, 2}));
  // iperf3 gives every stream of a direction the first stream's durations.
  EXPECT_DOUBLE_EQ(end.streams[1].sender_seconds, 2.0);
  EXPECT_EQ(end.sum.sent_bytes, 3000000u);
  EXPECT_EQ(end.sum.retransmits, 5);
  EXPECT_FALSE(end.sum_reverse.has_value());
  EXPECT_EQ(end.sender_congestion, "cubic");
  EXPECT_EQ(end.receiver_congestion, "");
}

TEST(EndReport, ThePeersResultsFillTheReceiverHalf) {
  TcpClient c;
  TestResults peer;
  peer.cpu_total = 7.5;
  peer.congestion_used = "bbr";
  peer.streams = {peer_stream(3, 999000, 2.4), peer_stream(1, 1999000, 2.1)};
  EndReport end = end_report(c.totals, &peer);
  EXPECT_DOUBLE_EQ(end.cpu.remote_total, 7.5);
  EXPECT_TRUE(end.streams[0].receiver_known);
  EXPECT_EQ(end.streams[0].received_bytes, 1999000u);
  EXPECT_EQ(end.streams[1].received_bytes, 999000u);
  EXPECT_DOUBLE_EQ(end.streams[1].receiver_seconds, 2.1);  // the first stream's
  EXPECT_EQ(end.sum.received_bytes, 2998000u);
  EXPECT_EQ(end.receiver_congestion, "bbr");
}

TEST(EndReport, AStreamMissingFromThePeersResultsIsAnError) {
  TcpClient c;
  TestResults peer;
  peer.streams = {peer_stream(1, 1, 1)};
  EXPECT_THROW(end_report(c.totals, &peer), UnknownPeerStream);
}

TEST(EndReport, ServerReceivingTakesTheSenderHalfAndRetransmitsFromThePeer) {
  StreamTracker t(stream(1, false, true), false);
  t.start(0, 0, {});
  t.finish(3, 3000000, {});
  LocalTestTotals local;
  local.is_server = true;
  local.congestion = "reno";
  local.streams = {{&t, {}, -1, {}}};
  TestResults peer;
  peer.sender_has_retransmits = 1;
  peer.congestion_used = "cubic";
  peer.streams = {peer_stream(1, 3100000, 3)};
  peer.streams[0].retransmits = 9;
  EndReport end = end_report(local, &peer);
  EXPECT_TRUE(end.is_server);
  EXPECT_EQ(end.streams[0].sent_bytes, 3100000u);
  EXPECT_TRUE(end.streams[0].has_retransmits);
  EXPECT_EQ(end.streams[0].retransmits, 9);
  // The client->server direction's sender is the client: its algorithm first.
  EXPECT_EQ(end.sender_congestion, "cubic");
  EXPECT_EQ(end.receiver_congestion, "reno");
}

TEST(EndReport, BidirSumsEachDirection) {
  StreamTracker up(stream(1, true, true), true), down(stream(3, false, false), false);
  up.start(0, 0, tcp(0, 50));
  up.finish(1, 1000, tcp(0, 50));
  down.start(0, 0, {});
  down.finish(1, 5000, {});
  LocalTestTotals local;
  local.direction = Direction::kBidir;
  local.streams = {{&up, {}, -1, {}}, {&down, {}, -1, {}}};
  EndReport end = end_report(local, nullptr);
  EXPECT_EQ(end.sum.sent_bytes, 1000u);
  ASSERT_TRUE(end.sum_reverse.has_value());
  EXPECT_EQ(end.sum_reverse->received_bytes, 5000u);
}

// ---- local results and evidence -------------------------------------------------

TEST(LocalResults, CarryTheTotalsAndThisEndsEvidence) {
  TcpClient c;
  c.totals.cpu.host_total = 12.5;
  c.totals.buffers = SocketBuffers{true, 0, 16384, 131072, 0, 0};
  c.totals.streams[1].evidence.known = true;
  c.totals.streams[1].evidence.seconds = 2.5;
  TestResults r = local_results(c.totals);
  EXPECT_DOUBLE_EQ(r.cpu_total, 12.5);
  EXPECT_EQ(r.sender_has_retransmits, 1);
  EXPECT_EQ(r.congestion_used, "cubic");
  ASSERT_EQ(r.streams.size(), 2u);
  EXPECT_EQ(r.streams[1].id, 3);
  EXPECT_EQ(r.streams[1].bytes, 1000000u);
  EXPECT_EQ(r.streams[1].retransmits, 1);
  EXPECT_DOUBLE_EQ(r.streams[1].end_time, 2.49);
  ASSERT_TRUE(r.nperf.has_value());
  EXPECT_EQ(r.nperf->buffers, c.totals.buffers);
  ASSERT_EQ(r.nperf->streams.size(), 2u);
  EXPECT_EQ(r.nperf->streams[1].id, 3);
  EXPECT_EQ(r.nperf->streams[1].evidence, c.totals.streams[1].evidence);
}

TEST(LocalResults, AUdpSenderEchoesThePeersJitter) {
  StreamTracker t(stream(1, true, true), false, true);
  t.start(0, 0, {}, UdpCounters{});
  t.finish(1, 1000, {}, UdpCounters{10, 0, 0, 0, 0});
  LocalTestTotals local;
  local.protocol = Protocol::kUdp;
  local.streams = {{&t, {}, -1, {}}};
  EXPECT_EQ(local_results(local).streams[0].jitter_s, 0);
  local.peer_jitter_s[1] = 0.004;
  TestResults r = local_results(local);
  EXPECT_DOUBLE_EQ(r.streams[0].jitter_s, 0.004);
  EXPECT_EQ(r.streams[0].packets, 10);
  EXPECT_EQ(r.sender_has_retransmits, 0);
  EXPECT_TRUE(r.congestion_used.empty());
}

TEST(AttachEvidence, ThePeersHalfAndAVerdictComeWithTheReport) {
  TcpClient c;
  c.totals.streams[0].evidence.known = true;
  TestResults peer;
  peer.streams = {peer_stream(1, 2000000, 2), peer_stream(3, 1000000, 2.5)};
  peer.nperf.emplace();
  peer.nperf->buffers = SocketBuffers{true, 0, 1, 2, 3, 4};
  StreamEvidence remote;
  remote.known = true;
  remote.seconds = 2;
  peer.nperf->streams = {{3, remote}};
  EndReport end = end_report(c.totals, &peer);
  EXPECT_EQ(end.remote_buffers, peer.nperf->buffers);
  EXPECT_TRUE(end.streams[0].local_evidence.known);
  EXPECT_FALSE(end.streams[0].remote_evidence.known);
  EXPECT_EQ(end.streams[1].remote_evidence, remote);
  ASSERT_TRUE(end.streams[0].verdict.has_value());
  ASSERT_TRUE(end.verdict.has_value());
  EXPECT_EQ(end.verdict->of_streams, 2);
}

TEST(AttachEvidence, NoVerdictForAStreamThatMovedNothing) {
  StreamTracker t(stream(1, true, true), false);
  t.start(0, 0, {});
  t.finish(1, 0, {});
  LocalTestTotals local;
  local.streams = {{&t, {}, -1, {}}};
  EndReport end = end_report(local, nullptr);
  EXPECT_FALSE(end.streams[0].verdict.has_value());
  EXPECT_FALSE(end.verdict.has_value());
}

}  // namespace
}  // namespace nperf

namespace nperf {
namespace {

// ---- per-direction groups -------------------------------------------------------

EndStream end_stream(int id, bool sender, bool forward, int64_t lost = 0) {
  EndStream e;
  e.info = stream(id, sender, forward);
  e.sender_known = e.receiver_known = true;
  e.sent_bytes = e.received_bytes = 1000;
  e.sender_seconds = e.receiver_seconds = 1;
  e.udp = true;
  e.sender_packets = e.receiver_packets = 10;
  e.lost_packets = lost;
  return e;
}

TEST(EndGroups, BidirGivesEachDirectionItsStreamsSumAndSender) {
  EndReport end;
  end.direction = Direction::kBidir;
  end.streams = {end_stream(1, true, true), end_stream(3, false, false, -1)};
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  std::vector<EndGroup> g = end_groups(end, false, false);
  ASSERT_EQ(g.size(), 2u);
  EXPECT_TRUE(g[0].forward);
  EXPECT_TRUE(g[0].local_sends);
  EXPECT_TRUE(g[0].udp);
  ASSERT_EQ(g[0].streams.size(), 1u);
  EXPECT_EQ(g[0].streams[0]->info.id, 1);
  EXPECT_TRUE(g[0].loss_known);
  EXPECT_FALSE(g[1].forward);
  EXPECT_FALSE(g[1].local_sends);
  EXPECT_EQ(g[1].streams[0]->info.id, 3);
  EXPECT_FALSE(g[1].loss_known);  // one stream's loss is unknown: so is the sum's
}

TEST(EndGroups, OneDirectionCoversAllStreamsAndTheRoleDecidesWithoutStreams) {
  EndReport end;
  end.direction = Direction::kReverse;
  std::vector<EndGroup> g = end_groups(end, true, true);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_FALSE(g[0].forward);
  EXPECT_TRUE(g[0].local_sends);  // a server sends server->client
  EXPECT_TRUE(g[0].udp);          // from the parameters: no stream says so
  end.streams = {end_stream(1, false, false), end_stream(3, false, false)};
  end.sum = sum_streams(end.streams, false);
  g = end_groups(end, false, false);
  EXPECT_EQ(g[0].streams.size(), 2u);
  EXPECT_EQ(g[0].sum.sent_bytes, 2000u);
  EXPECT_FALSE(g[0].local_sends);
}

}  // namespace
}  // namespace nperf
