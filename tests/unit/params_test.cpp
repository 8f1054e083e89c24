#include "nperf/protocol/params.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nperf/config/validate.hpp"

namespace nperf::protocol {
namespace {

using nlohmann::ordered_json;

// Real parameter messages (iperf3-reference/*.ctrl.txt; the keys: docs/protocol.md#parameters).
constexpr std::string_view kTcp312 =
    R"({"tcp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":1,"len":131072,"bandwidth":8000000,"pacing_timer":1000,"client_version":"3.12"})";
constexpr std::string_view kUdp312 =
    R"({"udp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":1,"len":32768,"bandwidth":200000,"pacing_timer":1000,"client_version":"3.12"})";
constexpr std::string_view kUdpReverseP2_321 =
    R"({"udp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":2,"reverse":true,"len":1400,"bandwidth":200000,"pacing_timer":1000,"gso":0,"gso_dg_size":0,"gso_bf_size":65507,"gro":0,"gro_bf_size":65507,"client_version":"3.21+"})";
constexpr std::string_view kTcpBidirP2_321 =
    R"({"tcp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":2,"bidirectional":true,"len":131072,"bandwidth":8000000,"pacing_timer":1000,"client_version":"3.21+"})";
constexpr std::string_view kTcpBytes_321 =
    R"({"tcp":true,"omit":0,"time":0,"num":3145728,"blockcount":0,"parallel":1,"len":131072,"bandwidth":16000000,"pacing_timer":1000,"client_version":"3.21+"})";

// Replaces the client_version value of an iperf3 message by nperf's.
std::string with_nperf_version(std::string_view iperf3_json, std::string_view iperf3_version) {
  std::string s(iperf3_json);
  std::string from = "\"client_version\":\"" + std::string(iperf3_version) + "\"";
  size_t at = s.find(from);
  if (at == std::string::npos) throw std::logic_error("no client_version in test JSON");
  s.replace(at, from.size(), "\"client_version\":\"" + std::string(kNperfVersion) + "\"");
  return s;
}

std::vector<std::string> keys_of(const std::string& text) {
  std::vector<std::string> keys;
  ordered_json j = ordered_json::parse(text);
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  return keys;
}

TestSpec decode_ok(std::string_view text) {
  DecodedParams d = decode_params(text);
  if (!d.spec) throw std::runtime_error("decode failed: " + d.error + " in " + std::string(text));
  return *d.spec;
}

void expect_rejected(std::string_view text) {
  DecodedParams d = decode_params(text);
  EXPECT_FALSE(d.spec.has_value()) << text;
  EXPECT_FALSE(d.error.empty()) << text;
}

void expect_same_spec(const TestSpec& a, const TestSpec& b) {
  EXPECT_EQ(a.protocol, b.protocol);
  EXPECT_EQ(a.direction, b.direction);
  EXPECT_EQ(a.parallel, b.parallel);
  EXPECT_DOUBLE_EQ(a.duration_s, b.duration_s);
  EXPECT_EQ(a.bytes, b.bytes);
  EXPECT_EQ(a.blocks, b.blocks);
  EXPECT_EQ(a.omit_s, b.omit_s);
  EXPECT_EQ(a.block_len, b.block_len);
  EXPECT_EQ(a.rate_bps, b.rate_bps);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.mss, b.mss);
  EXPECT_EQ(a.nodelay, b.nodelay);
  EXPECT_EQ(a.congestion, b.congestion);
  EXPECT_EQ(a.title, b.title);
  EXPECT_EQ(a.get_server_output, b.get_server_output);
  EXPECT_EQ(a.server_affinity, b.server_affinity);
  EXPECT_EQ(a.server_stream_cpus, b.server_stream_cpus);
}

}  // namespace

// ---- encoding ---------------------------------------------------------------

TEST(ParamsEncode, DefaultTcpSpecMatchesIperf3Layout) {
  TestSpec s;
  EXPECT_EQ(
      encode_params(s),
      std::string(
          R"({"tcp":true,"omit":0,"time":10,"num":0,"blockcount":0,"parallel":1,"len":131072,"pacing_timer":1000,"client_version":")") +
          std::string(kNperfVersion) + "\"}");
}

TEST(ParamsEncode, DefaultTcpKeyOrderIsIperf3Order) {
  EXPECT_EQ(keys_of(encode_params(TestSpec{})),
            (std::vector<std::string>{"tcp", "omit", "time", "num", "blockcount", "parallel", "len",
                                      "pacing_timer", "client_version"}));
}

