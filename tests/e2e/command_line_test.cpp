// End-to-end: command lines that lean on getopt_long's rules (issue #20) run
// against a live nperf server and mean to nperf what they mean to Debian's
// iperf3 3.12: the test parameters the server receives from an nperf client
// are the ones it receives from an iperf3 client given the same arguments.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kPort = "{port}";  // replaced by the server's port

struct Example {
  const char* name;
  std::vector<std::string> args;  // after the program
  const char* key;                // a parameter the spelling must set...
  json value;                     // ...to this
};

// The parameters JSON a one-off `nperf -s -d` server received from `program args`.
json parameters_received(const std::string& program, const std::vector<std::string>& args, int* client_exit) {
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-d", "-p", std::to_string(port)});
  EXPECT_TRUE(wait_for_listener(port, 5s)) << "server did not start listening";
  std::vector<std::string> argv = {program};
  for (const std::string& arg : args) {
    std::string a = arg;
    if (size_t at = a.find(kPort); at != std::string::npos)
      a.replace(at, std::string(kPort).size(), std::to_string(port));
    argv.push_back(a);
  }
  ProcessResult client = run_process(argv, 30s);
  ProcessResult served = server.wait(15s);
  EXPECT_FALSE(client.timed_out || served.timed_out);
  *client_exit = client.exit_code;
  const std::string marker = "debug: control < {";
  size_t at = served.err.find(marker);
  if (at == std::string::npos) {
    ADD_FAILURE() << program << ": no parameters reached the server\n" << client.err << served.err;
    return json();
  }
  size_t begin = at + marker.size() - 1, end = served.err.find('\n', begin);
  json params = json::parse(served.err.substr(begin, end - begin), nullptr, false);
  EXPECT_FALSE(params.is_discarded()) << served.err;
  params.erase("client_version");
  return params;
}

class GetoptSpelling : public testing::TestWithParam<Example> {};

TEST_P(GetoptSpelling, RunsAndMeansWhatItMeansToIperf3) {
  const Example& example = GetParam();
  int nperf_exit = -1;
  json nperf = parameters_received(NPERF_BINARY, example.args, &nperf_exit);
  EXPECT_EQ(nperf_exit, 0);
  EXPECT_EQ(nperf.value(example.key, json()), example.value) << nperf.dump();
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) {
    if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must compare against it";
    GTEST_SKIP() << "iperf3 is not installed; not compared";
  }
  int iperf3_exit = -1;
  json reference = parameters_received(iperf3, example.args, &iperf3_exit);
  ASSERT_EQ(iperf3_exit, 0) << "iperf3 3.12 refuses this command line";
  // 3.12 sends no "zerocopy" key for -Z; nperf does (iperf3 >= 3.16's key).
  if (!reference.contains("zerocopy")) nperf.erase("zerocopy");
  // nperf's own extension key (e.g. its TCP call size, issue #22): iperf3 ignores it.
  nperf.erase("nperf");
  EXPECT_EQ(nperf, reference) << "nperf: " << nperf.dump() << "\niperf3: " << reference.dump();
}

const Example kExamples[] = {
    {"AbbreviatedGetServerOutput",
     {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--get-server"},
     "get_server_output",
     1},
    {"AbbreviatedReverse", {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--rever"}, "reverse", true},
    {"AbbreviatedParallel", {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--para", "2"}, "parallel", 2},
    {"AbbreviatedZerocopy", {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--zero"}, "zerocopy", 1},
    {"AbbreviatedUdpCounters",
     {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "-u", "--udp-counters"},
     "udp_counters_64bit",
     1},
    {"RepeatedTime", {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--time=1"}, "time", 1},
    {"RepeatedTimeInABundle", {"-c", "127.0.0.1", "-p", kPort, "-t", "10", "-Vt1"}, "time", 1},
    // The first port and host are never tried: port 1 refuses, .invalid never resolves.
    {"RepeatedPort", {"-c", "127.0.0.1", "-p", "1", "-t", "1", std::string("--port=") + kPort}, "time", 1},
    {"RepeatedClientHost",
     {"-c", "no-such-host.invalid", "-p", kPort, "-t", "1", "-c", "127.0.0.1"},
     "time",
     1},
    {"BundleAndAttachedValues",
     {"-c", "127.0.0.1", "-p", kPort, "-t1", "-RVP2", "-b1G"},
     "bandwidth",
     1'000'000'000},
    // iperf3's aliases and its deprecated pacing switch (issue #19).
    {"BandwidthAlias",
     {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--bandwidth", "50M"},
     "bandwidth",
     50'000'000},
    {"LinuxCongestionAlias",
     {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--linux-congestion", "cubic"},
     "congestion",
     "cubic"},
    {"NoFqSocketPacing",
     {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--fq-rate", "100M", "--no-fq-socket-pacing"},
     "time",
     1},
    {"DscpTosName", {"-c", "127.0.0.1", "-p", kPort, "-t", "1", "--dscp", "lowdelay"}, "TOS", 16},
};

INSTANTIATE_TEST_SUITE_P(Iperf3CommandLines, GetoptSpelling, testing::ValuesIn(kExamples),
                         [](const testing::TestParamInfo<Example>& info) { return info.param.name; });

TEST(GetoptSpelling, AmbiguousPrefixIsExitTwoNamingTheCandidatesAsIperf3Says) {
  ProcessResult r = run_process({NPERF_BINARY, "--s"}, 10s);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("option '--s' is ambiguous; possibilities: '--server'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'--sctp'"), std::string::npos) << r.err;
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) return;
  ProcessResult reference = run_process({iperf3, "--s"}, 10s);
  EXPECT_NE(reference.exit_code, 0);
  EXPECT_NE(reference.err.find("option '--s' is ambiguous"), std::string::npos) << reference.err;
}

}  // namespace
}  // namespace nperf::test
