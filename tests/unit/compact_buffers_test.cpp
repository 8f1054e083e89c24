#include "nperf/engine/compact_buffers.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <cstdint>
#include <span>
#include <vector>

#include "nperf/engine/payload.hpp"
#include "nperf/engine/tcp_stream.hpp"

namespace nperf::engine {
namespace {

constexpr uint32_t k1M = 1u << 20;

TEST(CompactBuffers, OnlyWhereSeveralTcpWorkersShareTheHost) {
  EXPECT_FALSE(compact_buffers_for(0));
  EXPECT_FALSE(compact_buffers_for(1));  // one stream: the flat buffer was as fast or faster
  EXPECT_TRUE(compact_buffers_for(2));
  EXPECT_TRUE(compact_buffers_for(8));
}

TEST(CompactBuffers, SendersRepeatTheUnitOnlyWhereTheBlockRepeatsWithIt) {
  // The default path: 128 KiB blocks, 1 MiB calls.
  EXPECT_EQ(compact_send_unit(kCompactUnit, k1M, true, false), kCompactUnit);
  // Its block is the unit itself, so --repeating-payload keeps its pattern too.
  EXPECT_EQ(compact_send_unit(kCompactUnit, k1M, true, true), kCompactUnit);
  // An explicit -l 1M (one block per call) and -l 256K.
  EXPECT_EQ(compact_send_unit(k1M, 0, true, false), kCompactUnit);
  EXPECT_EQ(compact_send_unit(2 * kCompactUnit, 0, true, false), kCompactUnit);
  // Not compact: the plain path.
  EXPECT_EQ(compact_send_unit(k1M, 0, false, false), 0u);
  // A call no larger than the unit has nothing to save.
  EXPECT_EQ(compact_send_unit(kCompactUnit, 0, true, false), 0u);
  EXPECT_EQ(compact_send_unit(65536, 0, true, false), 0u);
  // A block that is not a whole number of units, or a pattern that is not periodic in one.
  EXPECT_EQ(compact_send_unit(1000000, 0, true, false), 0u);
  EXPECT_EQ(compact_send_unit(k1M, 0, true, true), 0u);
}

TEST(CompactBuffers, ReceiversRepeatTheUnitForAnyCallLargerThanIt) {
  EXPECT_EQ(compact_receive_unit(kCompactUnit, k1M, true), kCompactUnit);
  EXPECT_EQ(compact_receive_unit(1000000, 0, true), kCompactUnit);  // the bytes are never looked at
  EXPECT_EQ(compact_receive_unit(kCompactUnit, 0, true), 0u);
  EXPECT_EQ(compact_receive_unit(k1M, 0, false), 0u);
}

TEST(CompactBuffers, APayloadRepeatsWithTheUnitOnlyWhenItIsCompact) {
  EXPECT_EQ(payload_period(k1M, true, false), kCompactUnit);
  EXPECT_EQ(payload_period(k1M, false, false), k1M);
  EXPECT_EQ(payload_period(k1M, true, true), k1M);
  EXPECT_EQ(payload_period(kCompactUnit, true, false), kCompactUnit);
  EXPECT_EQ(payload_period(1000000, true, false), 1000000u);
}

TEST(Payload, ARandomBlockRepeatsItsFirstPeriod) {
  std::vector<uint8_t> block(3 * 4096 + 100);
  fill_payload(std::span<uint8_t>(block), false, 4096);
  for (size_t i = 4096; i < block.size(); ++i) ASSERT_EQ(block[i], block[i - 4096]) << i;
  // Random, not a constant: 4096 random bytes are not all the same.
  EXPECT_NE(std::count(block.begin(), block.begin() + 4096, block[0]), 4096);
}

TEST(Payload, TheAsciiPatternIgnoresThePeriod) {
  std::vector<uint8_t> block(300);
  fill_payload(std::span<uint8_t>(block), true, 128);
  for (size_t i = 0; i < block.size(); ++i) ASSERT_EQ(block[i], '0' + i % 10) << i;
}

TEST(CompactBuffers, NoCallIsCutForWantOfIovecs) {
  EXPECT_EQ(kCompactLongestCall, 8u * k1M);  // 64 units, one iovec each (and one for an offset)
  EXPECT_EQ(compact_send_unit(8 * k1M, 0, true, false), kCompactUnit);
  EXPECT_EQ(compact_send_unit(16 * k1M, 0, true, false), 0u);  // a peer's 16 MiB block: plain path
  EXPECT_EQ(compact_receive_unit(kCompactUnit, 16 * k1M, true), 0u);
  EXPECT_EQ(payload_period(16 * k1M, true, false), 16 * k1M);
}

// Which bytes a sender's calls repeat: the path the worker takes (tcp_stream.cpp).
TEST(CompactBuffers, ASenderRepeatsTheUnitOnlyWhereItsBlockDoes) {
  StreamPlan plan;
  plan.block_len = k1M;
  plan.compact_buffers = true;
  std::vector<char> periodic(k1M);
  fill_payload(std::span<uint8_t>(reinterpret_cast<uint8_t*>(periodic.data()), periodic.size()), false,
               kCompactUnit);
  EXPECT_EQ(compact_pattern_len(plan, periodic), kCompactUnit);
  std::vector<char> random(k1M);
  fill_payload(std::span<uint8_t>(reinterpret_cast<uint8_t*>(random.data()), random.size()), false);
  EXPECT_EQ(compact_pattern_len(plan, random), 0u) << "a block that does not repeat keeps its bytes";
  StreamPlan zerocopy = plan;
  zerocopy.zerocopy = true;
  EXPECT_EQ(compact_pattern_len(zerocopy, periodic), 0u) << "-Z sends from a file";
  StreamPlan one_stream = plan;
  one_stream.compact_buffers = false;
  EXPECT_EQ(compact_pattern_len(one_stream, periodic), 0u);
  StreamPlan small = plan;
  small.block_len = kCompactUnit;  // one 128 KiB block per call: nothing to repeat
  EXPECT_EQ(compact_pattern_len(small, std::vector<char>(periodic.begin(), periodic.begin() + kCompactUnit)),
            0u);
  small.call_len = k1M;  // the default path: its block, repeated by iovecs as before
  EXPECT_EQ(compact_pattern_len(small, std::vector<char>(periodic.begin(), periodic.begin() + kCompactUnit)),
            kCompactUnit);
}

}  // namespace
}  // namespace nperf::engine
