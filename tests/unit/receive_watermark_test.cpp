#include "nperf/engine/receive_watermark.hpp"

#include <gtest/gtest.h>

namespace nperf::engine {
namespace {

constexpr uint32_t kBlock = 128 * 1024;
constexpr int64_t kAutotunedBuffer = 6 << 20;

TEST(ReceiveWatermark, FollowsAboutOneMillisecondOfTheMeasuredRate) {
  // 100 Mbit/s for 50 ms = 625 000 bytes; one millisecond of it is 12 500.
  EXPECT_EQ(receive_low_watermark(625000, 0.05, kBlock, kAutotunedBuffer), 12500u);
}

TEST(ReceiveWatermark, NeverMoreThanOneRead) {
  // 20 Gbit/s: a millisecond is 2.5 MB, but a recv never asks for more than the block.
  EXPECT_EQ(receive_low_watermark(125000000, 0.05, kBlock, kAutotunedBuffer), kBlock);
}

TEST(ReceiveWatermark, NeverMoreThanAnEighthOfASmallBuffer) {
  // -w 64K: the kernel doubles it to 128 KiB; waiting for more than 16 KiB would stall the window.
  EXPECT_EQ(receive_low_watermark(125000000, 0.05, kBlock, 128 * 1024), 16u * 1024);
}

TEST(ReceiveWatermark, ASlowOrIdleStreamIsReadAtOnce) {
  EXPECT_EQ(receive_low_watermark(0, 0.05, kBlock, kAutotunedBuffer), 1u);
  EXPECT_EQ(receive_low_watermark(100, 0.05, kBlock, kAutotunedBuffer), 2u);  // 16 kbit/s
  EXPECT_EQ(receive_low_watermark(1000, 0, kBlock, kAutotunedBuffer), 1u);
  EXPECT_EQ(receive_low_watermark(1000000, 0.05, kBlock, 0), 1u);  // buffer unknown
}

TEST(ReceiveWatermark, OnlyChangesOfMoreThanAQuarterAreApplied) {
  EXPECT_FALSE(watermark_changed(100000, 110000));
  EXPECT_FALSE(watermark_changed(100000, 80000));
  EXPECT_TRUE(watermark_changed(100000, 130000));
  EXPECT_TRUE(watermark_changed(100000, 70000));
  EXPECT_TRUE(watermark_changed(1, 2));
}

}  // namespace
}  // namespace nperf::engine
