#pragma once
// How many bytes one TCP send()/recv() moves, and what a sender has sent in
// blocks when its calls span several of them.
//
// The block (-l) is iperf3's unit: of -k, of the "blksize" in -J, of what the
// peer is told. It need not be the unit of the syscall: at the default
// 128 KiB a loopback sender spends more on the call than on the copy
// (docs/architecture.md, "Syscalls larger than the block"). So when -l was not
// given, a TCP stream moves several blocks per call (TestSpec::call_len), and
// the accounting below keeps -n and -k exact: a call never crosses the quota,
// and blocks are counted as whole blocks of the byte stream. An explicit -l
// keeps one block per call, as a user emulating an application expects.
//
// Pure: the caller performs the calls.
#include <sys/uio.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace nperf::engine {

// A call spans at most this many blocks: an iovec per block (pattern_iovecs),
// and a peer's odd "len" (1 byte) must not ask for a million of them.
constexpr uint32_t kMaxBlocksPerCall = 64;
// A paced sender writes at most about this much of its rate per call (but
// never less than a block, iperf3's pacing unit), so pacing stays as smooth as
// iperf3's per-block check at any rate where a block is shorter than that.
constexpr double kPacedCallS = 0.001;

// Bytes per call: a whole number of blocks, at most `call_len` (0 or less than
// a block: one block). Paced streams (rate_bps > 0) keep to kPacedCallS of their
// rate; -b RATE/BURST keeps one block per call (its unit is the block).
constexpr uint32_t tcp_call_len(uint32_t block_len, uint32_t call_len, uint64_t rate_bps, int burst = 0) {
  if (block_len == 0 || call_len <= block_len) return block_len;
  uint64_t blocks = std::min<uint64_t>(call_len / block_len, kMaxBlocksPerCall);
  if (rate_bps > 0) {
    if (burst > 1) return block_len;
    const auto paced_bytes = static_cast<uint64_t>(static_cast<double>(rate_bps) / 8.0 * kPacedCallS);
    blocks = std::min(blocks, std::max<uint64_t>(1, paced_bytes / block_len));
  }
  return static_cast<uint32_t>(blocks * block_len);
}

// A sender's position in its byte stream. Calls start where the previous one
// ended and end on a call boundary (a partial send is completed by the next
// call, as iperf3 completes a block), and never past -n or -k.
class SendLedger {
 public:
  // byte_quota / block_quota: 0 means none.
  SendLedger(uint32_t block_len, uint32_t call_len, uint64_t byte_quota, uint64_t block_quota)
      : block_len_(std::max<uint32_t>(block_len, 1)),
        call_len_(std::max(call_len, block_len_)),
        limit_(quota_limit(block_len_, byte_quota, block_quota)) {}

  // Bytes the next call should write; 0 once a quota is reached.
  uint64_t next_len() const {
    uint64_t want = call_len_ - sent_ % call_len_;
    if (limit_) want = sent_ >= limit_ ? 0 : std::min(want, limit_ - sent_);
    return want;
  }
  bool done() const { return limit_ && sent_ >= limit_; }
  // Where the next call starts within the block (the payload repeats the block).
  uint32_t block_offset() const { return static_cast<uint32_t>(sent_ % block_len_); }
  // Records `n` bytes the kernel took.
  void sent(uint64_t n) { sent_ += n; }
  uint64_t bytes() const { return sent_; }
  uint64_t blocks() const { return sent_ / block_len_; }  // whole blocks, as iperf3 counts them
  // Whether the last call completed a whole number of `burst` blocks (-b RATE/BURST's rate check).
  bool at_burst_boundary(uint64_t burst) const {
    return sent_ % block_len_ == 0 && blocks() % std::max<uint64_t>(burst, 1) == 0;
  }

 private:
  static uint64_t quota_limit(uint32_t block_len, uint64_t byte_quota, uint64_t block_quota) {
    uint64_t limit = byte_quota;
    if (block_quota) {
      // Saturating: a huge -k is "no limit" in practice, never a wrapped small one.
      const uint64_t by_blocks = block_quota > UINT64_MAX / block_len ? UINT64_MAX : block_quota * block_len;
      limit = limit ? std::min(limit, by_blocks) : by_blocks;
    }
    return limit;
  }

  uint32_t block_len_;
  uint32_t call_len_;
  uint64_t limit_;  // bytes; 0 = no quota
  uint64_t sent_ = 0;
};

// The iovecs that cover `len` bytes of `block` repeated end to end, starting
// `offset` bytes into it: a multi-block call needs no buffer larger than the
// block. A receiver passes its one discard buffer the same way (the bytes are
// counted, never read). Returns the number of iovecs written, at most `max`
// (the bytes past those are left for the next call).
inline size_t pattern_iovecs(char* block, uint32_t block_len, uint32_t offset, uint64_t len, iovec* out,
                             size_t max) {
  size_t n = 0;
  for (uint64_t left = len; left > 0 && n < max && block_len > 0; ++n) {
    const uint32_t start = n == 0 ? offset % block_len : 0;
    const uint64_t take = std::min<uint64_t>(left, block_len - start);
    out[n].iov_base = block + start;
    out[n].iov_len = static_cast<size_t>(take);
    left -= take;
  }
  return n;
}

// iovecs a call may need: kMaxBlocksPerCall blocks starting part-way into one.
constexpr size_t kMaxCallIovecs = kMaxBlocksPerCall + 1;

}  // namespace nperf::engine
