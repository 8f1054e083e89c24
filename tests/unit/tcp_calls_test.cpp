#include "nperf/engine/tcp_calls.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace nperf::engine {
namespace {

TEST(TcpCallLen, OneBlockUnlessSeveralWereAskedFor) {
  EXPECT_EQ(tcp_call_len(131072, 0, 0), 131072u);       // an explicit -l: call_len 0
  EXPECT_EQ(tcp_call_len(131072, 131072, 0), 131072u);  // asked for one block
  EXPECT_EQ(tcp_call_len(1 << 20, 1 << 20, 0), 1u << 20);
  EXPECT_EQ(tcp_call_len(2 << 20, 1 << 20, 0), 2u << 20);  // a block larger than the call: one block
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 0), 1u << 20);   // 8 blocks
}

TEST(TcpCallLen, AWholeNumberOfBlocks) {
  EXPECT_EQ(tcp_call_len(300000, 1 << 20, 0), 900000u);  // 3 blocks, not 3.5
  EXPECT_EQ(tcp_call_len(1000, 2500, 0), 2000u);
  EXPECT_EQ(tcp_call_len(1, 1 << 20, 0), kMaxBlocksPerCall);  // at most 64 blocks (iovecs)
  EXPECT_EQ(tcp_call_len(0, 1 << 20, 0), 0u);                 // no block: nothing to multiply
}

