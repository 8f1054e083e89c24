#include "nperf/protocol/results.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nperf::protocol {
namespace {

using nlohmann::ordered_json;

// Real results messages from iperf3-reference/tcp312.ctrl.txt (3.12 client <-> 3.12 server).
constexpr std::string_view kClient312 =
    R"({"cpu_util_total":2.5903722038815675,"cpu_util_user":0,"cpu_util_system":2.5903722038815675,"sender_has_retransmits":1,"congestion_used":"bbr","streams":[{"id":1,"bytes":2097152,"retransmits":0,"jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":2.000352}]})";
constexpr std::string_view kServer312 =
    R"({"cpu_util_total":0.078481321445496,"cpu_util_user":0,"cpu_util_system":0.078431333342664444,"sender_has_retransmits":18446744073709551615,"congestion_used":"bbr","streams":[{"id":1,"bytes":2097152,"retransmits":18446744073709551615,"jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":2.000457}]})";
// From udp312.ctrl.txt (server side, UDP receiver).
constexpr std::string_view kUdpServer312 =
    R"({"cpu_util_total":0.030091664608903331,"cpu_util_user":0,"cpu_util_system":0.030091664608903331,"sender_has_retransmits":18446744073709551615,"streams":[{"id":1,"bytes":65536,"retransmits":18446744073709551615,"jitter":5.6875e-06,"errors":0,"packets":2,"start_time":0,"end_time":2.000547}]})";
// From tcpM_bidir.ctrl.txt (3.21+ client, with omitted_* keys).
constexpr std::string_view kBidirClient321 =
    R"({"cpu_util_total":0.50241592106430066,"cpu_util_user":0.2045735592909578,"cpu_util_system":0.2977925386950937,"sender_has_retransmits":1,"congestion_used":"bbr","streams":[{"id":1,"bytes":2097152,"retransmits":0,"jitter":0,"errors":0,"omitted_errors":0,"packets":0,"omitted_packets":0,"start_time":0,"end_time":2.002727},{"id":3,"bytes":2097152,"retransmits":0,"jitter":0,"errors":0,"omitted_errors":0,"packets":0,"omitted_packets":0,"start_time":0,"end_time":2.002731},{"id":4,"bytes":2097152,"retransmits":-1,"jitter":0,"errors":0,"omitted_errors":0,"packets":0,"omitted_packets":0,"start_time":0,"end_time":2.002732},{"id":5,"bytes":2097152,"retransmits":-1,"jitter":0,"errors":0,"omitted_errors":0,"packets":0,"omitted_packets":0,"start_time":0,"end_time":2.002797}]})";

TestResults decode_ok(std::string_view text) {
  DecodedResults d = decode_results(text);
  if (!d.results) throw std::runtime_error("decode failed: " + d.error);
  return *d.results;
}

void expect_rejected(const std::string& text) {
  DecodedResults d = decode_results(text);
  EXPECT_FALSE(d.results.has_value()) << text;
  EXPECT_FALSE(d.error.empty()) << text;
}

// kClient312 with one key removed (top level or in the stream).
std::string without(std::string_view key, bool in_stream) {
  ordered_json j = ordered_json::parse(kClient312);
  if (in_stream)
    j["streams"][0].erase(std::string(key));
  else
    j.erase(std::string(key));
  return j.dump();
}

std::string with_stream(const std::string& stream_json) {
  return R"({"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,"sender_has_retransmits":0,"streams":[)" +
         stream_json + "]}";
}

std::vector<std::string> keys_of(const ordered_json& j) {
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

StreamResult sample_stream(int id) {
  StreamResult s;
  s.id = id;
  s.bytes = 123456789012ull;
  s.retransmits = id == 1 ? 17 : -1;
  s.jitter_s = 8.78664717391688e-05;
  s.errors = 3;
  s.omitted_errors = 1;
  s.packets = 36;
  s.omitted_packets = 2;
  s.start_time = 0;
  s.end_time = 2.000069;
  return s;
}

void expect_same_stream(const StreamResult& a, const StreamResult& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.retransmits, b.retransmits);
  EXPECT_DOUBLE_EQ(a.jitter_s, b.jitter_s);
  EXPECT_EQ(a.errors, b.errors);
  EXPECT_EQ(a.omitted_errors, b.omitted_errors);
  EXPECT_EQ(a.packets, b.packets);
  EXPECT_EQ(a.omitted_packets, b.omitted_packets);
  EXPECT_DOUBLE_EQ(a.start_time, b.start_time);
  EXPECT_DOUBLE_EQ(a.end_time, b.end_time);
}

}  // namespace

