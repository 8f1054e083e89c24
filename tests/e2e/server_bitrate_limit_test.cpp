// --server-bitrate-limit RATE/SECS against Debian's iperf3 3.12 client: UDP
// arriving above the limit cannot be slowed by the server, so the test ends
// with iperf3's IETOTALRATE once the average over the last SECS seconds is
// above it (server_rate_guard.hpp); UDP below it runs to its end.
#include <chrono>

#include <gtest/gtest.h>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct LimitedRun {
  bool skipped = false;
  ProcessResult client, server;
  double client_seconds = 0;  // from the client's start to its exit
};

// A one-off nperf server with `limit`, an iperf3 client with `client_args`.
void run_limited(const std::string& limit, const std::vector<std::string>& client_args, LimitedRun* out) {
  std::string iperf3 = find_program("iperf3");
  if (iperf3.empty()) {
    if (running_in_ci()) FAIL() << "iperf3 is not installed, and CI must run the interop tests";
    out->skipped = true;
    GTEST_SKIP() << "iperf3 is not installed";
  }
  const std::string port = std::to_string(free_port());
  Process server({NPERF_BINARY, "-s", "-1", "-p", port, "--server-bitrate-limit", limit});
  ASSERT_TRUE(wait_for_listener(std::stoi(port), 5s));
  std::vector<std::string> argv = {iperf3, "-c", "127.0.0.1", "-p", port};
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  auto started = Clock::now();
  out->client = run_process(argv, 40s);
  out->client_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  out->server = server.wait(10s);
  ASSERT_FALSE(out->client.timed_out) << "the iperf3 client hung";
  ASSERT_FALSE(out->server.timed_out) << "the one-off server did not end";
}

// Unlimited UDP (-b 0; a rate above the limit is refused at admission) for
// up to 30 s against a 20 Mbit/s limit averaged over `window_s` seconds.
void expect_ended_after_the_window(int window_s) {
  LimitedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_limited("20M/" + std::to_string(window_s), {"-u", "-b", "0", "-l", "1400", "-t", "30"}, &r));
  if (r.skipped) return;
  const std::string both = r.client.out + r.client.err;
  EXPECT_EQ(r.client.exit_code, 1) << both;
  // iperf3 3.12's text for code 27, received in SERVER_ERROR.
  EXPECT_NE(both.find("total required bandwidth is larger than server limit"), std::string::npos) << both;
  // Not before a full window of traffic; long before the 30 s asked for (the
  // margin is start-up and a busy machine, not part of the rule).
  EXPECT_GE(r.client_seconds, window_s) << both;
  EXPECT_LT(r.client_seconds, window_s + 8.0) << both;
  // The server says why, with the window it averaged over.
  const std::string server = r.server.out + r.server.err;
  EXPECT_NE(server.find("over the last " + std::to_string(window_s) + " s"), std::string::npos) << server;
  EXPECT_NE(server.find("total required bandwidth is larger than server limit"), std::string::npos) << server;
}

TEST(ServerBitrateLimit, Iperf3UdpAboveTheLimitEndsAfterAOneSecondWindow) {
  expect_ended_after_the_window(1);
}

TEST(ServerBitrateLimit, Iperf3UdpAboveTheLimitEndsAfterAThreeSecondWindow) {
  expect_ended_after_the_window(3);
}

TEST(ServerBitrateLimit, Iperf3UdpBelowTheLimitRunsToItsEnd) {
  LimitedRun r;
  ASSERT_NO_FATAL_FAILURE(run_limited("20M/1", {"-u", "-b", "10M", "-l", "1400", "-t", "3"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(r.client.exit_code, 0) << r.client.out << r.client.err;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.out << r.server.err;
  EXPECT_EQ((r.server.out + r.server.err).find("larger than server limit"), std::string::npos)
      << r.server.err;
}

}  // namespace
}  // namespace nperf::test
