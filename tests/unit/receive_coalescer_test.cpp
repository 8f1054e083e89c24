#include "nperf/engine/receive_coalescer.hpp"

#include <gtest/gtest.h>

namespace nperf::engine {
namespace {

constexpr unsigned kBatch = 32;

TEST(ReceiveCoalescer, AFullBatchReadsAgainAtOnce) {
  EXPECT_EQ(next_receive_action(32, kBatch), ReceiveAction::kPollNow);
}

TEST(ReceiveCoalescer, APartBatchNapsSoTheQueueFillsWithoutWakeUps) {
  EXPECT_EQ(next_receive_action(1, kBatch), ReceiveAction::kNapThenPoll);
  EXPECT_EQ(next_receive_action(31, kBatch), ReceiveAction::kNapThenPoll);
}

TEST(ReceiveCoalescer, NothingQueuedOrATimeoutBlocks) {
  // A nap that found nothing means the rate is low: block, and cost nothing while idle.
  EXPECT_EQ(next_receive_action(0, kBatch), ReceiveAction::kBlock);
  EXPECT_EQ(next_receive_action(-1, kBatch), ReceiveAction::kBlock);
}

TEST(ReceiveCoalescer, WithoutNapsAPartBatchBlocks) {
  // A small receive buffer: the reader waits in the kernel, as iperf3's does.
  EXPECT_EQ(next_receive_action(5, kBatch, /*may_nap=*/false), ReceiveAction::kBlock);
  EXPECT_EQ(next_receive_action(32, kBatch, /*may_nap=*/false), ReceiveAction::kPollNow);
}

TEST(ReceiveCoalescer, ASlowStreamAlternatesBlockAndOneNap) {
  // One datagram per wake-up, then a nap finds nothing: back to blocking.
  ReceiveAction a = ReceiveAction::kBlock;
  int polls_while_idle = 0;
  for (int datagram = 0; datagram < 100; ++datagram) {
    ASSERT_EQ(a, ReceiveAction::kBlock);
    a = next_receive_action(1, kBatch);  // the blocking call returned one
    ASSERT_EQ(a, ReceiveAction::kNapThenPoll);
    ++polls_while_idle;
    a = next_receive_action(0, kBatch);  // the nap's poll found nothing
  }
  EXPECT_EQ(polls_while_idle, 100);  // one extra poll per datagram, never a busy loop
}

TEST(ReceiveCoalescer, NapIsShortAgainstABufferAtTenGigabits) {
  // 4 MiB receive buffer (the default nperf asks for) vs what 10 Gbit/s queues during one nap.
  constexpr double queued_bytes = 10e9 / 8 * static_cast<double>(kReceiveNapUs) * 1e-6;
  EXPECT_LT(queued_bytes * 3, 4 << 20);  // truesize of a 1400-byte datagram is under 3x its length
}

}  // namespace
}  // namespace nperf::engine
