// The pure parts of a server that runs several tests at once (issue #14):
// -p lists, slots and caps across tests, core placement, overlap figures.
#include <gtest/gtest.h>

#include "nperf/config/port_list.hpp"
#include "nperf/protocol/results_extension.hpp"
#include "nperf/session/server_load.hpp"
#include "nperf/stats/overlap.hpp"
#include "nperf/stats/report_model.hpp"

namespace nperf {
namespace {

using session::LoadLimits;
using session::ServerLoad;
using session::SlotDecision;
using session::TestClaim;

TEST(PortList, OnePortARangeAListAndBoth) {
  EXPECT_EQ(parse_port_list("5201").ports, (std::vector<uint16_t>{5201}));
  EXPECT_EQ(parse_port_list("5101-5103").ports, (std::vector<uint16_t>{5101, 5102, 5103}));
  EXPECT_EQ(parse_port_list("5101,5105").ports, (std::vector<uint16_t>{5101, 5105}));
  EXPECT_EQ(parse_port_list("5105,5101-5102").ports, (std::vector<uint16_t>{5105, 5101, 5102}));
  EXPECT_EQ(parse_port_list("65535").ports, (std::vector<uint16_t>{65535}));
}

TEST(PortList, BadListsSayWhatIsWrong) {
  for (const char* bad : {"", "0", "65536", "51a", "5101-", "-5101", "5101,,5102", "5101,", "5103-5101",
                          "5101,5101", "5101-5103,5102", " 5101"}) {
    PortListParse p = parse_port_list(bad);
    EXPECT_TRUE(p.ports.empty()) << bad;
    EXPECT_FALSE(p.error.empty()) << bad;
  }
  EXPECT_NE(parse_port_list("5103-5101").error.find("backwards"), std::string::npos);
  EXPECT_NE(parse_port_list("5101,5101").error.find("twice"), std::string::npos);
  EXPECT_NE(parse_port_list("1-300").error.find("more than 256"), std::string::npos);
  EXPECT_EQ(parse_port_list("1-256").ports.size(), 256u);
}

TEST(PortList, DescribeFoldsConsecutivePorts) {
  EXPECT_EQ(describe_ports({5101, 5102, 5103}), "5101-5103");
  EXPECT_EQ(describe_ports({5101, 5103, 5104, 5200}), "5101,5103-5104,5200");
  EXPECT_EQ(describe_ports({5201}), "5201");
}

TEST(CorePlacement, SpreadsOverTheLeastUsedCores) {
  EXPECT_EQ(session::least_used_cores({0, 1}, {}, 1), (std::vector<int>{0}));
  EXPECT_EQ(session::least_used_cores({0, 1}, {{0, 1}}, 1), (std::vector<int>{1})) << "the second -P 1 test";
  EXPECT_EQ(session::least_used_cores({0, 1, 2, 3}, {{0, 2}, {1, 1}}, 3), (std::vector<int>{2, 3, 1}));
  EXPECT_EQ(session::least_used_cores({4, 6}, {}, 3), (std::vector<int>{4, 6, 4})) << "only allowed cores";
  EXPECT_EQ(session::least_used_cores({3, 1}, {}, 1), (std::vector<int>{3}))
      << "ties: the earlier in the list";
  EXPECT_TRUE(session::least_used_cores({}, {}, 2).empty());
}

TEST(ServerLoad, TwoConcurrentOneStreamTestsLandOnDifferentCores) {
  ServerLoad load({3, 1});
  ASSERT_TRUE(load.claim(1, {5201, 1, 0}).granted());
  ASSERT_TRUE(load.claim(2, {5201, 1, 0}).granted());
  EXPECT_EQ(load.place_streams(1, {0, 1}, 1), (std::vector<int>{0}));
  EXPECT_EQ(load.place_streams(2, {0, 1}, 1), (std::vector<int>{1}));
  load.release(1);
  ASSERT_TRUE(load.claim(3, {5201, 1, 0}).granted());
  EXPECT_EQ(load.place_streams(3, {0, 1}, 1), (std::vector<int>{0})) << "core 0 was given back";
}

TEST(ServerLoad, EachPortHasItsOwnSlots) {
  ServerLoad load({1, 2});
  EXPECT_TRUE(load.claim(1, {5101, 1, 0}).granted());
  SlotDecision busy = load.claim(2, {5101, 1, 0});
  EXPECT_EQ(busy.outcome, SlotDecision::Outcome::kBusy);
  EXPECT_NE(busy.message.find("--max-tests 1"), std::string::npos) << busy.message;
  EXPECT_TRUE(load.claim(3, {5102, 1, 0}).granted()) << "the other port is free";
  EXPECT_EQ(load.running(), 2);
  load.release(1);
  load.release(1);  // twice is fine
  EXPECT_TRUE(load.claim(4, {5101, 1, 0}).granted());
  EXPECT_EQ(load.running_on(5101), 1);
}

TEST(ServerLoad, MaxTestsBoundsOnePort) {
  ServerLoad load({3, 1});
  for (int id = 1; id <= 3; ++id) EXPECT_TRUE(load.claim(id, {5201, 2, 0}).granted()) << id;
  EXPECT_EQ(load.claim(4, {5201, 1, 0}).outcome, SlotDecision::Outcome::kBusy);
  EXPECT_EQ(load.streams_held(), 6);
}

TEST(ServerLoad, TheServerWideStreamCapHolds) {
  LoadLimits limits{8, 1, 10, 0};
  ServerLoad load(limits);
  EXPECT_TRUE(load.claim(1, {5201, 8, 0}).granted());
  EXPECT_EQ(load.claim(2, {5201, 3, 0}).outcome, SlotDecision::Outcome::kBusy);
  EXPECT_TRUE(load.claim(3, {5201, 2, 0}).granted());
}

TEST(ServerLoad, AloneAnUnlimitedTestGetsTheWholeBitrateLimit) {
  ServerLoad load({1, 1, session::kMaxServerStreams, 1'000'000});
  SlotDecision d = load.claim(1, {5201, 4, 0});
  ASSERT_TRUE(d.granted());
  EXPECT_EQ(d.stream_rate_cap, 250'000u) << "as admit() gives a test alone";
}

TEST(ServerLoad, TheBitrateLimitStaysATotalAcrossTests) {
  ServerLoad load({3, 1, session::kMaxServerStreams, 900'000});
  SlotDecision first = load.claim(1, {5201, 1, 0});  // unlimited: a third of the room for 3 free slots
  ASSERT_TRUE(first.granted());
  EXPECT_EQ(first.stream_rate_cap, 300'000u);
  SlotDecision asked = load.claim(2, {5201, 2, 400'000});  // asks 2 x 200k
  ASSERT_TRUE(asked.granted());
  EXPECT_EQ(asked.stream_rate_cap, 200'000u);
  SlotDecision too_much = load.claim(3, {5201, 1, 300'000});  // 200k left
  EXPECT_EQ(too_much.outcome, SlotDecision::Outcome::kRefused);
  EXPECT_EQ(too_much.code, protocol::kIeTotalRate);
  SlotDecision rest = load.claim(4, {5201, 1, 0});  // unlimited: what is left
  ASSERT_TRUE(rest.granted());
  EXPECT_EQ(rest.stream_rate_cap, 200'000u);
  load.release(2);
  EXPECT_EQ(load.claim(5, {5201, 1, 400'000}).stream_rate_cap, 400'000u) << "released rate is room again";
}

TEST(Overlap, AloneNothingRanBeside) {
  OverlapLedger ledger;
  ledger.begin(1, 5201, 10.0, {0}, {});
  TestOverlap o = ledger.end(1, 12.0, {{1, 1000}});
  EXPECT_EQ(o.test_id, 1);
  EXPECT_EQ(o.port, 5201);
  EXPECT_EQ(o.other_tests, 0);
  EXPECT_EQ(o.other_bits_per_second, 0);
  EXPECT_FALSE(o.cores_shared);
  EXPECT_EQ(o.cores, (std::vector<int>{0}));
  EXPECT_FALSE(ledger.running(1));
}

TEST(Overlap, CountsWhatOthersMovedDuringTheTest) {
  OverlapLedger ledger;
  // Test 1 runs 0..10 s; test 2 starts at 2 s (test 1 at 200 bytes) and ends
  // at 6 s having moved 4000 bytes; test 3 starts at 8 s and is still running.
  ledger.begin(1, 5201, 0.0, {0}, {});
  ledger.begin(2, 5202, 2.0, {1}, {{1, 200}});
  TestOverlap two = ledger.end(2, 6.0, {{1, 1000}, {2, 4000}});
  EXPECT_EQ(two.other_tests, 1);
  EXPECT_DOUBLE_EQ(two.other_bits_per_second, (1000 - 200) * 8 / 4.0);
  EXPECT_FALSE(two.cores_shared) << "cores 0 and 1";
  ledger.begin(3, 5201, 8.0, {0}, {{1, 1500}});
  TestOverlap one = ledger.end(1, 10.0, {{1, 2000}, {3, 500}});
  EXPECT_EQ(one.other_tests, 2);
  EXPECT_DOUBLE_EQ(one.other_bits_per_second, (4000 + 500) * 8 / 10.0);
  EXPECT_TRUE(one.cores_shared) << "test 3 was placed on core 0 too";
  TestOverlap three = ledger.end(3, 12.0, {{3, 900}});
  EXPECT_EQ(three.other_tests, 1);
  EXPECT_DOUBLE_EQ(three.other_bits_per_second, (2000 - 1500) * 8 / 4.0);
  EXPECT_TRUE(three.cores_shared);
}

TEST(Overlap, UnplacedTestsMayShareCores) {
  OverlapLedger ledger;
  ledger.begin(1, 5201, 0.0, {}, {});
  ledger.begin(2, 5201, 1.0, {1}, {{1, 0}});
  EXPECT_TRUE(ledger.end(2, 2.0, {}).cores_shared);
}

TEST(Overlap, TheVerdictSaysWhenCoresWereShared) {
  EndReport report;
  report.verdict = Verdict{};
  report.verdict->reason = "the sending worker's core allows 10 Gbit/s";
  TestOverlap o;
  o.other_tests = 2;
  o.cores_shared = true;
  attach_overlap(&report, o);
  ASSERT_TRUE(report.overlap);
  EXPECT_NE(report.verdict->reason.find("shared with 2 other tests"), std::string::npos);
  EndReport alone;
  alone.verdict = Verdict{};
  attach_overlap(&alone, TestOverlap{});
  EXPECT_EQ(alone.verdict->reason, "");
}

TEST(Overlap, TravelsInTheResultsExtension) {
  protocol::ResultsExtension ext;
  TestOverlap o;
  o.test_id = 7;
  o.port = 5102;
  o.other_tests = 2;
  o.other_bits_per_second = 1.5e9;
  o.cores_shared = true;
  o.cores = {1, 0};
  ext.server_test = o;
  auto json = protocol::encode_results_extension(ext);
  EXPECT_EQ(json["server_test"].dump(),
            R"({"id":7,"port":5102,"other_tests":2,"other_bits_per_second":1500000000.0,"cores_shared":true,)"
            R"("cores":[1,0]})");
  EXPECT_EQ(protocol::decode_results_extension(json).server_test, ext.server_test);
  // Malformed: no id, wrong types, out of range: absent or bounded, never a throw.
  for (const char* bad :
       {R"({"server_test":{"port":1}})", R"({"server_test":[1]})", R"({"server_test":{"id":"x"}})"}) {
    auto decoded = protocol::decode_results_extension(nlohmann::ordered_json::parse(bad));
    EXPECT_FALSE(decoded.server_test) << bad;
  }
  auto out_of_range = protocol::decode_results_extension(
      nlohmann::ordered_json::parse(R"({"server_test":{"id":1,"port":70000,"other_tests":-3}})"));
  ASSERT_TRUE(out_of_range.server_test);
  EXPECT_EQ(out_of_range.server_test->port, 0) << "out of range reads as unknown";
  EXPECT_EQ(out_of_range.server_test->other_tests, 0);
}

}  // namespace
}  // namespace nperf
