// End-to-end interop: nperf against Debian's iperf3 in both directions, and
// nperf against itself, over loopback. Each case checks exit codes, that both
// ends print valid -J documents, and that what one end sent is what the other
// end received (each side's own measurement, within 2%).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

enum class Pairing { kNperfToIperf3, kIperf3ToNperf, kNperfToNperf };

struct Scenario {
  const char* name;
  std::vector<std::string> args;
};

const Scenario kScenarios[] = {
    {"OneStream", {"-t", "3"}},
    {"Parallel4", {"-t", "3", "-P", "4"}},
    {"Reverse", {"-t", "3", "-R"}},
    {"ReverseParallel3", {"-t", "3", "-R", "-P", "3"}},
    {"Bidir", {"-t", "3", "--bidir"}},
    {"Bytes200M", {"-n", "200M"}},
    {"Window256KLength64K", {"-t", "3", "-w", "256K", "-l", "64K"}},
    {"Omit1", {"-t", "3", "-O", "1"}},
};

void PrintTo(const Scenario& s, std::ostream* os) { *os << s.name; }

// Bytes this host itself measured, split by direction.
struct Measured {
  uint64_t sent = 0, received = 0;
};

Measured own_measurements(const json& doc) {
  Measured m;
  for (const auto& stream : doc.at("end").at("streams")) {
    bool this_host_sends = stream.at("sender").at("sender").get<bool>();
    if (this_host_sends)
      m.sent += stream.at("sender").at("bytes").get<uint64_t>();
    else
      m.received += stream.at("receiver").at("bytes").get<uint64_t>();
  }
  return m;
}

json parse_document(const ProcessResult& r, const char* who) {
  json doc = json::parse(r.out, nullptr, false);
  EXPECT_FALSE(doc.is_discarded()) << who << " printed no valid JSON:\n" << r.out << "\nstderr:\n" << r.err;
  if (doc.is_discarded()) return json::object();
  EXPECT_FALSE(doc.contains("error")) << who << " reported: " << doc.value("error", "");
  return doc;
}

void expect_close(uint64_t a, uint64_t b, const std::string& what) {
  ASSERT_GT(a, 0u) << what;
  double ratio = static_cast<double>(a) / static_cast<double>(std::max<uint64_t>(b, 1));
  EXPECT_NEAR(ratio, 1.0, 0.02) << what << ": " << a << " vs " << b;
}

std::string case_name(const ::testing::TestParamInfo<std::tuple<Pairing, Scenario>>& info) {
  const char* pairing[] = {"NperfToIperf3", "Iperf3ToNperf", "NperfToNperf"};
  return std::string(pairing[static_cast<int>(std::get<0>(info.param))]) + "_" + std::get<1>(info.param).name;
}

class Interop : public ::testing::TestWithParam<std::tuple<Pairing, Scenario>> {};

// Starts a one-off -J server, runs a -J client against it (either may be
// iperf3), and checks what every case checks: no hang, exit codes 0, a valid
// document from each end with the stream count asked for.
struct PairRun {
  bool skipped = false;
  json client_doc, server_doc;
};

void run_pair(Pairing pairing, const Scenario& scenario, PairRun* out) {
  std::string iperf3 = find_program("iperf3");
  if (pairing != Pairing::kNperfToNperf && iperf3.empty()) {
    if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
    out->skipped = true;
    GTEST_SKIP() << "iperf3 is not installed (apt-get install iperf3); interop not tested";
  }
  const std::string server_bin = pairing == Pairing::kNperfToIperf3 ? iperf3 : NPERF_BINARY;
  const std::string client_bin = pairing == Pairing::kIperf3ToNperf ? iperf3 : NPERF_BINARY;
  int port = free_port();
  Process server({server_bin, "-s", "-1", "-J", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s)) << "server did not start listening";
  std::vector<std::string> client_args = {client_bin, "-c", "127.0.0.1", "-p", std::to_string(port), "-J"};
  client_args.insert(client_args.end(), scenario.args.begin(), scenario.args.end());
  ProcessResult client = run_process(client_args, 30s);
  ProcessResult srv = server.wait(15s);
  ASSERT_FALSE(client.timed_out) << "client hung";
  ASSERT_FALSE(srv.timed_out) << "server did not finish its one-off test";
  EXPECT_EQ(client.exit_code, 0) << client.err;
  EXPECT_EQ(srv.exit_code, 0) << srv.err;
  out->client_doc = parse_document(client, "client");
  out->server_doc = parse_document(srv, "server");
  ASSERT_TRUE(out->client_doc.contains("end") && out->server_doc.contains("end"));
  size_t streams = 1;
  for (size_t i = 0; i + 1 < scenario.args.size(); ++i)
    if (scenario.args[i] == "-P") streams = std::stoul(scenario.args[i + 1]);
  for (const auto& a : scenario.args)
    if (a == "--bidir") streams *= 2;
  EXPECT_EQ(out->client_doc["end"]["streams"].size(), streams);
  EXPECT_EQ(out->server_doc["end"]["streams"].size(), streams);
}