TEST(ParamsEncode, TcpWithRateMatchesIperf312ByteForByte) {
  TestSpec s;
  s.duration_s = 2;
  s.rate_bps = 8'000'000;
  EXPECT_EQ(encode_params(s), with_nperf_version(kTcp312, "3.12"));
}

TEST(ParamsEncode, UdpMatchesIperf312ByteForByte) {
  TestSpec s;
  s.protocol = Protocol::kUdp;
  s.duration_s = 2;
  s.block_len = 32768;
  s.rate_bps = 200'000;
  EXPECT_EQ(encode_params(s), with_nperf_version(kUdp312, "3.12"));
}

TEST(ParamsEncode, BidirMatchesIperf3ByteForByte) {
  TestSpec s;
  s.duration_s = 2;
  s.parallel = 2;
  s.direction = Direction::kBidir;
  s.rate_bps = 8'000'000;
  EXPECT_EQ(encode_params(s), with_nperf_version(kTcpBidirP2_321, "3.21+"));
}

TEST(ParamsEncode, BytesEndedTestMatchesIperf3ByteForByte) {
  TestSpec s;
  s.duration_s = 0;
  s.bytes = 3 * 1024 * 1024;
  s.rate_bps = 16'000'000;
  EXPECT_EQ(encode_params(s), with_nperf_version(kTcpBytes_321, "3.21+"));
}

TEST(ParamsEncode, TcpWithoutRateOmitsBandwidth) {
  TestSpec s;
  EXPECT_EQ(encode_params(s).find("bandwidth"), std::string::npos);
}

TEST(ParamsEncode, UdpAlwaysSendsBandwidthEvenWhenZero) {
  TestSpec s;
  s.protocol = Protocol::kUdp;
  s.block_len = 1460;
  s.rate_bps = 0;
  std::string text = encode_params(s);
  EXPECT_NE(text.find("\"bandwidth\":0,"), std::string::npos) << text;
  EXPECT_NE(text.find("\"udp\":true"), std::string::npos) << text;
  EXPECT_EQ(text.find("\"tcp\""), std::string::npos) << text;
}

TEST(ParamsEncode, NeverSendsFalse) {
  TestSpec s;
  EXPECT_EQ(encode_params(s).find("false"), std::string::npos);
  s.protocol = Protocol::kUdp;
  s.block_len = 1400;
  EXPECT_EQ(encode_params(s).find("false"), std::string::npos);
  s.direction = Direction::kReverse;
  s.nodelay = true;
  s.get_server_output = true;
  EXPECT_EQ(encode_params(s).find("false"), std::string::npos);
}

TEST(ParamsEncode, OptionalFlagsAbsentByDefault) {
  std::string text = encode_params(TestSpec{});
  for (const char* key : {"reverse", "bidirectional", "nodelay", "get_server_output", "MSS", "window",
                          "title", "congestion", "server_affinity", "nperf", "udp"})
    EXPECT_EQ(text.find(std::string("\"") + key + "\""), std::string::npos) << key;
}

TEST(ParamsEncode, ReverseIsSentAsTrueAfterParallel) {
  TestSpec s;
  s.direction = Direction::kReverse;
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("parallel":1,"reverse":true,"len")"), std::string::npos) << text;
  EXPECT_EQ(text.find("bidirectional"), std::string::npos) << text;
}

TEST(ParamsEncode, BidirSendsOnlyBidirectional) {
  TestSpec s;
  s.direction = Direction::kBidir;
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("bidirectional":true)"), std::string::npos) << text;
  EXPECT_EQ(text.find("reverse"), std::string::npos) << text;
}

TEST(ParamsEncode, NodelayAndMssComeBeforeParallel) {
  TestSpec s;
  s.nodelay = true;
  s.mss = 1400;
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("blockcount":0,"MSS":1400,"nodelay":true,"parallel":1)"), std::string::npos) << text;
}

TEST(ParamsEncode, ServerAffinityBetweenOmitAndTime) {
  TestSpec s;
  s.server_affinity = 0;  // core 0 is a real core, not "unset"
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("omit":0,"server_affinity":0,"time":10)"), std::string::npos) << text;
}

TEST(ParamsEncode, WindowBeforeLen) {
  TestSpec s;
  s.window = 4 * 1024 * 1024;
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("parallel":1,"window":4194304,"len":131072)"), std::string::npos) << text;
}

TEST(ParamsEncode, GetServerOutputIsTheNumberOne) {
  TestSpec s;
  s.get_server_output = true;
  std::string text = encode_params(s);
  EXPECT_NE(text.find(R"("get_server_output":1)"), std::string::npos) << text;
}

