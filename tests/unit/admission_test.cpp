#include "nperf/session/admission.hpp"

#include <gtest/gtest.h>

namespace nperf::session {
namespace {

using namespace protocol;

TEST(Admission, ADefaultTestIsAdmittedWithoutACap) {
  Admission a = admit(TestSpec{}, ServerLimits{});
  EXPECT_TRUE(a.admitted());
  EXPECT_EQ(a.stream_rate_cap, 0u);
  EXPECT_EQ(a.message, "");
}

TEST(Admission, BrokenRulesGetTheirIperf3Code) {
  TestSpec many;
  many.parallel = 129;
  EXPECT_EQ(admit(many, {}).code, kIeNumStreams);
  TestSpec burst;
  burst.burst = 1001;
  EXPECT_EQ(admit(burst, {}).code, kIeBurst);
  TestSpec tos;
  tos.tos = 256;
  EXPECT_EQ(admit(tos, {}).code, kIeBadTos);
  TestSpec none;
  none.parallel = 0;
  EXPECT_EQ(admit(none, {}).code, kIeBadParams) << "iperf3 has no code for too few streams";
  TestSpec mss;
  mss.mss = 40000;
  Admission a = admit(mss, {});
  EXPECT_EQ(a.code, kIeBadParams);
  EXPECT_NE(a.message.find("rejected parameters from client: MSS"), std::string::npos) << a.message;
}

TEST(Admission, TheFirstRuleWithACodePicksTheCodeTheFirstRuleTheMessage) {
  TestSpec s;
  s.omit_s = 601;  // no code of its own, reported first
  s.tos = 300;
  s.burst = 2000;
  Admission a = admit(s, {});
  EXPECT_EQ(a.code, kIeBurst) << "burst comes before TOS in the rule table";
  EXPECT_NE(a.message.find("omit"), std::string::npos) << a.message;
}

TEST(Admission, ServerMaxDuration) {
  ServerLimits limits{10, 0};
  TestSpec s;
  s.duration_s = 10;
  EXPECT_TRUE(admit(s, limits).admitted());
  s.omit_s = 1;
  Admission a = admit(s, limits);
  EXPECT_EQ(a.code, kIeMaxDuration) << "-O counts toward the limit";
  EXPECT_NE(a.message.find("--server-max-duration is 10 s"), std::string::npos) << a.message;
  TestSpec unlimited;
  unlimited.duration_s = 0;
  unlimited.bytes = 1000;
  EXPECT_EQ(admit(unlimited, limits).code, kIeMaxDuration) << "a test without a time limit could run forever";
}

TEST(Admission, BitrateLimitCapsEachStream) {
  ServerLimits limits{0, 1'000'000};
  TestSpec tcp;
  tcp.parallel = 2;
  tcp.direction = Direction::kBidir;  // 4 streams
  Admission a = admit(tcp, limits);
  ASSERT_TRUE(a.admitted()) << "an unlimited TCP test is throttled, not refused";
  EXPECT_EQ(a.stream_rate_cap, 250'000u);
  tcp.rate_bps = 250'000;
  EXPECT_TRUE(admit(tcp, limits).admitted());
  tcp.rate_bps = 250'001;
  EXPECT_EQ(admit(tcp, limits).code, kIeTotalRate);
}

TEST(Admission, UnlimitedUdpIsAdmittedUnderABitrateLimitAndWatchedWhileItRuns) {
  TestSpec udp;
  udp.protocol = Protocol::kUdp;
  udp.block_len = 1460;
  // As iperf3: admitted, and ended with 27 once its average exceeds the
  // limit (server_rate_guard_test.cpp); our own sending is paced to the cap.
  Admission a = admit(udp, {0, 1'000'000});
  ASSERT_TRUE(a.admitted());
  EXPECT_EQ(a.stream_rate_cap, 1'000'000u);
  udp.rate_bps = 1'000'001;
  EXPECT_EQ(admit(udp, {0, 1'000'000}).code, kIeTotalRate);
  udp.rate_bps = 1'000'000;
  EXPECT_TRUE(admit(udp, {0, 1'000'000}).admitted());
  EXPECT_TRUE(admit(udp, {}).admitted()) << "no limit, nothing to refuse";
}

TEST(IperfError, NamedCodesKeepIperf3Numbers) {
  EXPECT_EQ(kIeAffinity, 132);
  EXPECT_EQ(kIeStreamRead, 206);
  EXPECT_EQ(describe_iperf_error(kIeAffinity), "unable to set CPU affinity");
  EXPECT_EQ(describe_iperf_error(kIeMaxDuration),
            "client's requested duration exceeds the server's maximum permitted limit");
  EXPECT_EQ(describe_iperf_error(9999), "server error 9999");
}

}  // namespace
}  // namespace nperf::session
