#pragma once
// When a TCP worker's calls read or write a small buffer repeated by iovecs
// instead of a buffer as large as the call.
//
// Measured (docs/architecture.md, "Buffers the size of a call"): with two or
// more streams on a host, each core runs several workers, and 1 MiB buffers
// per worker push each other out of the core's cache on every call; -P 2 -l 1M
// on two cores received 17-22 % more with 128 KiB behind each call. With one
// stream the flat buffer was as fast or faster, so it stays.
//
// Pure: the worker makes the calls.
#include <algorithm>
#include <cstdint>

#include "nperf/engine/tcp_calls.hpp"

namespace nperf::engine {

// The memory behind a compact call: the default block, so the default path
// (8 blocks per call) repeats its own block as it always did.
constexpr uint32_t kCompactUnit = 128 * 1024;
// The longest compact call: one iovec per unit (kMaxCallIovecs), so a call is
// never cut into several for want of iovecs. Longer blocks keep the plain path.
constexpr uint32_t kCompactLongestCall = kMaxBlocksPerCall * kCompactUnit;

// Whether an engine running `tcp_streams` TCP workers compacts their buffers.
constexpr bool compact_buffers_for(int tcp_streams) {
  return tcp_streams >= 2;
}

// The period of a compact sender's block: kCompactUnit when a block is a whole
// number of units (its random payload is then one unit repeated, so the stream
// is still exactly the block repeated), else the block itself.
// --repeating-payload's pattern ("0123456789…", restarting at each block) is
// not periodic in the unit, so those blocks stay whole.
constexpr uint32_t payload_period(uint32_t block_len, bool compact, bool repeating) {
  if (!compact || repeating || block_len <= kCompactUnit || block_len % kCompactUnit != 0 ||
      block_len > kCompactLongestCall)
    return block_len;
  return kCompactUnit;
}

// A compact sender's unit, or 0 for the plain path: only where a call spans
// more than a unit and the block repeats with the unit's period.
constexpr uint32_t compact_send_unit(uint32_t block_len, uint32_t call_len, bool compact, bool repeating) {
  const uint32_t longest = std::max(block_len, call_len);
  if (!compact || longest <= kCompactUnit || longest > kCompactLongestCall) return 0;
  if (block_len == kCompactUnit || payload_period(block_len, compact, repeating) == kCompactUnit)
    return kCompactUnit;
  return 0;
}

// A compact receiver's unit, or 0: the bytes read are counted, never looked
// at, so any call larger than a unit can land in one.
constexpr uint32_t compact_receive_unit(uint32_t block_len, uint32_t call_len, bool compact) {
  const uint32_t longest = std::max(block_len, call_len);
  return compact && longest > kCompactUnit && longest <= kCompactLongestCall ? kCompactUnit : 0;
}

}  // namespace nperf::engine
