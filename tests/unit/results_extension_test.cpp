// nperf's results extension (protocol/results_extension.hpp): the exact bytes
// each end sends, the round trip, and that hostile peer input decodes as
// "unknown" instead of failing the test.
#include "nperf/protocol/results_extension.hpp"

#include <gtest/gtest.h>

#include "nperf/protocol/results.hpp"

namespace {

using nlohmann::ordered_json;
using nperf::SocketBuffers;
using nperf::StreamEvidence;
using namespace nperf::protocol;

ResultsExtension udp_receiver_extension() {
  ResultsExtension ext;
  ext.buffers = SocketBuffers{true, 0, 212992, 425984, 212992, 851968};
  StreamEvidence e;
  e.known = true;
  e.seconds = 10.00004;  // rounded to 4 decimals on the wire
  e.cpu_user_s = 0.25;
  e.cpu_system_s = 0.5;
  e.thread_cpu = 0.75;
  e.cpu = 2;
  e.core_busy = 0.5;
  e.host_drops = 3;
  ext.streams.push_back({1, e});
  return ext;
}

TEST(ResultsExtension, EncodesByteForByte) {
  EXPECT_EQ(
      encode_results_extension(udp_receiver_extension()).dump(),
      R"({"buffers":{"requested":0,"sndbuf":212992,"rcvbuf":425984,"wmem_max":212992,"rmem_max":851968},)"
      R"("streams":[{"id":1,"evidence":{"seconds":10.0,"sender":false,"cpu_user_s":0.25,)"
      R"("cpu_system_s":0.5,"thread_cpu":0.75,"thread_wait":-1.0,"cpu":2,"pinned":false,)"
      R"("core_busy":0.5,"host_drops":3}}]})");
}

TEST(ResultsExtension, EncodesATcpSendersWindowFigures) {
  ResultsExtension ext;
  StreamEvidence e;
  e.known = e.sender = e.tcp_info = true;
  e.seconds = 2;
  e.rwnd_limited = 0.5;
  e.snd_wnd = 65536;
  e.retransmit_ratio = 0.0125;
  ext.streams.push_back({3, e});
  ordered_json j = encode_results_extension(ext)["streams"][0]["evidence"];
  EXPECT_EQ(j["rwnd_limited"], 0.5);
  EXPECT_EQ(j["snd_wnd"], 65536);
  EXPECT_EQ(j["retransmit_percent"], 1.25);
  EXPECT_EQ(j.find("rcv_space"), j.end());
  EXPECT_EQ(j.find("host_drops"), j.end());  // -1: not measured, not sent
}

TEST(ResultsExtension, RoundTripsThroughTheResultsMessage) {
  TestResults r;
  r.nperf = udp_receiver_extension();
  auto decoded = decode_results(encode_results(r));
  ASSERT_TRUE(decoded.results.has_value()) << decoded.error;
  ASSERT_TRUE(decoded.results->nperf.has_value());
  ResultsExtension expected = udp_receiver_extension();
  expected.streams[0].evidence.seconds = 10.0;  // what the wire carries
  EXPECT_EQ(*decoded.results->nperf, expected);
}

TEST(ResultsExtension, DecodesAbsentOrNonObjectAsEmpty) {
  EXPECT_EQ(decode_results_extension(ordered_json()), ResultsExtension{});
  EXPECT_EQ(decode_results_extension(ordered_json::array({1})), ResultsExtension{});
  EXPECT_EQ(decode_results_extension(ordered_json::object()), ResultsExtension{});
}

TEST(ResultsExtension, MalformedPiecesAreUnknownNotErrors) {
  ordered_json j = ordered_json::parse(R"({"buffers":"big","streams":[
      {"id":1,"evidence":{"seconds":"x"}},
      {"id":"3","evidence":{}},
      {"evidence":{}},
      7,
      {"id":4},
      {"id":5,"evidence":{"seconds":1,"busy":1}}]})");
  ResultsExtension ext = decode_results_extension(j);
  EXPECT_FALSE(ext.buffers.known);
  // Entries without an integer id or without evidence are dropped; the rest keep their order.
  ASSERT_EQ(ext.streams.size(), 2u);
  EXPECT_EQ(ext.streams[0].id, 1);
  EXPECT_FALSE(ext.streams[0].evidence.known);  // a wrong type: the whole object is unknown
  EXPECT_EQ(ext.streams[1].id, 5);
  EXPECT_TRUE(ext.streams[1].evidence.known);
  EXPECT_TRUE(ext.streams[1].evidence.tcp_info);
}

TEST(ResultsExtension, KeysAreCaseInsensitiveLikeTheRestOfTheMessage) {
  ordered_json j = ordered_json::parse(R"({"Streams":[{"ID":9,"Evidence":{"Seconds":3}}]})");
  ResultsExtension ext = decode_results_extension(j);
  ASSERT_EQ(ext.streams.size(), 1u);
  EXPECT_EQ(ext.streams[0].id, 9);
  EXPECT_DOUBLE_EQ(ext.streams[0].evidence.seconds, 3);
}

TEST(ResultsExtension, EncodingIsStableAfterOneRoundTrip) {
  // Peer values are rounded on the way out; a second trip changes nothing.
  ordered_json j = ordered_json::parse(
      R"({"buffers":{"sndbuf":1},"streams":[{"id":2,"evidence":{"seconds":1.234567,"thread_cpu":0.333333}}]})");
  ordered_json once = encode_results_extension(decode_results_extension(j));
  EXPECT_EQ(encode_results_extension(decode_results_extension(once)), once);
}

}  // namespace
