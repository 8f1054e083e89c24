#include "nperf/stats/udp_receive_stats.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>

namespace nperf {
namespace {

// Feeds sequence numbers with a constant transit (no jitter involved).
void feed(UdpReceiveStats& s, std::initializer_list<uint64_t> seqs) {
  for (uint64_t seq : seqs) s.on_datagram(seq, 100.0, 100.001);
}

// Jitter tolerance: transits come from subtracting doubles around 100 s, so
// they carry ~1e-14 s of rounding; the expected values differ by > 1e-5.
constexpr double kJitterTol = 1e-12;

}  // namespace

TEST(UdpReceiveStats, StartsEmpty) {
  UdpReceiveStats s;
  EXPECT_EQ(s.packets(), 0u);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.out_of_order(), 0u);
  EXPECT_EQ(s.jitter_s(), 0.0);
}

TEST(UdpReceiveStats, InOrderOneToTenHasNoLossAndTenPackets) {
  UdpReceiveStats s;
  feed(s, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  EXPECT_EQ(s.packets(), 10u);
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.out_of_order(), 0u);
}

TEST(UdpReceiveStats, GapCountsMissingSequencesAsLost) {
  UdpReceiveStats s;
  feed(s, {1, 2, 5});  // 3 and 4 missing
  EXPECT_EQ(s.lost(), 2u);
  EXPECT_EQ(s.packets(), 5u);
  EXPECT_EQ(s.out_of_order(), 0u);
}

TEST(UdpReceiveStats, FirstDatagramAfterStartCountsEarlierSequencesAsLost) {
  // maxseq starts at 0, so a stream whose first arrival is seq 4 lost 1..3.
  UdpReceiveStats s;
  feed(s, {4});
  EXPECT_EQ(s.lost(), 3u);
  EXPECT_EQ(s.packets(), 4u);
}

TEST(UdpReceiveStats, LateDatagramIsOutOfOrderAndTakenBackFromLoss) {
  UdpReceiveStats s;
  feed(s, {1, 3});
  EXPECT_EQ(s.lost(), 1u);  // 2 looks lost for now
  feed(s, {2});
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.out_of_order(), 1u);
  EXPECT_EQ(s.packets(), 3u);
}

TEST(UdpReceiveStats, DuplicateIsCountedOutOfOrderAndLossNeverGoesBelowZero) {
  UdpReceiveStats s;
  feed(s, {1, 2, 2});
  EXPECT_EQ(s.out_of_order(), 1u);
  EXPECT_EQ(s.lost(), 0u);  // not 2^64-1
  EXPECT_EQ(s.packets(), 2u);
  feed(s, {1, 1, 2});
  EXPECT_EQ(s.out_of_order(), 4u);
  EXPECT_EQ(s.lost(), 0u);
}

TEST(UdpReceiveStats, DuplicateHidesARealLossAsIperf3Does) {
  // docs/protocol.md#udp-receiver-figures: duplicates are mis-counted as out-of-order and
  // reduce the loss count.
  UdpReceiveStats s;
  feed(s, {1, 2, 4, 4});  // 3 really lost, 4 duplicated
  EXPECT_EQ(s.lost(), 0u);
  EXPECT_EQ(s.out_of_order(), 1u);
  EXPECT_EQ(s.packets(), 4u);
}

TEST(UdpReceiveStats, LargeGapCountsEverySkippedSequence) {
  UdpReceiveStats s;
  feed(s, {1, 1000001});
  EXPECT_EQ(s.lost(), 999999u);
  EXPECT_EQ(s.packets(), 1000001u);
  feed(s, {1000002});
  EXPECT_EQ(s.lost(), 999999u);
  EXPECT_EQ(s.packets(), 1000002u);
}

TEST(UdpReceiveStats, ThirtyTwoBitCounterWrapIsCountedAsOutOfOrder) {
  // With 32-bit counters the sender's sequence wraps from 0xFFFFFFFF to 0 and
  // then 1, 2, ... The receiver has no notion of wrap: every later datagram
  // has seq <= maxseq, so each is counted out-of-order, each takes one off
  // the loss count, and packets() stays stuck at 0xFFFFFFFF.
  // (Start near the top: the first datagram 0xFFFFFFFE makes 1..0xFFFFFFFD lost.)
  UdpReceiveStats s;
  feed(s, {0xFFFFFFFEull, 0xFFFFFFFFull});
  ASSERT_EQ(s.lost(), 0xFFFFFFFDull);
  ASSERT_EQ(s.packets(), 0xFFFFFFFFull);
  ASSERT_EQ(s.out_of_order(), 0u);

  feed(s, {1});  // after the wrap (0 was not sent/received here)
  EXPECT_EQ(s.out_of_order(), 1u);
  EXPECT_EQ(s.lost(), 0xFFFFFFFCull);
  EXPECT_EQ(s.packets(), 0xFFFFFFFFull);

  feed(s, {2, 3});
  EXPECT_EQ(s.out_of_order(), 3u);
  EXPECT_EQ(s.lost(), 0xFFFFFFFAull);
  EXPECT_EQ(s.packets(), 0xFFFFFFFFull);
}

TEST(UdpReceiveStats, SixtyFourBitCountersCrossTwoToThe32InOrder) {
  UdpReceiveStats s;
  feed(s, {0xFFFFFFFEull, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull});
  EXPECT_EQ(s.out_of_order(), 0u);
  EXPECT_EQ(s.lost(), 0xFFFFFFFDull);  // only the never-seen 1..0xFFFFFFFD
  EXPECT_EQ(s.packets(), 0x100000001ull);
}