// ---- decoding real messages -------------------------------------------------

TEST(ResultsDecode, DecodesIperf312ClientResults) {
  TestResults r = decode_ok(kClient312);
  EXPECT_DOUBLE_EQ(r.cpu_total, 2.5903722038815675);
  EXPECT_DOUBLE_EQ(r.cpu_user, 0);
  EXPECT_DOUBLE_EQ(r.cpu_system, 2.5903722038815675);
  EXPECT_EQ(r.sender_has_retransmits, 1);
  EXPECT_EQ(r.congestion_used, "bbr");
  ASSERT_EQ(r.streams.size(), 1u);
  const StreamResult& s = r.streams[0];
  EXPECT_EQ(s.id, 1);
  EXPECT_EQ(s.bytes, 2097152u);
  EXPECT_EQ(s.retransmits, 0);
  EXPECT_DOUBLE_EQ(s.jitter_s, 0);
  EXPECT_EQ(s.errors, 0);
  EXPECT_EQ(s.packets, 0);
  EXPECT_FALSE(s.omitted_errors.has_value());  // 3.12 predates omitted_*
  EXPECT_FALSE(s.omitted_packets.has_value());
  EXPECT_DOUBLE_EQ(s.start_time, 0);
  EXPECT_DOUBLE_EQ(s.end_time, 2.000352);
  EXPECT_FALSE(r.server_output_json.has_value());
  EXPECT_FALSE(r.server_output_text.has_value());
  EXPECT_FALSE(r.nperf.has_value());
}

TEST(ResultsDecode, DecodesIperf312ServerResultsWithUnsignedMinusOne) {
  TestResults r = decode_ok(kServer312);
  EXPECT_DOUBLE_EQ(r.cpu_total, 0.078481321445496);
  EXPECT_DOUBLE_EQ(r.cpu_system, 0.078431333342664444);
  EXPECT_EQ(r.sender_has_retransmits, -1);
  ASSERT_EQ(r.streams.size(), 1u);
  EXPECT_EQ(r.streams[0].retransmits, -1);
  EXPECT_EQ(r.streams[0].bytes, 2097152u);
  EXPECT_DOUBLE_EQ(r.streams[0].end_time, 2.000457);
}

TEST(ResultsDecode, DecodesIperf312UdpServerResults) {
  TestResults r = decode_ok(kUdpServer312);
  EXPECT_EQ(r.sender_has_retransmits, -1);
  EXPECT_TRUE(r.congestion_used.empty());
  ASSERT_EQ(r.streams.size(), 1u);
  EXPECT_DOUBLE_EQ(r.streams[0].jitter_s, 5.6875e-06);
  EXPECT_EQ(r.streams[0].packets, 2);
  EXPECT_EQ(r.streams[0].bytes, 65536u);
}

TEST(ResultsDecode, DecodesIperf321BidirResultsWithOmittedCounters) {
  TestResults r = decode_ok(kBidirClient321);
  ASSERT_EQ(r.streams.size(), 4u);
  std::vector<int> ids;
  for (const auto& s : r.streams) ids.push_back(s.id);
  EXPECT_EQ(ids, (std::vector<int>{1, 3, 4, 5}));
  EXPECT_EQ(r.streams[0].retransmits, 0);
  EXPECT_EQ(r.streams[2].retransmits, -1);
  EXPECT_EQ(r.streams[3].omitted_errors, 0);
  EXPECT_EQ(r.streams[3].omitted_packets, 0);
}

TEST(ResultsDecode, AcceptsEmptyStreamsArray) {
  TestResults r = decode_ok(with_stream(""));
  EXPECT_TRUE(r.streams.empty());
}

TEST(ResultsDecode, KeysAreCaseInsensitive) {
  TestResults r = decode_ok(
      R"({"CPU_UTIL_TOTAL":1,"Cpu_Util_User":0,"cpu_util_SYSTEM":1,"Sender_Has_Retransmits":0,"STREAMS":[{"ID":1,"Bytes":5,"Retransmits":-1,"Jitter":0,"Errors":0,"Packets":0}]})");
  ASSERT_EQ(r.streams.size(), 1u);
  EXPECT_EQ(r.streams[0].bytes, 5u);
}

// ---- required keys and shapes -----------------------------------------------

TEST(ResultsDecode, RejectsMissingRequiredTopLevelKeys) {
  for (const char* key :
       {"cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits", "streams"})
    expect_rejected(without(key, false));
}

