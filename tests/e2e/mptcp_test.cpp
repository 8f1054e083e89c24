// End-to-end, issue #19: -m (MPTCP, iperf3 >= 3.19). Debian's iperf3 3.12 has
// no -m, so the client runs against nperf's server and 3.12's (both ignore or
// record the "mptcp" key and accept with a plain TCP listener: the MPTCP
// connection falls back to TCP, as it would against any TCP server). What is
// checked is the client's side: `ss -M` lists its data connection as an MPTCP
// socket, the control connection stays TCP. A kernel without MPTCP is
// simulated in a network namespace of the test's own (net.mptcp.enabled = 0).
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

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

void run_mptcp_client(const std::string& server_bin, std::vector<std::string> server_args, size_t* mptcp_seen,
                      ProcessResult* client_out, ProcessResult* server_out) {
  int port = free_port();
  std::vector<std::string> argv = {server_bin, "-s", "-1", "-p", std::to_string(port)};
  argv.insert(argv.end(), server_args.begin(), server_args.end());
  Process server(argv);
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process client({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-m", "-t", "2", "-P", "2"});
  *mptcp_seen = watch_mptcp_sockets(port, client, 4s);
  *client_out = client.wait(20s);
  *server_out = server.wait(10s);
}

TEST(Mptcp, NperfClientOpensMptcpDataConnectionsToNperf) {
  if (find_program("ss").empty()) GTEST_SKIP() << "needs ss (iproute2)";
  size_t seen = 0;
  ProcessResult c, s;
  ASSERT_NO_FATAL_FAILURE(run_mptcp_client(NPERF_BINARY, {"-d"}, &seen, &c, &s));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(seen, 2u) << "two MPTCP data connections (-P 2), the control connection plain TCP";
  EXPECT_NE(s.err.find("\"mptcp\":true"), std::string::npos) << "the parameters carry iperf3's key";
}

TEST(Mptcp, NperfClientWithMptcpTestsAgainstIperf3) {
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  if (find_program("ss").empty()) GTEST_SKIP() << "needs ss (iproute2)";
  size_t seen = 0;
  ProcessResult c, s;
  ASSERT_NO_FATAL_FAILURE(run_mptcp_client(iperf3, {}, &seen, &c, &s));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(seen, 2u);
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
}

TEST(Mptcp, UdpAndServerUsesAreParameterErrors) {
  ProcessResult udp = run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "9", "-u", "-m"}, 10s);
  EXPECT_EQ(udp.exit_code, 2);
  EXPECT_NE(udp.err.find("-m works with TCP only"), std::string::npos) << udp.err;
  ProcessResult server = run_process({NPERF_BINARY, "-s", "-m"}, 10s);
  EXPECT_EQ(server.exit_code, 2);
  EXPECT_NE(server.err.find("-m on a server"), std::string::npos) << server.err;
}

}  // namespace
}  // namespace nperf::test
