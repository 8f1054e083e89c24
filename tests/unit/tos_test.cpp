#include "nperf/config/tos.hpp"

#include <gtest/gtest.h>

namespace nperf {
namespace {

TEST(ParseTos, DecimalOctalAndHexAreTheSameValue) {
  // iperf3's help: "52, 064 and 0x34 all specify the same value".
  EXPECT_EQ(parse_tos("52"), 52);
  EXPECT_EQ(parse_tos("064"), 52);
  EXPECT_EQ(parse_tos("0x34"), 52);
  EXPECT_EQ(parse_tos("0"), 0);
  EXPECT_EQ(parse_tos("255"), 255);
}

TEST(ParseTos, RejectsOutOfRangeAndJunk) {
  for (const char* bad : {"256", "-1", "", "x", "12x", "0x", " 5", "+5", "99999999999999999999"})
    EXPECT_FALSE(parse_tos(bad).has_value()) << bad;
}

TEST(ParseDscp, NumbersAreShiftedIntoTheTosByte) {
  EXPECT_EQ(parse_dscp("10"), 40);
  EXPECT_EQ(parse_dscp("0x0a"), 40);
  EXPECT_EQ(parse_dscp("63"), 252);
  EXPECT_EQ(parse_dscp("0"), 0);
}

TEST(ParseDscp, ClassNamesInAnyCase) {
  EXPECT_EQ(parse_dscp("af11"), 10 << 2);
  EXPECT_EQ(parse_dscp("AF43"), 38 << 2);
  EXPECT_EQ(parse_dscp("ef"), 46 << 2);
  EXPECT_EQ(parse_dscp("cs7"), 56 << 2);
  EXPECT_EQ(parse_dscp("Le"), 1 << 2);
  EXPECT_EQ(parse_dscp("va"), 44 << 2);
}

// RFC 1349 names name the TOS byte itself: what Debian's iperf3 3.12 sends
// for --dscp lowdelay / throughput / reliability (read from its parameters).
TEST(ParseDscp, TosNamesAreTheTosByteAsIperf3SendsThem) {
  EXPECT_EQ(parse_dscp("lowdelay"), 16);
  EXPECT_EQ(parse_dscp("LowDelay"), 16);
  EXPECT_EQ(parse_dscp("throughput"), 8);
  EXPECT_EQ(parse_dscp("reliability"), 4);
}

TEST(ParseDscp, RejectsOutOfRangeAndUnknownNames) {
  for (const char* bad : {"64", "-1", "", "af44", "cs8", "efx", "be", "mincost", "lowdelay2"})
    EXPECT_FALSE(parse_dscp(bad).has_value()) << bad;
}

}  // namespace
}  // namespace nperf