TEST(ParamsEncode, StringsAreSentAsStrings) {
  TestSpec s;
  s.title = "my \"test\"";
  s.congestion = "bbr";
  ordered_json j = ordered_json::parse(encode_params(s));
  EXPECT_EQ(j["title"], "my \"test\"");
  EXPECT_EQ(j["congestion"], "bbr");
}

TEST(ParamsEncode, IntegralDurationIsAnInteger) {
  TestSpec s;
  s.duration_s = 2;
  EXPECT_NE(encode_params(s).find(R"("time":2,)"), std::string::npos);
}

TEST(ParamsEncode, FractionalDurationKeepsFraction) {
  TestSpec s;
  s.duration_s = 2.5;
  EXPECT_NE(encode_params(s).find(R"("time":2.5,)"), std::string::npos);
}

TEST(ParamsEncode, ServerStreamCpusTravelUnderNperfKeyAfterClientVersion) {
  TestSpec s;
  s.server_stream_cpus = {0, 2, 4};
  std::string text = encode_params(s);
  EXPECT_NE(text.find(std::string(R"("client_version":")") + std::string(kNperfVersion) +
                      R"(","nperf":{"server_stream_cpus":"0:2:4"}})"),
            std::string::npos)
      << text;
}

TEST(ParamsEncode, ClientVersionIsNperfVersion) {
  TestSpec s;
  s.client_version = "something else";
  ordered_json j = ordered_json::parse(encode_params(s));
  EXPECT_EQ(j["client_version"], kNperfVersion);
}

// ---- decoding ---------------------------------------------------------------

TEST(ParamsDecode, DecodesIperf312TcpParams) {
  TestSpec s = decode_ok(kTcp312);
  EXPECT_EQ(s.protocol, Protocol::kTcp);
  EXPECT_EQ(s.direction, Direction::kForward);
  EXPECT_EQ(s.omit_s, 0);
  EXPECT_DOUBLE_EQ(s.duration_s, 2);
  EXPECT_EQ(s.bytes, 0u);
  EXPECT_EQ(s.blocks, 0u);
  EXPECT_EQ(s.parallel, 1);
  EXPECT_EQ(s.block_len, 131072u);
  EXPECT_EQ(s.rate_bps, 8'000'000u);
  EXPECT_EQ(s.client_version, "3.12");
  EXPECT_FALSE(s.nodelay);
  EXPECT_FALSE(s.get_server_output);
  EXPECT_EQ(s.server_affinity, -1);
  EXPECT_EQ(s.window, 0u);
  EXPECT_EQ(s.mss, 0);
  EXPECT_TRUE(s.server_stream_cpus.empty());
  EXPECT_TRUE(validate(s).empty());
}