TEST(UdpReceiveStats, FirstDatagramHasZeroJitter) {
  UdpReceiveStats s;
  s.on_datagram(1, 100.0, 100.250);
  EXPECT_EQ(s.jitter_s(), 0.0);
}

TEST(UdpReceiveStats, JitterFollowsRfc1889SmoothingBySixteenth) {
  // Transits 0.010, 0.012, 0.011, 0.015 s. J += (|D| - J) / 16:
  //   #1: first datagram, prev = 0.010, D = 0           -> J = 0
  //   #2: D = 0.002, J = 0 + (0.002 - 0) / 16            = 0.000125
  //   #3: D = 0.001, J = 0.000125 + (0.001 - 0.000125)/16
  //                    = 0.000125 + 0.000875/16 = 0.000125 + 0.0000546875
  //                    = 0.0001796875
  //   #4: D = 0.004, J = 0.0001796875 + (0.004 - 0.0001796875)/16
  //                    = 0.0001796875 + 0.0038203125/16
  //                    = 0.0001796875 + 0.00023876953125
  //                    = 0.00041845703125
  UdpReceiveStats s;
  s.on_datagram(1, 100.000, 100.010);
  EXPECT_NEAR(s.jitter_s(), 0.0, kJitterTol);
  s.on_datagram(2, 100.100, 100.112);
  EXPECT_NEAR(s.jitter_s(), 0.000125, kJitterTol);
  s.on_datagram(3, 100.200, 100.211);
  EXPECT_NEAR(s.jitter_s(), 0.0001796875, kJitterTol);
  s.on_datagram(4, 100.300, 100.315);
  EXPECT_NEAR(s.jitter_s(), 0.00041845703125, kJitterTol);
}

TEST(UdpReceiveStats, ConstantTransitKeepsJitterAtZero) {
  // Unsynchronised clocks: a constant offset (here the peer is 5000 s ahead)
  // does not matter, only differences do.
  UdpReceiveStats s;
  for (uint64_t i = 1; i <= 50; ++i) s.on_datagram(i, 5100.0 + 0.01 * i, 100.25 + 0.01 * i);
  EXPECT_NEAR(s.jitter_s(), 0.0, 1e-9);  // doubles near 5100 s round at ~1e-12 s
}

TEST(UdpReceiveStats, JitterUsesAbsoluteTransitSoSignCrossingLooksSmooth) {
  // Transit +0.001 then -0.001 (the sender's clock is slightly ahead for the
  // second datagram). iperf3 takes |transit|, so both are 0.001 and D = 0:
  // jitter stays 0. Without the absolute value D would be 0.002 and the
  // jitter 0.000125.
  UdpReceiveStats s;
  s.on_datagram(1, 100.000, 100.001);
  s.on_datagram(2, 100.101, 100.100);
  EXPECT_NEAR(s.jitter_s(), 0.0, kJitterTol);
  // A further transit of -0.003 (|.| = 0.003): D = 0.002 -> J = 0.000125.
  s.on_datagram(3, 100.203, 100.200);
  EXPECT_NEAR(s.jitter_s(), 0.000125, kJitterTol);
}

TEST(UdpReceiveStats, JitterIgnoresOutOfOrderDeliveryForItsSequenceLogic) {
  // Jitter is computed in arrival order regardless of sequence numbers.
  UdpReceiveStats s;
  s.on_datagram(2, 100.100, 100.110);  // transit 0.010
  s.on_datagram(1, 100.000, 100.012);  // transit 0.012 -> J = 0.000125
  EXPECT_NEAR(s.jitter_s(), 0.000125, kJitterTol);
  EXPECT_EQ(s.out_of_order(), 1u);
  EXPECT_EQ(s.lost(), 0u);
}

TEST(UdpReceiveStats, ResetJitterZeroesItAndNextDatagramStartsOver) {
  UdpReceiveStats s;
  s.on_datagram(1, 100.000, 100.010);
  s.on_datagram(2, 100.100, 100.112);
  ASSERT_NEAR(s.jitter_s(), 0.000125, kJitterTol);

  s.reset_jitter();
  EXPECT_EQ(s.jitter_s(), 0.0);
  // The next datagram is "first" again: its transit 0.050 differs from the
  // previous 0.012 but gives D = 0 (no carry-over of prev_transit).
  s.on_datagram(3, 100.200, 100.250);
  EXPECT_NEAR(s.jitter_s(), 0.0, kJitterTol);
  // Then smoothing restarts from 0: transit 0.058, D = 0.008 -> J = 0.0005.
  s.on_datagram(4, 100.300, 100.358);
  EXPECT_NEAR(s.jitter_s(), 0.0005, kJitterTol);
}

TEST(UdpReceiveStats, ResetJitterKeepsLossAndOrderCounters) {
  UdpReceiveStats s;
  feed(s, {1, 3, 2, 6});  // lost: 1 (2) -> 0 -> 2 (4, 5); ooo 1
  s.reset_jitter();
  EXPECT_EQ(s.packets(), 6u);
  EXPECT_EQ(s.lost(), 2u);
  EXPECT_EQ(s.out_of_order(), 1u);
  feed(s, {7});
  EXPECT_EQ(s.packets(), 7u);
  EXPECT_EQ(s.lost(), 2u);
}

}  // namespace nperf
