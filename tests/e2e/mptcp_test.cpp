// End-to-end, issue #19: -m (MPTCP, iperf3 >= 3.19). Debian's iperf3 3.12 has
// no -m, so MPTCP itself is tested nperf to nperf: a server started with -m
// listens with IPPROTO_MPTCP and the kernel counts the MP_CAPABLE SYNs it
// took (MPTcpExtMPCapableSYNRX in /proc/net/netstat), independent of what
// nperf reports. Against a plain listener (iperf3 3.12, nperf without -m) the
// client's MPTCP sockets fall back to TCP, and both nperf ends say so. An
// iperf3 3.12 client still tests against an nperf -m server (plain TCP
// accepted, both directions). A kernel without MPTCP is simulated in a
// network namespace of the test's own (net.mptcp.enabled = 0).
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

// MPTCP sockets (`ss -HnM`) whose peer is `port` on loopback, counted while
// the client runs (at most `limit`).
size_t watch_mptcp_sockets(int port, Process& client, std::chrono::milliseconds limit) {
  const std::string ss = find_program("ss");
  size_t most = 0;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    ProcessResult r = run_process({ss, "-HnM"}, 5s);
    std::istringstream lines(r.out);
    size_t count = 0;
    for (std::string line; std::getline(lines, line);)
      if (line.find("127.0.0.1:" + std::to_string(port) + " ") != std::string::npos ||
          line.ends_with("127.0.0.1:" + std::to_string(port)))
        ++count;
    most = std::max(most, count);
    if (most >= 2) break;  // the two data connections of -P 2
    std::this_thread::sleep_for(100ms);
  }
  (void)client;
  return most;
}

// A counter of the kernel's MPTCP statistics in this network namespace
// (MPCapableSYNRX: MP_CAPABLE SYNs an MPTCP listener took;
// MPCapableFallbackSYNACK: connections whose SYN-ACK came back without
// MP_CAPABLE, so the client fell back); -1 where it does not exist. The
// namespace is shared by everything in it, so only rises are asserted.
int64_t mptcp_counter(const std::string& wanted) {
  std::ifstream in("/proc/net/netstat");
  std::string names, values;
  while (std::getline(in, names) && std::getline(in, values)) {
    if (!names.starts_with("MPTcpExt:")) continue;
    std::istringstream n(names), v(values);
    std::string name, value;
    while (n >> name && v >> value)
      if (name == wanted) return std::stoll(value);
  }
  return -1;
}

struct MptcpRun {
  size_t mptcp_sockets = 0;  // most `ss -M` saw at once
  int64_t syns_taken = -1;   // MPCapableSYNRX's rise over the run
  int64_t fell_back = -1;    // MPCapableFallbackSYNACK's
  ProcessResult client, server;
};