TEST(ParamsDecode, DecodesIperf312UdpParams) {
  TestSpec s = decode_ok(kUdp312);
  EXPECT_EQ(s.protocol, Protocol::kUdp);
  EXPECT_EQ(s.block_len, 32768u);
  EXPECT_EQ(s.rate_bps, 200'000u);
  EXPECT_TRUE(validate(s).empty());
}

TEST(ParamsDecode, DecodesIperf321ReverseUdpIgnoringGsoKeys) {
  TestSpec s = decode_ok(kUdpReverseP2_321);
  EXPECT_EQ(s.protocol, Protocol::kUdp);
  EXPECT_EQ(s.direction, Direction::kReverse);
  EXPECT_EQ(s.parallel, 2);
  EXPECT_EQ(s.block_len, 1400u);
  EXPECT_EQ(s.client_version, "3.21+");
}

TEST(ParamsDecode, DecodesIperf321Bidir) {
  TestSpec s = decode_ok(kTcpBidirP2_321);
  EXPECT_EQ(s.direction, Direction::kBidir);
  EXPECT_EQ(s.parallel, 2);
  EXPECT_EQ(s.total_streams(), 4);
}

TEST(ParamsDecode, DecodesBytesEndedTest) {
  TestSpec s = decode_ok(kTcpBytes_321);
  EXPECT_DOUBLE_EQ(s.duration_s, 0);
  EXPECT_EQ(s.bytes, 3145728u);
}

TEST(ParamsDecode, IgnoresUnknownKeys) {
  TestSpec s = decode_ok(
      R"({"tcp":true,"parallel":3,"gso":1,"gro":0,"gso_bf_size":65507,"authtoken":"abc","fqrate":5,"TOS":16,)"
      R"("future_key":{"a":[1,2]},"another":[{"b":null}],"len":1000})");
  EXPECT_EQ(s.parallel, 3);
  EXPECT_EQ(s.block_len, 1000u);
}

TEST(ParamsDecode, MissingKeysKeepServerDefaults) {
  TestSpec s = decode_ok("{}");
  TestSpec d;
  expect_same_spec(s, d);
  EXPECT_EQ(s.block_len, 131072u);
  EXPECT_DOUBLE_EQ(s.duration_s, 10);
  EXPECT_EQ(s.protocol, Protocol::kTcp);
}

TEST(ParamsDecode, KeysAreCaseInsensitive) {
  TestSpec s = decode_ok(R"({"TCP":true,"Parallel":3,"REVERSE":true,"mss":1200,"Title":"t","LEN":4096})");
  EXPECT_EQ(s.parallel, 3);
  EXPECT_EQ(s.direction, Direction::kReverse);
  EXPECT_EQ(s.mss, 1200);
  EXPECT_EQ(s.title, "t");
  EXPECT_EQ(s.block_len, 4096u);
}

TEST(ParamsDecode, FalseStillTurnsPresenceFlagsOn) {
  TestSpec s = decode_ok(R"({"udp":false,"reverse":false,"nodelay":false,"get_server_output":0,"len":1400})");
  EXPECT_EQ(s.protocol, Protocol::kUdp);
  EXPECT_EQ(s.direction, Direction::kReverse);
  EXPECT_TRUE(s.nodelay);
  EXPECT_TRUE(s.get_server_output);
}

TEST(ParamsDecode, BidirectionalWinsOverReverse) {
  EXPECT_EQ(decode_ok(R"({"reverse":true,"bidirectional":true})").direction, Direction::kBidir);
  EXPECT_EQ(decode_ok(R"({"bidirectional":true,"reverse":true})").direction, Direction::kBidir);
}

TEST(ParamsDecode, ReadsOptionalSettings) {
  TestSpec s = decode_ok(
      R"({"tcp":true,"omit":3,"server_affinity":2,"time":5,"MSS":1400,"nodelay":true,"parallel":4,"window":1048576,)"
      R"("len":65536,"bandwidth":1000000,"title":"hello","congestion":"cubic","get_server_output":1,"client_version":"x"})");
  EXPECT_EQ(s.omit_s, 3);
  EXPECT_EQ(s.server_affinity, 2);
  EXPECT_DOUBLE_EQ(s.duration_s, 5);
  EXPECT_EQ(s.mss, 1400);
  EXPECT_TRUE(s.nodelay);
  EXPECT_EQ(s.parallel, 4);
  EXPECT_EQ(s.window, 1048576u);
  EXPECT_EQ(s.block_len, 65536u);
  EXPECT_EQ(s.rate_bps, 1000000u);
  EXPECT_EQ(s.title, "hello");
  EXPECT_EQ(s.congestion, "cubic");
  EXPECT_TRUE(s.get_server_output);
}

TEST(ParamsEncode, TosFqRateAndExtraDataInIperf3sPlaces) {
  TestSpec s;
  s.tos = 40;
  s.fq_rate_bps = 200'000'000;
  s.extra_data = "rack=3";
  s.title = "t";
  s.rate_bps = 1'000'000;
  const auto keys = keys_of(encode_params(s));
  auto at = [&](const char* key) { return std::find(keys.begin(), keys.end(), key) - keys.begin(); };
  // iperf3: bandwidth, fqrate, pacing_timer, burst, TOS, flowlabel, title, extra_data, congestion.
  EXPECT_EQ(at("fqrate"), at("bandwidth") + 1);
  EXPECT_EQ(at("pacing_timer"), at("fqrate") + 1);
  EXPECT_EQ(at("title"), at("TOS") + 1);
  EXPECT_EQ(at("extra_data"), at("title") + 1);
  ordered_json j = ordered_json::parse(encode_params(s));
  EXPECT_EQ(j["TOS"], 40);
  EXPECT_EQ(j["fqrate"], 200'000'000);
  EXPECT_EQ(j["extra_data"], "rack=3");
}

TEST(ParamsEncode, PacingTimerIsSentAsGiven) {
  TestSpec s;
  s.pacing_timer_us = 250;
  EXPECT_EQ(ordered_json::parse(encode_params(s))["pacing_timer"], 250);
}

TEST(ParamsEncode, NoTosFqRateOrExtraDataKeysByDefault) {
  const std::string text = encode_params(TestSpec{});
  for (const char* key : {"TOS", "fqrate", "extra_data"}) EXPECT_EQ(text.find(key), std::string::npos) << key;
}

TEST(ParamsDecode, ReadsTosFqRateAndExtraDataAsIperf3SendsThem) {
  TestSpec s = decode_ok(R"({"tcp":true,"fqrate":200000000,"TOS":40,"extra_data":"rack=3"})");
  EXPECT_EQ(s.tos, 40);
  EXPECT_EQ(s.fq_rate_bps, 200'000'000u);
  EXPECT_EQ(s.extra_data, "rack=3");
  expect_rejected(R"({"tcp":true,"fqrate":-1})");
}

TEST(ParamsDecode, FractionalTimeIsKept) {
  EXPECT_DOUBLE_EQ(decode_ok(R"({"time":2.5})").duration_s, 2.5);
}

TEST(ParamsDecode, ReadsServerStreamCpusExtension) {
  TestSpec s = decode_ok(R"({"tcp":true,"nperf":{"server_stream_cpus":"0-2:7"}})");
  EXPECT_EQ(s.server_stream_cpus, (std::vector<int>{0, 1, 2, 7}));
}

TEST(ParamsDecode, IgnoresNperfKeyThatIsNotAnObject) {
  EXPECT_TRUE(decode_ok(R"({"nperf":5})").server_stream_cpus.empty());
  EXPECT_TRUE(decode_ok(R"({"nperf":{"other":1}})").server_stream_cpus.empty());
}

// Calls of several blocks (engine/tcp_calls.hpp) travel as an nperf
// extension: sent only when asked for, so a plain request stays iperf3's bytes.
TEST(ParamsTcpCallLen, TravelsUnderTheNperfKey) {
  TestSpec s;
  s.call_len = 1 << 20;
  const std::string json = encode_params(s);
  EXPECT_NE(json.find(R"("nperf":{"tcp_call_len":1048576})"), std::string::npos) << json;
  EXPECT_EQ(decode_ok(json).call_len, 1u << 20);
  s.call_len = 0;
  EXPECT_EQ(encode_params(s).find("tcp_call_len"), std::string::npos);
  s.call_len = 1 << 20;
  s.protocol = Protocol::kUdp;  // TCP only
  EXPECT_EQ(encode_params(s).find("tcp_call_len"), std::string::npos);
}

TEST(ParamsTcpCallLen, AbsentMeansOneBlockPerCallAndRangeIsChecked) {
  EXPECT_EQ(decode_ok(R"({"tcp":true,"len":131072})").call_len, 0u);  // an iperf3 client
  EXPECT_EQ(decode_ok(R"({"tcp":true,"nperf":{"tcp_call_len":16777216}})").call_len, kMaxTcpCallLen);
  expect_rejected(R"({"tcp":true,"nperf":{"tcp_call_len":16777217}})");
  expect_rejected(R"({"tcp":true,"nperf":{"tcp_call_len":-1}})");
  expect_rejected(R"({"tcp":true,"nperf":{"tcp_call_len":"1M"}})");
}

TEST(ParamsDecode, RejectsBadServerStreamCpus) {
  expect_rejected(R"({"nperf":{"server_stream_cpus":"x"}})");
  expect_rejected(R"({"nperf":{"server_stream_cpus":"3-1"}})");
  expect_rejected(R"({"nperf":{"server_stream_cpus":5}})");
}

TEST(ParamsDecode, RejectsWrongTypes) {
  expect_rejected(R"({"tcp":true,"parallel":"4"})");
  expect_rejected(R"({"tcp":true,"title":5})");  // CVE-2024-53580 crashed iperf3 <= 3.17
  expect_rejected(R"({"title":null})");
  expect_rejected(R"({"congestion":["bbr"]})");
  expect_rejected(R"({"client_version":3.12})");
  expect_rejected(R"({"time":"10"})");
  expect_rejected(R"({"omit":true})");
  expect_rejected(R"({"len":"128K"})");
  expect_rejected(R"({"bandwidth":{}})");
  expect_rejected(R"({"window":null})");
  expect_rejected(R"({"num":"1"})");
  expect_rejected(R"({"reverse":"yes"})");
  expect_rejected(R"({"tcp":"true"})");
  expect_rejected(R"({"get_server_output":"1"})");
}

TEST(ParamsDecode, WrongTypeErrorNamesTheKey) {
  DecodedParams d = decode_params(R"({"tcp":true,"parallel":"4"})");
  ASSERT_FALSE(d.spec);
  EXPECT_NE(d.error.find("parallel"), std::string::npos) << d.error;
}

TEST(ParamsDecode, RejectsFractionForIntegerKeys) {
  expect_rejected(R"({"parallel":1.5})");
  expect_rejected(R"({"len":1000.5})");
  expect_rejected(R"({"window":0.5})");
}

TEST(ParamsDecode, RejectsNegativeSizes) {
  expect_rejected(R"({"window":-1})");
  expect_rejected(R"({"window":18446744073709551615})");  // -1 as printed by 3.12
  expect_rejected(R"({"num":-5})");
  expect_rejected(R"({"blockcount":-1})");
  expect_rejected(R"({"bandwidth":-1})");
  expect_rejected(R"({"len":-1})");
  expect_rejected(R"({"omit":-1})");
}

TEST(ParamsDecode, RejectsSctp) {
  expect_rejected(R"({"sctp":true})");
}

TEST(ParamsDecode, RejectsNonObjectsAndGarbage) {
  expect_rejected("");
  expect_rejected("[]");
  expect_rejected("5");
  expect_rejected("{\"tcp\":true");
  expect_rejected("\x01\x02garbage");
}

TEST(ParamsDecode, RejectsDeepNesting) {
  std::string deep = R"({"future":)" + std::string(40, '[') + std::string(40, ']') + "}";
  expect_rejected(deep);
}

TEST(ParamsDecode, OutOfRangeValuesDecodeButFailValidation) {
  // decode_params only type-checks; validate() owns the ranges.
  for (std::string_view text :
       {R"({"parallel":0})", R"({"parallel":129})", R"({"parallel":18446744073709551615})",
        R"({"parallel":1000000000000})", R"({"omit":601})", R"({"MSS":32768})", R"({"window":536870913})",
        R"({"len":1048577})", R"({"time":86401})", R"({"udp":true})", R"({"server_affinity":1025})",
        R"({"num":1,"blockcount":1})"}) {
    DecodedParams d = decode_params(text);
    ASSERT_TRUE(d.spec.has_value()) << text << ": " << d.error;
    EXPECT_FALSE(validate(*d.spec).empty()) << text;
  }
}

// ---- round trip -------------------------------------------------------------

TEST(ParamsRoundTrip, PreservesFullTcpSpec) {
  TestSpec s;
  s.direction = Direction::kReverse;
  s.parallel = 8;
  s.duration_s = 30;
  s.omit_s = 2;
  s.block_len = 65536;
  s.rate_bps = 1'000'000'000;
  s.window = 8 * 1024 * 1024;
  s.mss = 1400;
  s.nodelay = true;
  s.congestion = "bbr";
  s.title = "round \"trip\" \\ title";
  s.get_server_output = true;
  s.server_affinity = 3;
  s.server_stream_cpus = {0, 1, 2, 3, 8};
  TestSpec back = decode_ok(encode_params(s));
  expect_same_spec(back, s);
  EXPECT_EQ(back.client_version, kNperfVersion);
  EXPECT_TRUE(validate(back).empty());
}

TEST(ParamsRoundTrip, PreservesUdpBidirSpec) {
  TestSpec s;
  s.protocol = Protocol::kUdp;
  s.direction = Direction::kBidir;
  s.parallel = 2;
  s.duration_s = 1.5;
  s.block_len = 1400;
  s.rate_bps = 0;
  s.server_stream_cpus = {5, 1, 3};
  expect_same_spec(decode_ok(encode_params(s)), s);
}

TEST(ParamsRoundTrip, PreservesBytesAndBlocksEndedSpecs) {
  TestSpec by_bytes;
  by_bytes.duration_s = 0;
  by_bytes.bytes = 1ull << 40;
  expect_same_spec(decode_ok(encode_params(by_bytes)), by_bytes);
  TestSpec by_blocks;
  by_blocks.duration_s = 0;
  by_blocks.blocks = 1000;
  expect_same_spec(decode_ok(encode_params(by_blocks)), by_blocks);
}

TEST(ParamsRoundTrip, PreservesSingleServerStreamCpu) {
  TestSpec s;
  s.server_stream_cpus = {7};
  EXPECT_EQ(decode_ok(encode_params(s)).server_stream_cpus, (std::vector<int>{7}));
}

TEST(ParamsRoundTrip, DefaultSpecSurvives) {
  expect_same_spec(decode_ok(encode_params(TestSpec{})), TestSpec{});
}

}  // namespace nperf::protocol

