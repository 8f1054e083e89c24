#include "nperf/config/validate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nperf {
namespace {

testing::AssertionResult valid(const TestSpec& s) {
  auto errors = check_spec(s);
  if (errors.empty() && validate(s).empty()) return testing::AssertionSuccess();
  auto failure = testing::AssertionFailure() << "unexpected errors:";
  for (const auto& e : errors) failure << " [" << e.message << "]";
  return failure;
}

// Invalid with exactly one message, which mentions `needle` (usually the bad value).
testing::AssertionResult invalid(const TestSpec& s, std::string_view needle = {}) {
  auto errors = check_spec(s);
  if (errors.size() != 1) return testing::AssertionFailure() << "expected one error, got " << errors.size();
  if (validate(s) != errors[0].message)
    return testing::AssertionFailure() << "validate() says '" << validate(s) << "', not the one violation";
  if (errors[0].message.find(needle) == std::string::npos)
    return testing::AssertionFailure() << "'" << errors[0].message << "' does not mention '" << needle << "'";
  return testing::AssertionSuccess();
}

TestSpec udp(uint32_t len) {
  TestSpec s;
  s.protocol = Protocol::kUdp;
  s.block_len = len;
  return s;
}

}  // namespace

TEST(Validate, DefaultSpecIsValid) {
  EXPECT_TRUE(valid(TestSpec{}));
}

TEST(Validate, ParallelRange) {
  TestSpec s;
  s.parallel = 0;
  EXPECT_TRUE(invalid(s, "0"));
  s.parallel = -1;
  EXPECT_TRUE(invalid(s, "-1"));
  s.parallel = 129;
  EXPECT_TRUE(invalid(s, "129"));
  s.parallel = 1;
  EXPECT_TRUE(valid(s));
  s.parallel = 128;
  EXPECT_TRUE(valid(s));
}

TEST(Validate, DurationRange) {
  TestSpec s;
  s.duration_s = 0;  // -n/-k tests and infinite tests
  EXPECT_TRUE(valid(s));
  s.duration_s = 86400;
  EXPECT_TRUE(valid(s));
  s.duration_s = 86401;
  EXPECT_TRUE(invalid(s, "86401"));
  s.duration_s = -1;
  EXPECT_TRUE(invalid(s, "-1"));
  s.duration_s = 0.5;
  EXPECT_TRUE(valid(s));
}

TEST(Validate, BytesAndBlocksAreExclusive) {
  TestSpec s;
  s.bytes = 1024;
  EXPECT_TRUE(valid(s));
  s.blocks = 10;
  EXPECT_TRUE(invalid(s));
  s.bytes = 0;
  EXPECT_TRUE(valid(s));
}

TEST(Validate, OmitRange) {
  TestSpec s;
  s.omit_s = 600;
  EXPECT_TRUE(valid(s));
  s.omit_s = 601;
  EXPECT_TRUE(invalid(s, "601"));
  s.omit_s = -1;
  EXPECT_TRUE(invalid(s, "-1"));
}

TEST(Validate, TcpBlockLengthRange) {
  TestSpec s;
  s.block_len = 0;
  EXPECT_TRUE(invalid(s, "0"));
  s.block_len = 1;
  EXPECT_TRUE(valid(s));
  s.block_len = 1048576;
  EXPECT_TRUE(valid(s));
  s.block_len = 1048577;
  EXPECT_TRUE(invalid(s, "1048577"));
}

TEST(Validate, UdpBlockLengthRange) {
  EXPECT_TRUE(invalid(udp(15), "15"));
  EXPECT_TRUE(valid(udp(16)));
  EXPECT_TRUE(valid(udp(1460)));
  EXPECT_TRUE(valid(udp(65507)));
  EXPECT_TRUE(invalid(udp(65508), "65508"));
  EXPECT_TRUE(invalid(udp(0)));
}

TEST(Validate, UdpRejectsTheTcpDefaultBlockLength) {
  // A UDP parameter message without "len" leaves 128 KiB: too big for a datagram.
  EXPECT_TRUE(invalid(udp(kDefaultTcpBlockLen), "131072"));
}