TEST(ResultsDecode, MissingTopLevelKeyErrorNamesIt) {
  DecodedResults d = decode_results(without("sender_has_retransmits", false));
  ASSERT_FALSE(d.results);
  EXPECT_NE(d.error.find("sender_has_retransmits"), std::string::npos) << d.error;
}

TEST(ResultsDecode, RejectsMissingRequiredStreamKeys) {
  for (const char* key : {"id", "bytes", "retransmits", "jitter", "errors", "packets"})
    expect_rejected(without(key, true));
}

TEST(ResultsDecode, StartAndEndTimeAreOptional) {
  TestResults r = decode_ok(without("end_time", true));
  EXPECT_DOUBLE_EQ(r.streams.at(0).end_time, 0);
  r = decode_ok(without("start_time", true));
  EXPECT_DOUBLE_EQ(r.streams.at(0).end_time, 2.000352);
}

TEST(ResultsDecode, CongestionUsedIsOptional) {
  TestResults r = decode_ok(without("congestion_used", false));
  EXPECT_TRUE(r.congestion_used.empty());
}

TEST(ResultsDecode, RejectsOmittedErrorsWithoutOmittedPackets) {
  expect_rejected(with_stream(
      R"({"id":1,"bytes":0,"retransmits":-1,"jitter":0,"errors":0,"omitted_errors":0,"packets":0})"));
}

TEST(ResultsDecode, RejectsOmittedPacketsWithoutOmittedErrors) {
  expect_rejected(with_stream(
      R"({"id":1,"bytes":0,"retransmits":-1,"jitter":0,"errors":0,"packets":0,"omitted_packets":0})"));
}

TEST(ResultsDecode, AcceptsOmittedPair) {
  TestResults r = decode_ok(with_stream(
      R"({"id":1,"bytes":0,"retransmits":-1,"jitter":0,"errors":4,"omitted_errors":1,"packets":9,"omitted_packets":2})"));
  EXPECT_EQ(r.streams.at(0).omitted_errors, 1);
  EXPECT_EQ(r.streams.at(0).omitted_packets, 2);
  EXPECT_EQ(r.streams.at(0).errors, 4);
  EXPECT_EQ(r.streams.at(0).packets, 9);
}

TEST(ResultsDecode, RejectsStreamThatIsNotAnObject) {
  expect_rejected(with_stream("1"));
  expect_rejected(with_stream("[]"));
  expect_rejected(with_stream("null"));
  expect_rejected(with_stream(R"("stream")"));
}

TEST(ResultsDecode, RejectsStreamsThatIsNotAnArray) {
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"streams":{}})");
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"streams":"x"})");
}

TEST(ResultsDecode, RejectsWrongTypes) {
  expect_rejected(with_stream(R"({"id":1,"bytes":"5","retransmits":-1,"jitter":0,"errors":0,"packets":0})"));
  expect_rejected(with_stream(R"({"id":"1","bytes":5,"retransmits":-1,"jitter":0,"errors":0,"packets":0})"));
  expect_rejected(with_stream(R"({"id":1,"bytes":5,"retransmits":-1,"jitter":"0","errors":0,"packets":0})"));
  expect_rejected(with_stream(R"({"id":1.5,"bytes":5,"retransmits":-1,"jitter":0,"errors":0,"packets":0})"));
  expect_rejected(
      R"({"cpu_util_total":"1","cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"streams":[]})");
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":true,"streams":[]})");
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"congestion_used":5,"streams":[]})");
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"server_output_text":5,"streams":[]})");
}

TEST(ResultsDecode, RejectsNegativeBytes) {
  expect_rejected(with_stream(R"({"id":1,"bytes":-1,"retransmits":-1,"jitter":0,"errors":0,"packets":0})"));
  expect_rejected(with_stream(
      R"({"id":1,"bytes":18446744073709551615,"retransmits":-1,"jitter":0,"errors":0,"packets":0})"));
}

TEST(ResultsDecode, RejectsTooManyStreams) {
  std::string one = R"({"id":1,"bytes":0,"retransmits":-1,"jitter":0,"errors":0,"packets":0})";
  std::string many;
  for (int i = 0; i < 256; ++i) many += (i ? "," : "") + one;
  EXPECT_TRUE(decode_results(with_stream(many)).results.has_value());
  expect_rejected(with_stream(many + "," + one));
}

TEST(ResultsDecode, RejectsNonObjectsAndGarbage) {
  expect_rejected("");
  expect_rejected("[]");
  expect_rejected("null");
  expect_rejected("{\"cpu_util_total\":");
  expect_rejected("garbage");
}