TEST(TcpCallLen, PacedStreamsWriteAboutAMillisecondPerCall) {
  // 10 Gbit/s: 1.25 MB per ms, so 8 blocks of 128 KiB (1 MiB) fit.
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 10'000'000'000ull), 1u << 20);
  // 2 Gbit/s: 250 kB per ms: one block.
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 2'000'000'000ull), 131072u);
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 3'000'000'000ull), 2u * 131072);  // 375 kB per ms
  // A slow rate never goes below one block, iperf3's pacing unit.
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 1'000'000), 131072u);
  // -b RATE/BURST counts blocks: one per call.
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 10'000'000'000ull, 4), 131072u);
  EXPECT_EQ(tcp_call_len(131072, 1 << 20, 10'000'000'000ull, 1), 1u << 20);  // /1 is no burst
}

// A kernel that takes a pseudo-random part of each call (sockets do: a full
// send buffer, a signal), copying what it takes into one byte stream.
struct FakeKernel {
  std::mt19937 rng{12345};
  bool partial = true;
  uint64_t take(uint64_t want) {
    if (!partial || want <= 1) return want;
    return std::uniform_int_distribution<uint64_t>(1, want)(rng);
  }
};

struct Outcome {
  uint64_t bytes = 0, blocks = 0, calls = 0, largest_call = 0;
};

// Runs the sender's loop (tcp_stream.cpp) against the fake kernel.
Outcome send_all(uint32_t block_len, uint32_t call_len, uint64_t byte_quota, uint64_t block_quota,
                 FakeKernel& kernel) {
  SendLedger ledger(block_len, call_len, byte_quota, block_quota);
  Outcome o;
  for (uint64_t want = ledger.next_len(); want > 0; want = ledger.next_len()) {
    EXPECT_LE(want, std::max(call_len, block_len));
    o.largest_call = std::max(o.largest_call, want);
    ++o.calls;
    ledger.sent(kernel.take(want));
    if (o.calls > 50'000'000) {
      ADD_FAILURE() << "the ledger never ends";
      break;
    }
  }
  EXPECT_TRUE(ledger.done());
  o.bytes = ledger.bytes();
  o.blocks = ledger.blocks();
  return o;
}

TEST(SendLedger, ByteQuotaIsExactAtEveryBlockSize) {
  for (uint32_t block : {1u, 7u, 1000u, 1448u, 65536u, 131072u, 300000u, 1u << 20}) {
    for (uint32_t call_blocks : {1u, 2u, 3u, 8u}) {
      const uint32_t call = tcp_call_len(block, block * call_blocks, 0);
      const uint64_t quotas[] = {
          1,      uint64_t{block} - (block > 1 ? 1 : 0), block, uint64_t{block} + 1, 10ull * call + 12345,
          300'001};
      for (uint64_t quota : quotas) {
        for (bool partial : {false, true}) {
          FakeKernel k;
          k.partial = partial;
          Outcome o = send_all(block, call, quota, 0, k);
          EXPECT_EQ(o.bytes, quota) << "block " << block << " call " << call << " partial " << partial;
          EXPECT_EQ(o.blocks, quota / block);
          if (!partial) {
            EXPECT_EQ(o.calls, (quota + call - 1) / call) << "block " << block << " call " << call;
          }
        }
      }
    }
  }
}

TEST(SendLedger, BlockQuotaIsExactWithMultiBlockCalls) {
  for (uint32_t block : {1u, 1000u, 131072u, 300000u}) {
    for (uint32_t call_len : {block, 2 * block, 8 * block, uint32_t{1} << 20}) {
      const uint32_t call = tcp_call_len(block, call_len, 0);
      for (uint64_t k_blocks : {1ull, 2ull, 7ull, 8ull, 9ull, 100ull}) {
        for (bool partial : {false, true}) {
          FakeKernel kernel;
          kernel.partial = partial;
          Outcome o = send_all(block, call, 0, k_blocks, kernel);
          EXPECT_EQ(o.blocks, k_blocks) << "block " << block << " call " << call;
          EXPECT_EQ(o.bytes, k_blocks * block);
          if (!partial) {
            const uint64_t per_call = call / block;
            EXPECT_EQ(o.calls, (k_blocks + per_call - 1) / per_call);
            // Several blocks per call really happen when the quota allows it.
            if (per_call > 1 && k_blocks >= per_call) {
              EXPECT_EQ(o.largest_call, call);
            }
          }
        }
      }
    }
  }
}

TEST(SendLedger, CallsEndOnCallBoundaries) {
  // One block per call (an explicit -l): a partial send is completed by the
  // next call, so no call crosses a block boundary, as iperf3.
  SendLedger one(1000, 1000, 0, 0);
  EXPECT_EQ(one.next_len(), 1000u);
  one.sent(300);
  EXPECT_EQ(one.next_len(), 700u);
  EXPECT_EQ(one.block_offset(), 300u);
  one.sent(700);
  EXPECT_EQ(one.next_len(), 1000u);
  EXPECT_EQ(one.blocks(), 1u);
  // Four blocks per call: a call that took 2.5 blocks is completed by 1.5.
  SendLedger four(1000, 4000, 0, 0);
  four.sent(2500);
  EXPECT_EQ(four.next_len(), 1500u);
  EXPECT_EQ(four.block_offset(), 500u);
  EXPECT_EQ(four.blocks(), 2u);
  EXPECT_FALSE(four.done());  // no quota: never done
}

TEST(SendLedger, NoQuotaNeverEndsAndHugeBlockCountsDoNotWrap) {
  SendLedger none(131072, 1 << 20, 0, 0);
  none.sent(uint64_t{1} << 40);
  EXPECT_EQ(none.next_len(), 1u << 20);
  SendLedger huge(1 << 20, 1 << 20, 0, UINT64_MAX / 2);  // blocks * len overflows 64 bits
  EXPECT_EQ(huge.next_len(), 1u << 20);
  EXPECT_FALSE(huge.done());
}

TEST(SendLedger, BurstBoundaryIsOnWholeBlocks) {
  SendLedger l(1000, 1000, 0, 0);
  l.sent(1000);
  EXPECT_FALSE(l.at_burst_boundary(2));
  l.sent(500);
  EXPECT_FALSE(l.at_burst_boundary(2));
  l.sent(500);
  EXPECT_TRUE(l.at_burst_boundary(2));
  EXPECT_TRUE(l.at_burst_boundary(1));
}

TEST(PatternIovecs, CoverTheRepeatedBlockFromTheOffset) {
  for (uint32_t block_len : {1u, 5u, 1000u, 4096u}) {
    std::vector<char> block(block_len);
    for (uint32_t i = 0; i < block_len; ++i) block[i] = static_cast<char>(i * 7 + 3);
    for (uint32_t offset : {0u, 1u, block_len / 2, block_len - 1}) {
      for (uint64_t len : {uint64_t{1}, uint64_t{block_len}, uint64_t{block_len} * 3 + 2}) {
        iovec iov[kMaxCallIovecs];
        size_t n = pattern_iovecs(block.data(), block_len, offset, len, iov, kMaxCallIovecs);
        std::vector<char> stream;
        for (size_t i = 0; i < n; ++i) {
          const char* p = static_cast<const char*>(iov[i].iov_base);
          stream.insert(stream.end(), p, p + iov[i].iov_len);
        }
        if (len > kMaxCallIovecs * uint64_t{block_len}) continue;  // cut short: checked below
        ASSERT_EQ(stream.size(), len) << block_len << " " << offset;
        for (uint64_t i = 0; i < len; ++i)
          ASSERT_EQ(stream[i], block[(offset % block_len + i) % block_len]) << "byte " << i;
      }
    }
  }
}

TEST(PatternIovecs, StopsAtTheIovecLimit) {
  std::vector<char> block(10);
  iovec iov[3];
  EXPECT_EQ(pattern_iovecs(block.data(), 10, 4, 1000, iov, 3), 3u);
  EXPECT_EQ(iov[0].iov_len + iov[1].iov_len + iov[2].iov_len, 26u);  // 6 + 10 + 10
  EXPECT_EQ(pattern_iovecs(block.data(), 10, 0, 0, iov, 3), 0u);
}

}  // namespace
}  // namespace nperf::engine