TEST(Validate, WindowRange) {
  TestSpec s;
  s.window = 512ull * 1024 * 1024;
  EXPECT_TRUE(valid(s));
  s.window = 512ull * 1024 * 1024 + 1;
  EXPECT_TRUE(invalid(s, "536870913"));
  s.window = 0;
  EXPECT_TRUE(valid(s));
}

TEST(Validate, TosRange) {
  TestSpec s;
  s.tos = 255;
  EXPECT_TRUE(valid(s));
  s.tos = 256;
  EXPECT_TRUE(invalid(s, "256"));
  s.tos = -1;
  EXPECT_TRUE(invalid(s, "-1"));
}

TEST(Validate, MssRange) {
  TestSpec s;
  s.mss = 32767;
  EXPECT_TRUE(valid(s));
  s.mss = 32768;
  EXPECT_TRUE(invalid(s, "32768"));
  s.mss = -1;
  EXPECT_TRUE(invalid(s, "-1"));
  s.mss = 0;
  EXPECT_TRUE(valid(s));
}

TEST(Validate, ServerAffinityRange) {
  TestSpec s;
  s.server_affinity = -1;  // unset
  EXPECT_TRUE(valid(s));
  s.server_affinity = 0;
  EXPECT_TRUE(valid(s));
  s.server_affinity = 1024;
  EXPECT_TRUE(valid(s));
  s.server_affinity = 1025;
  EXPECT_TRUE(invalid(s, "1025"));
  s.server_affinity = -2;
  EXPECT_TRUE(invalid(s, "-2"));
}

TEST(Validate, ServerStreamCpuRange) {
  TestSpec s;
  s.server_stream_cpus = {0, 3, 1024};
  EXPECT_TRUE(valid(s));
  s.server_stream_cpus = {0, 1025};
  EXPECT_TRUE(invalid(s, "1025"));
  s.server_stream_cpus = {-1, 2};
  EXPECT_TRUE(invalid(s, "-1"));
}

TEST(Validate, TitleAndCongestionLength) {
  TestSpec s;
  s.title = std::string(1024, 't');
  s.congestion = std::string(64, 'c');
  EXPECT_TRUE(valid(s));
  s.title = std::string(1025, 't');
  EXPECT_TRUE(invalid(s, "title"));
  s.title.clear();
  s.congestion = std::string(65, 'c');
  EXPECT_TRUE(invalid(s, "congestion"));
}

TEST(Validate, ReportsEveryViolation) {
  TestSpec s;
  s.parallel = 0;
  s.omit_s = 601;
  s.mss = 32768;
  EXPECT_EQ(check_spec(s).size(), 3u);
  EXPECT_EQ(validate(s), check_spec(s).front().message) << "the first is the one printed";
}

TEST(TestSpec, TotalStreamsDoublesForBidir) {
  TestSpec s;
  s.parallel = 3;
  EXPECT_EQ(s.total_streams(), 3);
  s.direction = Direction::kReverse;
  EXPECT_EQ(s.total_streams(), 3);
  s.direction = Direction::kBidir;
  EXPECT_EQ(s.total_streams(), 6);
}

TEST(Validate, BurstRange) {
  TestSpec s;
  EXPECT_TRUE(valid(s)) << "0 = no burst";
  s.burst = 1;
  EXPECT_TRUE(valid(s));
  s.burst = 1000;
  EXPECT_TRUE(valid(s));
  s.burst = 1001;
  EXPECT_TRUE(invalid(s, "1001"));
  s.burst = 5000;
  EXPECT_TRUE(invalid(s, "burst"));
  s.burst = -1;
  EXPECT_TRUE(invalid(s, "-1"));
}

TEST(TestSpec, DefaultsMatchIperf3ServerDefaults) {
  TestSpec s;
  EXPECT_EQ(s.protocol, Protocol::kTcp);
  EXPECT_EQ(s.direction, Direction::kForward);
  EXPECT_EQ(s.parallel, 1);
  EXPECT_DOUBLE_EQ(s.duration_s, 10);
  EXPECT_EQ(s.block_len, 131072u);
  EXPECT_EQ(s.rate_bps, 0u);
  EXPECT_EQ(s.omit_s, 0);
  EXPECT_EQ(s.server_affinity, -1);
}

}  // namespace nperf
