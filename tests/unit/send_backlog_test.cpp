#include "nperf/engine/send_backlog.hpp"

#include <gtest/gtest.h>

namespace nperf::engine {
namespace {

TEST(SendBacklog, NicSizedSegmentsKeepTheUnsentQueueShort) {
  EXPECT_EQ(unsent_low_watermark(1448, false), kUnsentLowWatermark);  // MTU 1500
  EXPECT_EQ(unsent_low_watermark(8948, false), kUnsentLowWatermark);  // MTU 9000
  EXPECT_EQ(unsent_low_watermark(536, false), kUnsentLowWatermark);
}

TEST(SendBacklog, LoopbackAndUnknownMssKeepTheKernelDefault) {
  EXPECT_EQ(unsent_low_watermark(65483, false), 0u);  // loopback, MTU 64 KiB
  EXPECT_EQ(unsent_low_watermark(9001, false), 0u);
  EXPECT_EQ(unsent_low_watermark(0, false), 0u);  // getsockopt failed
  EXPECT_EQ(unsent_low_watermark(-1, false), 0u);
}

TEST(SendBacklog, SendfileKeepsTheKernelDefault) {
  EXPECT_EQ(unsent_low_watermark(1448, true), 0u);  // -Z
}

}  // namespace
}  // namespace nperf::engine
