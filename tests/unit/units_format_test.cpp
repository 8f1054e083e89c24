#include "nperf/report/units_format.hpp"

#include <gtest/gtest.h>

// iperf3's unit_snprintf: "fit in 4 places", base 1024 for bytes and 1000 for bits.

namespace nperf::report {

TEST(UnitsFormat, ZeroIsTwoDecimals) {
  EXPECT_EQ(format_bytes(0), "0.00 Byte");
  EXPECT_EQ(format_rate(0, 'a'), "0.00 bit");
}

TEST(UnitsFormat, AdaptiveBytesUseBase1024) {
  EXPECT_EQ(format_bytes(1048576), "1.00 MByte");
  EXPECT_EQ(format_bytes(2097152), "2.00 MByte");
  EXPECT_EQ(format_bytes(1178694), "1.12 MByte");  // a Cwnd from tcp312.client.out
  EXPECT_EQ(format_bytes(131072), " 128 KByte");
  EXPECT_EQ(format_bytes(32768), "32.0 KByte");
  EXPECT_EQ(format_bytes(1023), "1023 Byte");  // >= 999.5 but < 1024: stays in Bytes
  EXPECT_EQ(format_bytes(1023 * 1024), "1023 KByte");
  EXPECT_EQ(format_bytes(1024), "1.00 KByte");
  EXPECT_EQ(format_bytes(5.0 * 1024 * 1024 * 1024), "5.00 GByte");
  EXPECT_EQ(format_bytes(3.0 * 1024 * 1024 * 1024 * 1024), "3.00 TByte");
  EXPECT_EQ(format_bytes(2048.0 * 1024 * 1024 * 1024 * 1024), "2048 TByte");  // no unit above T
}

TEST(UnitsFormat, AdaptiveBitsUseBase1000) {
  EXPECT_EQ(format_rate(8388608, 'a'), "8.39 Mbit");
  EXPECT_EQ(format_rate(10485760, 'a'), "10.5 Mbit");
  EXPECT_EQ(format_rate(262144, 'a'), " 262 Kbit");
  EXPECT_EQ(format_rate(999, 'a'), " 999 bit");
  EXPECT_EQ(format_rate(1000, 'a'), "1.00 Kbit");
  EXPECT_EQ(format_rate(13.6e9, 'a'), "13.6 Gbit");
  EXPECT_EQ(format_rate(2.5e12, 'a'), "2.50 Tbit");
  // Transfer in bits when a lower-case format is asked for.
  EXPECT_EQ(format_bytes(1000, 'a'), "8.00 Kbit");
}

TEST(UnitsFormat, RoundingBoundaries) {
  // < 9.995 -> %4.2f; 9.995 itself would round to "10.00", so it gets %4.1f.
  EXPECT_EQ(format_rate(9994, 'a'), "9.99 Kbit");
  EXPECT_EQ(format_rate(9995, 'a'), "10.0 Kbit");
  EXPECT_EQ(format_rate(9.994e6, 'a'), "9.99 Mbit");
  // < 99.95 -> %4.1f; 99.95 would round to "100.0", so it gets %4.0f.
  EXPECT_EQ(format_rate(99940, 'a'), "99.9 Kbit");
  EXPECT_EQ(format_rate(99950, 'a'), " 100 Kbit");
  EXPECT_EQ(format_rate(100000, 'a'), " 100 Kbit");
  EXPECT_EQ(format_rate(999000, 'a'), " 999 Kbit");
  EXPECT_EQ(format_rate(999500, 'a'), "1000 Kbit");  // adaptive switches only at >= 1000
  EXPECT_EQ(format_bytes(9.99 * 1024), "9.99 KByte");
  EXPECT_EQ(format_bytes(9.995 * 1024), "10.0 KByte");
}

TEST(UnitsFormat, FixedBitUnits) {
  EXPECT_EQ(format_rate(8388608, 'k'), "8389 Kbit");
  EXPECT_EQ(format_rate(64430759000.0, 'k'), "64430759 Kbit");  // fixed units may go past 4 places
  EXPECT_EQ(format_rate(8388608, 'm'), "8.39 Mbit");
  EXPECT_EQ(format_rate(8388608, 'g'), "0.01 Gbit");
  EXPECT_EQ(format_rate(8388608, 't'), "0.00 Tbit");
  EXPECT_EQ(format_rate(500, 'k'), "0.50 Kbit");
}

TEST(UnitsFormat, FixedByteUnitsForRates) {
  // Rates in bytes: bits / 8, base 1024.
  EXPECT_EQ(format_rate(8388608, 'K'), "1024 KByte");
  EXPECT_EQ(format_rate(8388608, 'M'), "1.00 MByte");
  EXPECT_EQ(format_rate(8388608, 'G'), "0.00 GByte");
  EXPECT_EQ(format_rate(8.0 * 1024 * 1024 * 1024 * 1024, 'T'), "1.00 TByte");
  EXPECT_EQ(format_rate(8388608, 'A'), "1.00 MByte");
  EXPECT_EQ(format_bytes(1048576, 'K'), "1024 KByte");
  EXPECT_EQ(format_bytes(1048576, 'k'), "8389 Kbit");
}

}  // namespace nperf::report
