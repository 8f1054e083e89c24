// The path between the ends (stats/path_facts.hpp): NAT from both ends'
// views, conntrack's change over a test, the sentences the reporters print,
// and conntrack trouble reaching the verdict (stats/end_report.hpp attach_path).
#include "nperf/stats/path_facts.hpp"

#include <gtest/gtest.h>

#include "nperf/stats/end_report.hpp"

namespace nperf {
namespace {

using protocol::ConntrackReading;
using protocol::Endpoint;
using protocol::PathRecord;

// The client in a pod behind masquerade: it knows itself as 10.244.1.7:51234,
// the server sees the node's 10.0.0.5:40012.
PathReport masqueraded_client_view() {
  PathReport p;
  p.local.local = {"10.244.1.7", 51234};
  p.local.peer = {"10.0.0.9", 5201};
  p.local.device = {"eth0", "veth", 1450, 0};
  PathRecord server;
  server.local = {"10.0.0.9", 5201};
  server.peer = {"10.0.0.5", 40012};
  server.device = {"eth0", "physical", 1500, 0};
  p.remote = server;
  return p;
}

TEST(PathFacts, SourceNatIsReportedWithBothAddresses) {
  PathReport p = masqueraded_client_view();
  auto nat = find_nat(p);
  ASSERT_TRUE(nat);
  EXPECT_TRUE(nat->source);
  EXPECT_FALSE(nat->destination);
  EXPECT_EQ(nat_sentence(*nat),
            "NAT between client and server (client 10.244.1.7:51234 seen as 10.0.0.5:40012)");
}

TEST(PathFacts, DestinationNatIsReportedToo) {
  PathReport p = masqueraded_client_view();
  p.remote->peer = p.local.local;       // no SNAT
  p.local.peer = {"10.96.0.10", 5201};  // a service address, translated to the server's own
  auto nat = find_nat(p);
  ASSERT_TRUE(nat);
  EXPECT_FALSE(nat->source);
  EXPECT_EQ(nat_sentence(*nat),
            "NAT between client and server (server reached at 10.96.0.10:5201 is 10.0.0.9:5201)");
}

TEST(PathFacts, NoNatWhenTheViewsAgreeOrThePeerSaidNothing) {
  PathReport p = masqueraded_client_view();
  p.remote->peer = p.local.local;
  EXPECT_FALSE(find_nat(p));
  // An iperf3 server sends no path: no claim either way.
  PathReport iperf3 = masqueraded_client_view();
  iperf3.remote.reset();
  EXPECT_FALSE(find_nat(iperf3));
  // A peer that could not read an address is no evidence of NAT.
  PathReport partial = masqueraded_client_view();
  partial.remote->peer = {};
  EXPECT_FALSE(find_nat(partial));
}

TEST(PathFacts, TheServerSeesTheSameNatFromItsSide) {
  PathReport client = masqueraded_client_view();
  PathReport server;
  server.is_server = true;
  server.local = *client.remote;
  server.remote = client.local;
  ASSERT_TRUE(find_nat(server));
  EXPECT_EQ(nat_sentence(*find_nat(server)), nat_sentence(*find_nat(client)));
}

TEST(PathFacts, ConntrackChangeIsTheRiseOfEachCounter) {
  ConntrackChange c = conntrack_change({10, 1000, 5, 1, 0}, {12, 1000, 9, 1, 2});
  EXPECT_TRUE(c.known);
  EXPECT_EQ(c.count, 12);
  EXPECT_EQ(c.drop, 4);
  EXPECT_EQ(c.insert_failed, 0);
  EXPECT_EQ(c.early_drop, 2);
  EXPECT_TRUE(conntrack_trouble(c));
  // A counter that went backwards (module reloaded) has no known rise.
  EXPECT_EQ(conntrack_change({10, 1000, 5, 1, 0}, {12, 1000, 2, 1, 0}).drop, -1);
  // Not loaded at either reading: nothing known, no trouble.
  EXPECT_FALSE(conntrack_change({}, {12, 1000, 0, 0, 0}).known);
  EXPECT_FALSE(conntrack_trouble(conntrack_change({}, {})));
}

TEST(PathFacts, ATableOverNinetyPercentFullIsTroubleWithoutDrops) {
  EXPECT_TRUE(conntrack_trouble(conntrack_change({900, 1000, 0, 0, 0}, {901, 1000, 0, 0, 0})));
  EXPECT_FALSE(conntrack_trouble(conntrack_change({900, 1000, 0, 0, 0}, {900, 1000, 0, 0, 0})));
}

TEST(PathFacts, PathSentenceNamesEachEndsDeviceAndConntrack) {
  PathReport p = masqueraded_client_view();
  p.local.device = {"vxlan1", "vxlan", 1450, 50};
  p.remote->conntrack_before = {10, 262144, 0, 0, 0};
  p.remote->conntrack_after = {11, 262144, 3, 0, 0};
  EXPECT_EQ(
      path_sentence(p),
      "Path: client via vxlan1 (vxlan, MTU 1450, 50 bytes of encapsulation per packet); server via eth0 "
      "(physical, MTU 1500); conntrack on the server: 11 of 262144 entries, drop +3, insert_failed +0, "
      "early_drop +0");
  p.remote->conntrack_after = p.remote->conntrack_before;
  EXPECT_EQ(path_sentence(p).substr(path_sentence(p).rfind(';')),
            "; conntrack on the server: 10 of 262144 entries, no drops");
  EXPECT_EQ(path_sentence(PathReport{}), "");
}

TEST(PathFacts, ConntrackSentenceOnlyForTrouble) {
  PathReport p = masqueraded_client_view();
  p.remote->conntrack_before = {10, 262144, 0, 0, 0};
  p.remote->conntrack_after = {11, 262144, 0, 0, 0};
  EXPECT_EQ(conntrack_sentence(p), "");
  p.remote->conntrack_after = {11, 262144, 2, 1, 0};
  EXPECT_EQ(conntrack_sentence(p),
            "conntrack on the server dropped 3 packets during the test (11 of 262144 entries, drop +2, "
            "insert_failed +1, early_drop +0)");
  p.remote->conntrack_after = {950, 1000, 0, 0, 0};
  p.remote->conntrack_before = {940, 1000, 0, 0, 0};
  EXPECT_EQ(conntrack_sentence(p), "conntrack on the server ended 95% full (950 of 1000 entries, no drops)");
}

LocalTestTotals totals_with_path(const PathRecord& path) {
  LocalTestTotals t;
  t.path = path;
  return t;
}

TEST(AttachPath, ConntrackDropsAreNamedAsTheCauseOfANetworkVerdictsLoss) {
  EndReport end;
  Verdict v;
  v.cause = Bottleneck::kNetwork;
  v.reason = "2.1% of the bytes were retransmitted";
  end.verdict = v;
  PathRecord client;
  client.local = {"198.18.0.1", 40000};
  protocol::TestResults peer;
  peer.nperf = protocol::ResultsExtension{};
  peer.nperf->path.local = {"198.18.0.2", 5201};
  peer.nperf->path.conntrack_before = {3, 100000, 0, 0, 0};
  peer.nperf->path.conntrack_after = {3, 100000, 0, 40, 0};
  attach_path(&end, totals_with_path(client), &peer);
  ASSERT_TRUE(end.path);
  ASSERT_TRUE(end.path->remote);
  EXPECT_EQ(end.verdict->reason,
            "2.1% of the bytes were retransmitted; conntrack on the server dropped 40 packets during the "
            "test (3 of "
            "100000 entries, drop +0, insert_failed +40, early_drop +0), the likely cause of the loss");
  ASSERT_FALSE(end.verdict->figures.empty());
  EXPECT_EQ(end.verdict->figures.back().name, "conntrack_trouble");
}

TEST(AttachPath, QuietConntrackLeavesTheVerdictAlone) {
  EndReport end;
  Verdict v;
  v.reason = "r";
  end.verdict = v;
  PathRecord client;
  client.conntrack_before = client.conntrack_after = {3, 100000, 7, 7, 7};
  attach_path(&end, totals_with_path(client), nullptr);
  EXPECT_EQ(end.verdict->reason, "r");
  ASSERT_TRUE(end.path);
  EXPECT_FALSE(end.path->remote);
}

TEST(AttachPath, NothingRecordedNoPath) {
  EndReport end;
  attach_path(&end, LocalTestTotals{}, nullptr);
  EXPECT_FALSE(end.path);
}

}  // namespace
}  // namespace nperf
