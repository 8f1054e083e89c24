// --server-bitrate-limit RATE/SECS: the sliding-window average (made-up
// times and counters), the share of the limit a server watches, and the
// command line's /SECS.
#include <gtest/gtest.h>

#include "nperf/cli/options.hpp"
#include "nperf/session/bitrate_window.hpp"
#include "nperf/session/server_rate_guard.hpp"

namespace nperf::session {
namespace {

constexpr uint64_t kMbit = 1'000'000;

// Bytes for `bps` over `seconds`.
uint64_t bytes(double bps, double seconds) {
  return static_cast<uint64_t>(bps * seconds / 8);
}

TEST(BitrateWindow, NothingIsJudgedBeforeAFullWindow) {
  BitrateWindow w(10 * kMbit, 2.0, 0.0);
  // Ten times the limit, but only 1.9 s of it.
  for (int i = 1; i <= 19; ++i) EXPECT_FALSE(w.exceeded(i * 0.1, bytes(100 * kMbit, i * 0.1))) << i;
  EXPECT_TRUE(w.exceeded(2.0, bytes(100 * kMbit, 2.0)));
  EXPECT_NEAR(w.average_bps(), 100e6, 1e3);
}

TEST(BitrateWindow, AverageOverTheLastWindowOnly) {
  // 3 s at 50 Mbit/s, then 3 s at 20 Mbit/s, against 30 Mbit/s: a 2 s
  // window says "above" at first and "below" once the fast part has left it.
  BitrateWindow w(30 * kMbit, 2.0, 0.0);
  uint64_t total = 0;
  bool above_at_3s = false;
  double t = 0;
  for (; t < 2.95; t += 0.1) {
    total += bytes(50 * kMbit, 0.1);
    above_at_3s = w.exceeded(t + 0.1, total);
  }
  EXPECT_TRUE(above_at_3s);
  bool above = true;
  for (; t < 5.95; t += 0.1) {
    total += bytes(20 * kMbit, 0.1);
    above = w.exceeded(t + 0.1, total);
  }
  EXPECT_FALSE(above) << w.average_bps();
  EXPECT_NEAR(w.average_bps(), 20e6, 1.5e6);
}

TEST(BitrateWindow, ExactlyTheLimitIsNotAbove) {
  BitrateWindow w(8 * kMbit, 1.0, 0.0);
  for (int i = 1; i <= 30; ++i) EXPECT_FALSE(w.exceeded(i * 0.1, i * 100'000ull)) << i;  // 8 Mbit/s
  EXPECT_DOUBLE_EQ(w.average_bps(), 8e6);
}

TEST(BitrateWindow, ALateReadingDividesByTheLongerSpan) {
  // Readings stop for 3 s (the server's loop was late): the bytes of those
  // 3 s are divided by the 3 s, not by the 1 s window.
  BitrateWindow w(10 * kMbit, 1.0, 0.0);
  EXPECT_FALSE(w.exceeded(0.5, bytes(9 * kMbit, 0.5)));
  EXPECT_FALSE(w.exceeded(3.5, bytes(9 * kMbit, 3.5)));
  EXPECT_NEAR(w.average_bps(), 9e6, 1e3);
}

TEST(BitrateWindow, ABurstShorterThanTheWindowIsAveragedAway) {
  // 0.2 s at 40 Mbit/s inside otherwise idle seconds: 8 Mbit/s over 1 s.
  BitrateWindow w(10 * kMbit, 1.0, 0.0);
  uint64_t total = 0;
  bool above = false;
  for (int i = 1; i <= 30; ++i) {
    if (i == 15 || i == 16) total += bytes(40 * kMbit, 0.1);
    above = above || w.exceeded(i * 0.1, total);
  }
  EXPECT_FALSE(above);
}

TEST(BitrateWindow, ACounterThatWentBackStartsAgain) {
  BitrateWindow w(10 * kMbit, 1.0, 0.0, 5'000'000);
  EXPECT_FALSE(w.exceeded(0.5, 10));  // restarted: not a huge negative (or wrapped) rate
  EXPECT_FALSE(w.exceeded(1.0, 20));
  EXPECT_FALSE(w.exceeded(1.6, 30));
  EXPECT_LT(w.average_bps(), 1000);
}

Config server_with_limit(const std::string& limit) {
  std::vector<std::string> args = {"nperf", "-s", "--server-bitrate-limit", limit};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Config config;
  testing::internal::CaptureStderr();
  cli::ParseOutcome outcome = cli::parse_command_line(static_cast<int>(args.size()), argv.data(), &config);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(outcome.run) << limit << ": " << err;
  return config;
}

TEST(ServerBitrateLimit, TheWindowIsParsedAndDefaultsToIperf3sFiveSeconds) {
  EXPECT_EQ(server_with_limit("50M").server_bitrate_limit, 50 * kMbit);
  EXPECT_EQ(server_with_limit("50M").server_bitrate_window_s, 5.0);
  Config two = server_with_limit("50M/2");
  EXPECT_EQ(two.server_bitrate_limit, 50 * kMbit);
  EXPECT_EQ(two.server_bitrate_window_s, 2.0);
  EXPECT_EQ(bitrate_window_seconds(two), 2.0);
  EXPECT_EQ(server_with_limit("1G/0.5").server_bitrate_window_s, 0.5);
  // 0, as iperf3: each report interval alone.
  Config zero = server_with_limit("1G/0");
  zero.interval_s = 2;
  EXPECT_EQ(bitrate_window_seconds(zero), 2.0);
  zero.interval_s = 0;
  EXPECT_EQ(bitrate_window_seconds(zero), 1.0);
}

TEST(ServerBitrateLimit, ABadWindowIsABadCommandLine) {
  for (std::string bad : {"50M/", "50M/x", "50M/0.05", "50M/61", "50M/-1", "50M/2s", "50M/2/3"}) {
    std::vector<std::string> args = {"nperf", "-s", "--server-bitrate-limit", bad};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    Config config;
    testing::internal::CaptureStderr();
    cli::ParseOutcome outcome = cli::parse_command_line(static_cast<int>(args.size()), argv.data(), &config);
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_FALSE(outcome.run) << bad;
    EXPECT_EQ(outcome.exit_code, 2) << bad;
    EXPECT_NE(err.find("averaging interval"), std::string::npos) << bad << ": " << err;
  }
}

TEST(ServerBitrateLimit, OnlyUdpArrivingAtTheServerIsWatchedAtItsShare) {
  Config config;
  config.server_bitrate_limit = 100 * kMbit;
  TestSpec udp;
  udp.protocol = Protocol::kUdp;
  udp.parallel = 2;
  const Side forward{Role::kServer, Direction::kForward};
  EXPECT_EQ(watched_udp_budget_bps(config, udp, forward), 100 * kMbit);
  udp.direction = Direction::kBidir;  // 4 streams, 2 received: half the limit, the rest is ours to send
  EXPECT_EQ(watched_udp_budget_bps(config, udp, Side{Role::kServer, Direction::kBidir}), 50 * kMbit);
  udp.direction = Direction::kReverse;  // the server only sends, paced to its cap
  EXPECT_EQ(watched_udp_budget_bps(config, udp, Side{Role::kServer, Direction::kReverse}), 0u);
  TestSpec tcp;  // read no faster than the cap: TCP slows the client by itself
  EXPECT_EQ(watched_udp_budget_bps(config, tcp, forward), 0u);
  config.server_bitrate_limit = 0;
  udp.direction = Direction::kForward;
  EXPECT_EQ(watched_udp_budget_bps(config, udp, forward), 0u);
}

}  // namespace
}  // namespace nperf::session
