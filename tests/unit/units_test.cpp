#include "nperf/config/units.hpp"

#include <gtest/gtest.h>

namespace nperf {

TEST(Units, SizesUseBinarySuffixes) {
  EXPECT_EQ(parse_size("128K"), 131072u);
  EXPECT_EQ(parse_size("200M"), 200ull * 1024 * 1024);
  EXPECT_EQ(parse_size("1g"), 1ull << 30);
  EXPECT_EQ(parse_size("1.5K"), 1536u);
  EXPECT_EQ(parse_size("4096"), 4096u);
}

TEST(Units, RatesUseDecimalSuffixes) {
  EXPECT_EQ(parse_rate("10M"), 10'000'000u);
  EXPECT_EQ(parse_rate("1G"), 1'000'000'000u);
  EXPECT_EQ(parse_rate("0"), 0u);
}

TEST(Units, RejectsGarbage) {
  EXPECT_FALSE(parse_size(""));
  EXPECT_FALSE(parse_size("K"));
  EXPECT_FALSE(parse_size("12Q"));
  EXPECT_FALSE(parse_size("-5"));
  EXPECT_FALSE(parse_size("1e30"));
  EXPECT_FALSE(parse_rate(" 5M"));
}

TEST(Units, SizesAcceptTeraAndLowerCase) {
  EXPECT_EQ(parse_size("1T"), 1ull << 40);
  EXPECT_EQ(parse_size("3m"), 3ull << 20);
  EXPECT_EQ(parse_size("2k"), 2048u);
}

TEST(Units, RatesAcceptFractionsAndLowerCase) {
  EXPECT_EQ(parse_rate("1.5G"), 1'500'000'000u);
  EXPECT_EQ(parse_rate("10m"), 10'000'000u);
  EXPECT_EQ(parse_rate("200k"), 200'000u);
  EXPECT_EQ(parse_rate("2T"), 2'000'000'000'000u);
  EXPECT_EQ(parse_rate("2e9"), 2'000'000'000u);
  EXPECT_EQ(parse_size(".5K"), 512u);
}

TEST(Units, RejectsTrailingAndLeadingJunk) {
  EXPECT_FALSE(parse_size("10MB"));
  EXPECT_FALSE(parse_size("10 M"));
  EXPECT_FALSE(parse_size("+5"));
  EXPECT_FALSE(parse_size("0x10"));
  EXPECT_FALSE(parse_rate("5M "));
  EXPECT_FALSE(parse_rate("M5"));
  EXPECT_FALSE(parse_rate("5-"));
  EXPECT_FALSE(parse_size("1e"));
  EXPECT_FALSE(parse_size("1..5K"));
}

TEST(Units, RejectsNonFiniteAndOverflow) {
  EXPECT_FALSE(parse_size("inf"));
  EXPECT_FALSE(parse_size("nan"));
  EXPECT_FALSE(parse_rate("infG"));
  EXPECT_FALSE(parse_size("20000000T"));  // 2.2e19 does not fit in 64 bits
  EXPECT_FALSE(parse_rate("1e20"));
}

}  // namespace nperf