namespace nperf::protocol {
namespace {

TEST(ParamsGsro, UdpWithGsroSendsIperf321GsoAndGroKeys) {
  TestSpec spec;
  spec.protocol = Protocol::kUdp;
  spec.block_len = 1400;
  spec.rate_bps = 0;
  spec.gso = spec.gro = true;
  auto j = nlohmann::json::parse(encode_params(spec));
  EXPECT_EQ(j["gso"], 1);
  EXPECT_EQ(j["gso_dg_size"], 1400);
  EXPECT_EQ(j["gro"], 1);
  EXPECT_EQ(j["bandwidth"], 0) << "UDP always sends bandwidth";
  spec.gso = spec.gro = false;
  j = nlohmann::json::parse(encode_params(spec));
  EXPECT_FALSE(j.contains("gso")) << "without --gsro the request is iperf3 3.12's";
  EXPECT_FALSE(j.contains("gro"));
}

TEST(ParamsGsro, GsoZeroMeansOffUnlikePresenceFlags) {
  auto off = decode_params(R"({"udp":true,"len":1400,"gso":0,"gro":0})");
  ASSERT_TRUE(off.spec) << off.error;
  EXPECT_FALSE(off.spec->gso);
  EXPECT_FALSE(off.spec->gro);
  auto on = decode_params(
      R"({"udp":true,"len":1400,"gso":1,"gso_dg_size":1400,"gso_bf_size":65507,"gro":1,"gro_bf_size":65507})");
  ASSERT_TRUE(on.spec) << on.error;
  EXPECT_TRUE(on.spec->gso);
  EXPECT_TRUE(on.spec->gro);
  EXPECT_FALSE(decode_params(R"({"udp":true,"gso":"yes"})").spec)
      << "a string where a number belongs is rejected";
}

}  // namespace
}  // namespace nperf::protocol

