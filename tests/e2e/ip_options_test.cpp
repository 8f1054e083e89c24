// End-to-end: -S/--dscp (the TOS byte of the data sockets) and --fq-rate
// (SO_MAX_PACING_RATE), nperf against Debian's iperf3 in both directions. The
// TOS is read back from the kernel with `ss --tos` while the test runs; the
// pacing rate shows in the rate the receiver measured.
#include <gtest/gtest.h>

#include <unistd.h>

#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// One TCP endpoint as `ss -tnH --tos` shows it.
struct Endpoint {
  int local_port = 0;
  std::string tos, tclass;  // "0x28", "0" or "" when ss printed none
};

int port_of(const std::string& address) {
  return std::stoi(address.substr(address.rfind(':') + 1));
}

std::vector<Endpoint> established_on(int port) {
  std::string ss = find_program("ss");
  if (ss.empty()) return {};
  std::string filter = "( sport = :" + std::to_string(port) + " or dport = :" + std::to_string(port) + " )";
  ProcessResult r = run_process({ss, "-tnH", "--tos", "state", "established", filter}, 10s);
  std::vector<Endpoint> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.size() < 4) continue;
    Endpoint e;
    e.local_port = port_of(w[2]);  // Recv-Q Send-Q Local Peer ...
    for (const auto& word : w) {
      if (word.rfind("tos:", 0) == 0) e.tos = word.substr(4);
      if (word.rfind("tclass:", 0) == 0) e.tclass = word.substr(7);
    }
    out.push_back(e);
  }
  return out;
}

// The tools' two ends, seen while a 3-second test runs: polled until both
// connections (control and data) show on both ends, for up to 2.5 s.
struct Seen {
  std::vector<Endpoint> client_side, server_side;
};

Seen watch(int port) {
  auto deadline = std::chrono::steady_clock::now() + 2500ms;
  Seen seen;
  do {
    std::this_thread::sleep_for(200ms);
    seen = {};
    for (const Endpoint& e : established_on(port))
      (e.local_port == port ? seen.server_side : seen.client_side).push_back(e);
  } while ((seen.client_side.size() < 2 || seen.server_side.size() < 2) &&
           std::chrono::steady_clock::now() < deadline);
  return seen;
}

size_t marked(const std::vector<Endpoint>& endpoints, const std::string& value, bool tclass) {
  size_t n = 0;
  for (const auto& e : endpoints) n += (tclass ? e.tclass : e.tos) == value ? 1 : 0;
  return n;
}

std::string require_tools() {
  std::string iperf3 = find_program("iperf3");
  if ((iperf3.empty() || find_program("ss").empty()) && running_in_ci())
    ADD_FAILURE() << "iperf3 and ss (iproute2) must be installed in CI";
  return find_program("ss").empty() ? "" : iperf3;
}