TEST_P(Interop, BothEndsAgree) {
  auto [pairing, scenario] = GetParam();
  PairRun run;
  ASSERT_NO_FATAL_FAILURE(run_pair(pairing, scenario, &run));
  if (run.skipped) return;
  const json& cdoc = run.client_doc;
  const json& sdoc = run.server_doc;
  Measured c = own_measurements(cdoc);
  Measured s = own_measurements(sdoc);
  bool forward = std::string(scenario.name).rfind("Reverse", 0) != 0;
  bool reverse = !forward || std::string(scenario.name) == "Bidir";
  if (forward) expect_close(c.sent, s.received, "client sent vs server received");
  if (reverse) expect_close(s.sent, c.received, "server sent vs client received");
  if (std::string(scenario.name) == "Bytes200M") {
    EXPECT_GE(c.sent, 200ull << 20) << "-n not reached";
    EXPECT_LE(c.sent, (200ull << 20) + (1ull << 20)) << "-n overshot by more than 1 MiB";
  }
}

const Scenario kUdpScenarios[] = {
    {"Udp500M", {"-u", "-b", "500M", "-l", "1400", "-t", "3"}},
    {"UdpParallel2", {"-u", "-b", "300M", "-l", "1400", "-t", "3", "-P", "2"}},
    {"UdpReverse", {"-u", "-b", "500M", "-l", "1400", "-t", "3", "-R"}},
    {"UdpBidir", {"-u", "-b", "200M", "-l", "1400", "-t", "3", "--bidir"}},
    {"UdpCounters64bit", {"-u", "-b", "500M", "-l", "1400", "-t", "3", "--udp-counters-64bit"}},
    {"UdpRepeatingPayloadDontFragment",
     {"-u", "-b", "200M", "-l", "1400", "-t", "3", "--repeating-payload", "--dont-fragment"}},
};

class UdpInterop : public ::testing::TestWithParam<std::tuple<Pairing, Scenario>> {};


// UDP: exit codes, valid JSON on both ends, loss under 5% and jitter present
// on each receiving side, and (one direction) sent bytes matching received.
TEST_P(UdpInterop, BothEndsAgree) {
  auto [pairing, scenario] = GetParam();
  PairRun run;
  ASSERT_NO_FATAL_FAILURE(run_pair(pairing, scenario, &run));
  if (run.skipped) return;
  const json& cdoc = run.client_doc;
  const json& sdoc = run.server_doc;
  const std::string name = scenario.name;
  bool reverse = name == "UdpReverse", bidir = name == "UdpBidir";
  // The receiving side's own view of the client->server (or, in -R, server->client) traffic.
  const json& receiver_view = reverse ? cdoc : sdoc;
  ASSERT_TRUE(receiver_view["end"].contains("sum_received")) << receiver_view["end"].dump();
  const json& received = receiver_view["end"]["sum_received"];
  EXPECT_TRUE(received.contains("jitter_ms") && received["jitter_ms"].is_number()) << received.dump();
  EXPECT_LT(received.value("lost_percent", 100.0), 5.0) << received.dump();
  if (!bidir) {
    const json& sender_view = reverse ? sdoc : cdoc;
    expect_close(sender_view["end"]["sum_sent"]["bytes"].get<uint64_t>(), received["bytes"].get<uint64_t>(),
                 "sent vs received bytes");
  }
}

INSTANTIATE_TEST_SUITE_P(AllPairings, UdpInterop,
                         ::testing::Combine(::testing::Values(Pairing::kNperfToIperf3, Pairing::kIperf3ToNperf,
                                                              Pairing::kNperfToNperf),
                                            ::testing::ValuesIn(kUdpScenarios)),
                         case_name);


INSTANTIATE_TEST_SUITE_P(AllPairings, Interop,
                         ::testing::Combine(::testing::Values(Pairing::kNperfToIperf3, Pairing::kIperf3ToNperf,
                                                              Pairing::kNperfToNperf),
                                            ::testing::ValuesIn(kScenarios)),
                         case_name);

}  // namespace
}  // namespace nperf::test
