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

}  // namespace nperf