TEST(Tos, NperfClientMarksItsDataSocketAndIperf3ServerMarksItsOwn) {
  std::string iperf3 = require_tools();
  if (iperf3.empty()) GTEST_SKIP() << "needs iperf3 and ss (apt-get install iperf3 iproute2)";
  int port = free_port();
  Process server({iperf3, "-s", "-1", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process client({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "3", "-S", "0x28"});
  Seen seen = watch(port);
  ProcessResult c = client.wait(20s);
  server.wait(10s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(seen.client_side.size(), 2u) << "control and one data connection";
  EXPECT_EQ(marked(seen.client_side, "0x28", false), 1u)
      << "the data socket only, not the control connection";
  // iperf3 applies the "TOS" it received to its (dual-stack IPv6) data socket as the traffic class.
  EXPECT_EQ(marked(seen.server_side, "0x28", true), 1u);
}

TEST(Tos, Iperf3ClientsDscpIsAppliedByTheNperfServerThatSends) {
  std::string iperf3 = require_tools();
  if (iperf3.empty()) GTEST_SKIP() << "needs iperf3 and ss (apt-get install iperf3 iproute2)";
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process client({iperf3, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "3", "-R", "--dscp", "af11"});
  Seen seen = watch(port);
  ProcessResult c = client.wait(20s);
  ProcessResult s = server.wait(10s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(s.exit_code, 0) << s.err;
  ASSERT_EQ(seen.server_side.size(), 2u);
  // af11 = DSCP 10 = TOS 0x28. nperf's dual-stack socket carries it both as the
  // traffic class and as the IPv4 TOS (its peer is IPv4-mapped).
  EXPECT_EQ(marked(seen.server_side, "0x28", true), 1u);
  EXPECT_EQ(marked(seen.server_side, "0x28", false), 1u);
}

TEST(Tos, BadValuesAreABadCommandLine) {
  for (std::vector<std::string> args : {std::vector<std::string>{"-S", "256"},
                                        {"-S", "0x1zz"},
                                        {"--dscp", "64"},
                                        {"--dscp", "af44"},
                                        {"-S", "8", "--dscp", "ef"}}) {
    std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessResult r = run_process(argv, 10s);
    EXPECT_EQ(r.exit_code, 2) << args[1];
    EXPECT_NE(r.err.find("parameter error"), std::string::npos) << r.err;
  }
}

// The client's figure for what was received (the receiver's own count).
double received_bps(const PairResult& r) {
  return r.client["end"]["sum_received"].value("bits_per_second", -1.0);
}

TEST(FqRate, NperfClientPacesItsOwnSendingAgainstIperf3) {
  // Forward: iperf3 3.12's server does not apply "fqrate" to the sockets it
  // sends on (iperf3 -c -R --fq-rate 300M against it runs unpaced), so the
  // client's own sending socket is what is checked here.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kIperf3, {"-t", "2", "--fq-rate", "300M"}, &r));
  if (r.skipped) return;
  // The ceiling is what pacing proves (unpaced, loopback runs at 20+ Gbit/s);
  // the floor is loose: a loaded machine may fall short of the rate.
  EXPECT_LE(received_bps(r), 330e6) << r.client.dump();  // iperf3's count, from its results
  EXPECT_GE(received_bps(r), 200e6) << r.client.dump();
}

TEST(FqRate, NperfServerPacesWhatTheIperf3ClientAsks) {
  // Where iperf3 3.12's own server does not (above): nperf applies the key to every data socket.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kIperf3, Peer::kNperf, {"-t", "2", "-R", "--fq-rate", "300M"}, &r));
  if (r.skipped) return;
  EXPECT_LE(received_bps(r), 330e6) << r.client.dump();
  EXPECT_GE(received_bps(r), 200e6) << r.client.dump();
}

// ---- --bind-dev, HOST%DEV ---------------------------------------------------------

// ss prints a socket bound to a device as ADDRESS%DEV:PORT.
std::vector<std::string> ss_local_addresses(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {find_program("ss"), "-tnH"};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessResult r = run_process(argv, 10s);
  std::vector<std::string> out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.size() >= 4) out.push_back(w[w.size() == 4 ? 2 : 3]);  // LISTEN lines carry a State column
  }
  return out;
}

TEST(BindDevice, ServerListensAndClientConnectsOnTheNamedDevice) {
  if (find_program("ss").empty()) {
    if (running_in_ci()) FAIL() << "ss (iproute2) must be installed in CI";
    GTEST_SKIP() << "needs ss (apt-get install iproute2)";
  }
  int port = free_port();
  const std::string p = std::to_string(port);
  if (::geteuid() != 0) {  // before Linux 5.7 only CAP_NET_RAW may bind to a device
    ProcessResult probe =
        run_process({NPERF_BINARY, "-s", "-1", "-p", p, "--bind-dev", "lo", "--idle-timeout", "1"}, 10s);
    if (probe.err.find("Operation not permitted") != std::string::npos)
      GTEST_SKIP() << "this kernel lets only CAP_NET_RAW bind to a device: " << probe.err;
  }
  Process server({NPERF_BINARY, "-s", "-1", "-p", p, "--bind-dev", "lo"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  auto listening = ss_local_addresses({"-l", "( sport = :" + p + " )"});
  ASSERT_EQ(listening.size(), 1u);
  EXPECT_NE(listening[0].find("%lo:" + p), std::string::npos) << listening[0];
  // The client names the device the iperf3 way, after the host.
  Process client({NPERF_BINARY, "-c", "127.0.0.1%lo", "-p", p, "-t", "2"});
  std::vector<std::string> connected;
  for (auto deadline = std::chrono::steady_clock::now() + 1500ms;
       connected.size() < 4 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(200ms);
    connected = ss_local_addresses({"state", "established", "( sport = :" + p + " or dport = :" + p + " )"});
  }
  ProcessResult c = client.wait(20s);
  server.wait(10s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  ASSERT_EQ(connected.size(), 4u) << "control and data, both ends";
  for (const auto& local : connected) EXPECT_NE(local.find("%lo:"), std::string::npos) << local;
}

TEST(BindDevice, UnknownDeviceIsAClearErrorOnBothEnds) {
  ProcessResult server = run_process(
      {NPERF_BINARY, "-s", "-1", "-p", std::to_string(free_port()), "--bind-dev", "nosuchdev0"}, 10s);
  EXPECT_EQ(server.exit_code, 1);
  EXPECT_NE(server.err.find("unable to bind to device 'nosuchdev0': No such device"), std::string::npos)
      << server.err;
  ProcessResult client =
      run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "1", "-B", "127.0.0.1%nosuchdev0"}, 10s);
  EXPECT_EQ(client.exit_code, 1);
  EXPECT_NE(client.err.find("unable to bind to device 'nosuchdev0'"), std::string::npos) << client.err;
  ProcessResult both = run_process({NPERF_BINARY, "-c", "127.0.0.1%lo", "--bind-dev", "eth0"}, 10s);
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("two devices"), std::string::npos) << both.err;
}

TEST(ExtraData, BothEndsPrintItInTheirJson) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kNperf, Peer::kIperf3, {"-n", "1M", "--extra-data", "rack=3, row 7"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(r.client.value("extra_data", ""), "rack=3, row 7");
  EXPECT_EQ(r.server.value("extra_data", ""), "rack=3, row 7") << "iperf3 received it in the parameters";
  // And the other way round: nperf's server prints what an iperf3 client sends.
  PairResult back;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kIperf3, Peer::kNperf, {"-n", "1M", "--extra-data", "from iperf3"}, &back));
  EXPECT_EQ(back.server.value("extra_data", ""), "from iperf3");
}

}  // namespace
}  // namespace nperf::test