namespace nperf::protocol {
namespace {

// Found by the params fuzz target (tests/fuzz/findings/params-encode-time-overflow.json).
TEST(ParamsDecode, Issue5_HugeTimeIsRejectedNotOverflowed) {
  EXPECT_FALSE(decode_params(R"({"time":1e19})").spec);
  EXPECT_FALSE(decode_params(R"({"time":-1})").spec);
  auto ok = decode_params(R"({"time":86400})");
  ASSERT_TRUE(ok.spec) << ok.error;
  EXPECT_EQ(ok.spec->duration_s, 86400);
}

}  // namespace
}  // namespace nperf::protocol

#include "nperf/engine/payload.hpp"

namespace nperf::protocol {
namespace {

TEST(ParamsPayload, RepeatingPayloadAndDontFragmentTravelAsIperf3Sends) {
  TestSpec spec;
  spec.protocol = Protocol::kUdp;
  spec.block_len = 100;
  spec.repeating_payload = spec.dont_fragment = true;
  auto j = nlohmann::json::parse(encode_params(spec));
  EXPECT_EQ(j["repeating_payload"], 1);
  EXPECT_EQ(j["dont_fragment"], 1);
  auto back = decode_params(j.dump());
  ASSERT_TRUE(back.spec) << back.error;
  EXPECT_TRUE(back.spec->repeating_payload);
  EXPECT_TRUE(back.spec->dont_fragment);
  EXPECT_FALSE(decode_params(R"({"udp":true,"dont_fragment":0})").spec->dont_fragment) << "by value";
  EXPECT_TRUE(decode_params(R"({"udp":true,"repeating_payload":0})").spec->repeating_payload) << "presence";
}

TEST(Payload, RepeatingPatternIsIperf3s) {
  std::vector<uint8_t> buf(23);
  engine::fill_payload(buf, true);
  EXPECT_EQ(std::string(buf.begin(), buf.end()), "01234567890123456789012");
}

// ---- -Z, --skip-rx-copy, -b RATE/BURST ---------------------------------------

// Captured from iperf3 3.12: `iperf3 -c HOST -Z -b 1M/5 -t 2` and the same with
// `-u --repeating-payload --dont-fragment`.
constexpr std::string_view kTcpZerocopyBurst312 =
    R"({"tcp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":1,"len":131072,"bandwidth":1000000,"pacing_timer":1000,"burst":5,"zerocopy":1,"client_version":"3.12"})";
constexpr std::string_view kUdpZerocopyBurst312 =
    R"({"udp":true,"omit":0,"time":2,"num":0,"blockcount":0,"parallel":1,"len":32768,"bandwidth":1000000,"pacing_timer":1000,"burst":5,"repeating_payload":1,"zerocopy":1,"dont_fragment":1,"client_version":"3.12"})";

TEST(ParamsZerocopyBurst, TcpZerocopyBurstMatchesIperf312ByteForByte) {
  TestSpec s;
  s.duration_s = 2;
  s.rate_bps = 1'000'000;
  s.burst = 5;
  s.zerocopy = true;
  EXPECT_EQ(encode_params(s), with_nperf_version(kTcpZerocopyBurst312, "3.12"));
}

TEST(ParamsZerocopyBurst, UdpSendsZerocopyToo_AsIperf312Does) {
  TestSpec s;
  s.protocol = Protocol::kUdp;
  s.duration_s = 2;
  s.block_len = 32768;
  s.rate_bps = 1'000'000;
  s.burst = 5;
  s.zerocopy = s.repeating_payload = s.dont_fragment = true;
  EXPECT_EQ(encode_params(s), with_nperf_version(kUdpZerocopyBurst312, "3.12"));
}

TEST(ParamsZerocopyBurst, AbsentByDefault) {
  auto j = ordered_json::parse(encode_params(TestSpec{}));
  EXPECT_FALSE(j.contains("zerocopy"));
  EXPECT_FALSE(j.contains("skip_rx_copy"));
  EXPECT_FALSE(j.contains("burst"));
}

TEST(ParamsZerocopyBurst, SkipRxCopyIsTheNumberOneJustBeforeClientVersion) {
  TestSpec s;
  s.skip_rx_copy = true;
  s.dont_fragment =
      true;  // nonsense for TCP, but shows the order: dont_fragment, skip_rx_copy, client_version
  auto keys = keys_of(encode_params(s));
  ASSERT_GE(keys.size(), 3u);
  EXPECT_EQ(keys[keys.size() - 3], "dont_fragment");
  EXPECT_EQ(keys[keys.size() - 2], "skip_rx_copy");
  EXPECT_EQ(ordered_json::parse(encode_params(s))["skip_rx_copy"], 1);
}

TEST(ParamsZerocopyBurst, DecodesIperf312ZerocopyBurst) {
  TestSpec s = decode_ok(kTcpZerocopyBurst312);
  EXPECT_TRUE(s.zerocopy);
  EXPECT_EQ(s.burst, 5);
  EXPECT_FALSE(s.skip_rx_copy);
  EXPECT_TRUE(validate(s).empty());
  TestSpec u = decode_ok(kUdpZerocopyBurst312);
  EXPECT_TRUE(u.zerocopy);
  EXPECT_EQ(u.burst, 5);
}

TEST(ParamsZerocopyBurst, ZerocopyAndSkipRxCopyAreReadByValue) {
  EXPECT_TRUE(decode_ok(R"({"tcp":true,"zerocopy":1})").zerocopy);
  EXPECT_TRUE(decode_ok(R"({"tcp":true,"zerocopy":7})").zerocopy);
  EXPECT_FALSE(decode_ok(R"({"tcp":true,"zerocopy":0})").zerocopy) << "0 = off, as iperf3";
  EXPECT_FALSE(decode_ok(R"({"tcp":true})").zerocopy);
  EXPECT_TRUE(decode_ok(R"({"tcp":true,"skip_rx_copy":1})").skip_rx_copy);
  EXPECT_FALSE(decode_ok(R"({"tcp":true,"skip_rx_copy":0})").skip_rx_copy) << "0 = off, as iperf3";
  EXPECT_FALSE(decode_ok(R"({"tcp":true})").skip_rx_copy);
  EXPECT_TRUE(decode_ok(R"({"tcp":true,"ZeroCopy":1,"SKIP_RX_COPY":1})").zerocopy) << "case-insensitive keys";
}

TEST(ParamsZerocopyBurst, BurstIsCheckedByValidate) {
  EXPECT_EQ(decode_ok(R"({"udp":true,"len":1400,"burst":1000})").burst, 1000);
  EXPECT_TRUE(validate(decode_ok(R"({"udp":true,"len":1400,"burst":1000})")).empty());
  EXPECT_TRUE(validate(decode_ok(R"({"tcp":true,"burst":0})")).empty()) << "0 = no burst";
  for (std::string_view text : {R"({"tcp":true,"burst":1001})", R"({"tcp":true,"burst":5000})",
                                R"({"tcp":true,"burst":-1})", R"({"tcp":true,"burst":1e12})"}) {
    DecodedParams d = decode_params(text);
    ASSERT_TRUE(d.spec.has_value()) << text << ": " << d.error;
    auto errors = check_spec(*d.spec);
    ASSERT_EQ(errors.size(), 1u) << text;
    EXPECT_NE(errors[0].message.find("burst"), std::string::npos) << errors[0].message;
  }
  expect_rejected(R"({"tcp":true,"burst":"5"})");
  expect_rejected(R"({"tcp":true,"zerocopy":true})");
}

TEST(ParamsZerocopyBurst, RoundTrip) {
  TestSpec s;
  s.rate_bps = 5'000'000;
  s.burst = 32;
  s.zerocopy = s.skip_rx_copy = true;
  TestSpec back = decode_ok(encode_params(s));
  expect_same_spec(back, s);
  EXPECT_EQ(back.burst, 32);
  EXPECT_TRUE(back.zerocopy);
  EXPECT_TRUE(back.skip_rx_copy);
}

}  // namespace
}  // namespace nperf::protocol
