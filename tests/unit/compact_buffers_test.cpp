#include "nperf/engine/compact_buffers.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <span>
#include <vector>

#include "nperf/engine/mirrored_buffer.hpp"
#include "nperf/engine/payload.hpp"

namespace nperf::engine {
namespace {

constexpr uint32_t k1M = 1u << 20;

TEST(CompactBuffers, OnlyWhereSeveralTcpWorkersShareTheHost) {
  EXPECT_FALSE(compact_buffers_for(0));
  EXPECT_FALSE(compact_buffers_for(1));  // one stream: the flat buffer was as fast or faster
  EXPECT_TRUE(compact_buffers_for(2));
  EXPECT_TRUE(compact_buffers_for(8));
}

TEST(CompactBuffers, SendersMirrorTheUnitOnlyWhereTheBlockRepeatsWithIt) {
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

TEST(CompactBuffers, ReceiversMirrorAnyCallLargerThanTheUnit) {
  EXPECT_EQ(compact_receive_unit(kCompactUnit, k1M, true), kCompactUnit);
  EXPECT_EQ(compact_receive_unit(1000000, 0, true), kCompactUnit);  // the bytes are never looked at
  EXPECT_EQ(compact_receive_unit(kCompactUnit, 0, true), 0u);
  EXPECT_EQ(compact_receive_unit(k1M, 0, false), 0u);
}

TEST(CompactBuffers, APayloadRepeatsWithTheUnitOnlyWhenItIsMirrored) {
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

TEST(MirroredBuffer, OneRegionShowsAtEveryUnit) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  auto mirror = MirroredBuffer::make(2 * page, 5 * page);
  ASSERT_TRUE(mirror.has_value());
  EXPECT_EQ(mirror->unit(), 2 * page);
  EXPECT_EQ(mirror->span(), 6 * page);  // rounded up to whole units
  mirror->data()[7] = 'x';
  mirror->data()[5 * page + 9] = 'y';  // a write through the last copy
  for (size_t copy = 0; copy < 3; ++copy) {
    EXPECT_EQ(mirror->data()[copy * 2 * page + 7], 'x') << copy;
    EXPECT_EQ(mirror->data()[copy * 2 * page + page + 9], 'y') << copy;
  }
  MirroredBuffer moved = std::move(*mirror);
  EXPECT_EQ(moved.data()[2 * page + 7], 'x');
  EXPECT_EQ(mirror->data(), nullptr);
}

TEST(MirroredBuffer, RefusesWhatCannotBeMapped) {
  const auto page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  EXPECT_FALSE(MirroredBuffer::make(0, page).has_value());
  EXPECT_FALSE(MirroredBuffer::make(page + 1, 4 * page).has_value());  // not whole pages
  EXPECT_FALSE(MirroredBuffer::make(page, 0).has_value());
}

}  // namespace
}  // namespace nperf::engine