TEST(ResultsDecode, AllowsDeeperNestingThanParamsForServerOutput) {
  std::string nested = "{}";
  for (int i = 0; i < 20; ++i) nested = "{\"a\":" + nested + "}";
  std::string text =
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"server_output_json":)" +
      nested + R"(,"streams":[]})";
  DecodedResults d = decode_results(text);
  ASSERT_TRUE(d.results.has_value()) << d.error;
  EXPECT_TRUE(d.results->server_output_json.has_value());
}

TEST(ResultsDecode, RejectsExcessiveNesting) {
  std::string nested = "{}";
  for (int i = 0; i < 40; ++i) nested = "{\"a\":" + nested + "}";
  expect_rejected(
      R"({"cpu_util_total":1,"cpu_util_user":0,"cpu_util_system":1,"sender_has_retransmits":0,"server_output_json":)" +
      nested + R"(,"streams":[]})");
}

// ---- server output and extension --------------------------------------------

TEST(ResultsDecode, CarriesServerOutputText) {
  ordered_json j = ordered_json::parse(kServer312);
  j["server_output_text"] = "Accepted connection from 127.0.0.1\n[  5] local ...\n";
  TestResults r = decode_ok(j.dump());
  ASSERT_TRUE(r.server_output_text.has_value());
  EXPECT_EQ(*r.server_output_text, "Accepted connection from 127.0.0.1\n[  5] local ...\n");
  EXPECT_FALSE(r.server_output_json.has_value());
}

TEST(ResultsDecode, CarriesServerOutputJson) {
  ordered_json j = ordered_json::parse(kServer312);
  j["server_output_json"] =
      ordered_json::parse(R"({"start":{"version":"iperf 3.12"},"intervals":[{"sum":{"bytes":5}}],"end":{}})");
  TestResults r = decode_ok(j.dump());
  ASSERT_TRUE(r.server_output_json.has_value());
  EXPECT_EQ((*r.server_output_json)["start"]["version"], "iperf 3.12");
  EXPECT_EQ((*r.server_output_json)["intervals"][0]["sum"]["bytes"], 5);
  EXPECT_FALSE(r.server_output_text.has_value());
}

TEST(ResultsDecode, KeepsKeyOrderOfServerOutputJson) {
  // The client reprints the server's -J object; iperf3 keeps start, intervals, end (doc §7.2).
  ordered_json j = ordered_json::parse(kServer312);
  j["server_output_json"] =
      ordered_json::parse(R"({"start":{"version":"x","cookie":"y"},"intervals":[],"end":{}})");
  TestResults r = decode_ok(j.dump());
  ASSERT_TRUE(r.server_output_json.has_value());
  EXPECT_EQ(keys_of(*r.server_output_json), (std::vector<std::string>{"start", "intervals", "end"}));
  EXPECT_EQ(keys_of((*r.server_output_json)["start"]), (std::vector<std::string>{"version", "cookie"}));
}

TEST(ResultsDecode, CarriesNperfExtensionObject) {
  ordered_json j = ordered_json::parse(kClient312);
  j["nperf"] = ordered_json::parse(R"({"buffers":{"requested":0,"sndbuf":4096,"rcvbuf":8192,"wmem_max":0,)"
                                   R"("rmem_max":0},"streams":[{"id":5,"evidence":{"seconds":2}}]})");
  TestResults r = decode_ok(j.dump());
  ASSERT_TRUE(r.nperf.has_value());
  EXPECT_TRUE(r.nperf->buffers.known);
  EXPECT_EQ(r.nperf->buffers.rcvbuf, 8192);
  ASSERT_EQ(r.nperf->streams.size(), 1u);
  EXPECT_EQ(r.nperf->streams[0].id, 5);
  EXPECT_DOUBLE_EQ(r.nperf->streams[0].evidence.seconds, 2);
}

TEST(ResultsDecode, IgnoresNperfKeyThatIsNotAnObject) {
  ordered_json j = ordered_json::parse(kClient312);
  j["nperf"] = ordered_json::array({1, 2});
  EXPECT_FALSE(decode_ok(j.dump()).nperf.has_value());
}

// ---- encoding ---------------------------------------------------------------