void run_mptcp_client(const std::string& server_bin, std::vector<std::string> server_args, MptcpRun* run) {
  int port = free_port();
  std::vector<std::string> argv = {server_bin, "-s", "-1", "-p", std::to_string(port)};
  argv.insert(argv.end(), server_args.begin(), server_args.end());
  const int64_t syns_before = mptcp_counter("MPCapableSYNRX");
  const int64_t fallbacks_before = mptcp_counter("MPCapableFallbackSYNACK");
  Process server(argv);
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process client({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-m", "-t", "2", "-P", "2"});
  run->mptcp_sockets = watch_mptcp_sockets(port, client, 4s);
  run->client = client.wait(20s);
  run->server = server.wait(10s);
  const int64_t syns_after = mptcp_counter("MPCapableSYNRX");
  const int64_t fallbacks_after = mptcp_counter("MPCapableFallbackSYNACK");
  if (syns_before >= 0 && syns_after >= 0) run->syns_taken = syns_after - syns_before;
  if (fallbacks_before >= 0 && fallbacks_after >= 0) run->fell_back = fallbacks_after - fallbacks_before;
}

constexpr const char* kFellBack = "data connections fell back to plain TCP";

// nperf can tell a fallback only where the kernel answers TCP_IS_MPTCP (>= 5.16).
bool kernel_tells_fallback() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int value = 0;
  socklen_t length = sizeof value;
  const bool answers = fd >= 0 && ::getsockopt(fd, IPPROTO_TCP, 43, &value, &length) == 0;
  if (fd >= 0) ::close(fd);
  return answers;
}

TEST(Mptcp, NperfServerWithMAcceptsTheClientsMptcpConnections) {
  if (find_program("ss").empty()) GTEST_SKIP() << "needs ss (iproute2)";
  MptcpRun r;
  ASSERT_NO_FATAL_FAILURE(run_mptcp_client(NPERF_BINARY, {"-m"}, &r));
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  EXPECT_GE(r.mptcp_sockets, 2u);
  // The kernel's own count: the listener took the two data connections' MP_CAPABLE SYNs.
  if (r.syns_taken >= 0) {
    EXPECT_GE(r.syns_taken, 2) << "MPTcpExt MPCapableSYNRX did not rise by 2";
  }
  EXPECT_EQ(r.client.err.find(kFellBack), std::string::npos) << r.client.err;
  EXPECT_EQ(r.server.err.find("asked for MPTCP"), std::string::npos) << r.server.err;
}

TEST(Mptcp, APlainNperfServerMakesBothEndsSayTheConnectionsFellBack) {
  if (find_program("ss").empty()) GTEST_SKIP() << "needs ss (iproute2)";
  MptcpRun r;
  ASSERT_NO_FATAL_FAILURE(run_mptcp_client(NPERF_BINARY, {"-d"}, &r));
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  EXPECT_EQ(r.mptcp_sockets, 2u) << "two MPTCP data sockets (-P 2), the control connection plain TCP";
  if (r.fell_back >= 0) {
    EXPECT_GE(r.fell_back, 2) << "the kernel did not count the two data connections' fallback";
  }
  EXPECT_NE(r.server.err.find("\"mptcp\":true"), std::string::npos) << "the parameters carry iperf3's key";
  ASSERT_TRUE(kernel_tells_fallback()) << "this kernel has no TCP_IS_MPTCP (Linux < 5.16): nperf cannot warn";
  EXPECT_NE(r.client.err.find(std::string("-m: 2 of 2 ") + kFellBack), std::string::npos) << r.client.err;
  EXPECT_NE(r.server.err.find("this server listens with plain TCP"), std::string::npos) << r.server.err;
}

TEST(Mptcp, NperfClientWithMptcpTestsAgainstIperf3) {
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) {
    if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
    GTEST_SKIP() << "iperf3 is not installed";
  }
  if (find_program("ss").empty()) GTEST_SKIP() << "needs ss (iproute2)";
  MptcpRun r;
  ASSERT_NO_FATAL_FAILURE(run_mptcp_client(iperf3, {}, &r));
  ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
  EXPECT_EQ(r.mptcp_sockets, 2u);
  EXPECT_NE(r.client.err.find(kFellBack), std::string::npos) << r.client.err;
}

// An MPTCP listener takes plain TCP clients too: iperf3 3.12 tests against
// an nperf -m server both ways.
TEST(Mptcp, Iperf3ClientsTestAgainstAnMptcpServerBothWays) {
  for (bool reverse : {false, true}) {
    RawPair r;
    std::vector<std::string> args = {"-J", "-t", "1"};
    if (reverse) args.push_back("-R");
    ASSERT_NO_FATAL_FAILURE(run_raw_pair(Peer::kIperf3, Peer::kNperf, args, {"-m"}, &r));
    if (r.skipped) return;
    ASSERT_EQ(r.client.exit_code, 0) << r.client.err;
    EXPECT_EQ(r.server.exit_code, 0) << r.server.err;
    auto doc = nlohmann::json::parse(r.client.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.client.out;
    EXPECT_GT(reverse ? received_bytes(doc) : sent_bytes(doc), 0u) << r.client.out;
  }
}

TEST(Mptcp, AKernelWithoutMptcpIsAClearError) {
  std::string unshare = find_program("unshare");
  if (unshare.empty()) GTEST_SKIP() << "needs unshare (util-linux)";
  // A namespace of this test's own: the machine's MPTCP setting is untouched.
  ProcessResult r =
      run_process({unshare, "-n", "sh", "-c",
                   "sysctl -qw net.mptcp.enabled=0 || exit 77; exec \"$0\" -c 127.0.0.1 -m", NPERF_BINARY},
                  10s);
  if (r.exit_code == 77 || r.err.find("unshare failed") != std::string::npos)
    GTEST_SKIP() << "cannot make a network namespace with MPTCP off here (root needed): " << r.err;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("-m: this kernel refuses MPTCP sockets"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("sysctl net.mptcp.enabled = 0"), std::string::npos) << r.err;
  // The server's -m asks the same of the kernel, before it listens.
  ProcessResult s =
      run_process({unshare, "-n", "sh", "-c", "sysctl -qw net.mptcp.enabled=0 || exit 77; exec \"$0\" -s -m",
                   NPERF_BINARY},
                  10s);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("-m: this kernel refuses MPTCP sockets"), std::string::npos) << s.err;
}

TEST(Mptcp, UdpIsAParameterError) {
  ProcessResult udp = run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "9", "-u", "-m"}, 10s);
  EXPECT_EQ(udp.exit_code, 2);
  EXPECT_NE(udp.err.find("-m works with TCP only"), std::string::npos) << udp.err;
}

}  // namespace
}  // namespace nperf::test