TEST(ResultsEncode, UsesIperf3KeyOrder) {
  TestResults r;
  r.sender_has_retransmits = 1;
  r.congestion_used = "cubic";
  r.server_output_text = "text\n";
  r.streams.push_back(sample_stream(1));
  ordered_json j = ordered_json::parse(encode_results(r));
  EXPECT_EQ(keys_of(j), (std::vector<std::string>{"cpu_util_total", "cpu_util_user", "cpu_util_system",
                                                  "sender_has_retransmits", "congestion_used",
                                                  "server_output_text", "streams"}));
  EXPECT_EQ(keys_of(j["streams"][0]),
            (std::vector<std::string>{"id", "bytes", "retransmits", "jitter", "errors", "omitted_errors",
                                      "packets", "omitted_packets", "start_time", "end_time"}));
}

TEST(ResultsEncode, OmitsOptionalTopLevelKeysWhenUnset) {
  TestResults r;
  std::string text = encode_results(r);
  EXPECT_EQ(text.find("congestion_used"), std::string::npos);
  EXPECT_EQ(text.find("server_output"), std::string::npos);
  EXPECT_EQ(text.find("nperf"), std::string::npos);
  EXPECT_NE(text.find(R"("streams":[])"), std::string::npos) << text;
}

TEST(ResultsEncode, WritesMinusOneAsSignedInteger) {
  TestResults r;
  r.sender_has_retransmits = -1;
  StreamResult s;
  s.id = 1;
  s.retransmits = -1;
  r.streams.push_back(s);
  std::string text = encode_results(r);
  EXPECT_NE(text.find(R"("sender_has_retransmits":-1)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("retransmits":-1)"), std::string::npos) << text;
  EXPECT_EQ(text.find("18446744073709551615"), std::string::npos) << text;
}

TEST(ResultsEncode, AlwaysSendsOmittedPairSoPeersAcceptIt) {
  TestResults r;
  StreamResult s;
  s.id = 1;
  r.streams.push_back(s);  // omitted_* unset
  ordered_json j = ordered_json::parse(encode_results(r));
  EXPECT_EQ(j["streams"][0]["omitted_errors"], 0);
  EXPECT_EQ(j["streams"][0]["omitted_packets"], 0);
}

TEST(ResultsRoundTrip, PreservesEverything) {
  TestResults r;
  r.cpu_total = 12.5;
  r.cpu_user = 4.25;
  r.cpu_system = 8.25;
  r.sender_has_retransmits = 1;
  r.congestion_used = "bbr";
  r.streams = {sample_stream(1), sample_stream(3), sample_stream(4)};
  r.server_output_text = "line 1\nline 2\n";
  r.nperf.emplace();
  r.nperf->buffers = {true, 0, 4096, 8192, 0, 0};
  r.nperf->streams.push_back({3, {}});
  r.nperf->streams[0].evidence.known = true;
  r.nperf->streams[0].evidence.seconds = 1.5;
  TestResults back = decode_ok(encode_results(r));
  EXPECT_DOUBLE_EQ(back.cpu_total, 12.5);
  EXPECT_DOUBLE_EQ(back.cpu_user, 4.25);
  EXPECT_DOUBLE_EQ(back.cpu_system, 8.25);
  EXPECT_EQ(back.sender_has_retransmits, 1);
  EXPECT_EQ(back.congestion_used, "bbr");
  ASSERT_EQ(back.streams.size(), 3u);
  for (size_t i = 0; i < 3; ++i) expect_same_stream(back.streams[i], r.streams[i]);
  EXPECT_EQ(back.server_output_text, r.server_output_text);
  EXPECT_FALSE(back.server_output_json.has_value());
  EXPECT_EQ(back.nperf, r.nperf);
}

TEST(ResultsRoundTrip, PreservesServerOutputJsonContent) {
  TestResults r;
  r.sender_has_retransmits = -1;
  r.server_output_json = ordered_json::parse(
      R"({"start":{"connected":[{"socket":5}],"version":"nperf"},"intervals":[{"streams":[],"sum":{"bits_per_second":1.5e9}}],"end":{"cpu_utilization_percent":{"host_total":1.25}}})");
  TestResults back = decode_ok(encode_results(r));
  ASSERT_TRUE(back.server_output_json.has_value());
  EXPECT_EQ(nlohmann::json::parse(back.server_output_json->dump()),
            nlohmann::json::parse(r.server_output_json->dump()));
  EXPECT_EQ(back.sender_has_retransmits, -1);
  EXPECT_FALSE(back.server_output_text.has_value());
}

TEST(ResultsRoundTrip, PreservesLargeByteCounts) {
  TestResults r;
  StreamResult s = sample_stream(1);
  s.bytes = (1ull << 62) + 12345;
  r.streams.push_back(s);
  EXPECT_EQ(decode_ok(encode_results(r)).streams.at(0).bytes, (1ull << 62) + 12345);
}

}  // namespace nperf::protocol
