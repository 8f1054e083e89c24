#pragma once
// When a TCP worker's calls use a small region of memory mirrored over the
// call (mirrored_buffer.hpp) instead of a buffer as large as the call.
//
// Measured (docs/architecture.md, "Buffers the size of a call"): with two or
// more streams on a host, each core runs several workers, and 1 MiB buffers
// per worker push each other out of the core's cache on every call; -P 2 -l 1M
// on two cores received 12-15 % more with 128 KiB mirrored. With one stream
// the flat buffer was as fast or faster, so it stays.
//
// Pure: the worker maps the memory.
#include <algorithm>
#include <cstdint>

namespace nperf::engine {

// The memory behind a compact call buffer: a whole number of pages, and the
// default block, so the default path (8 blocks per call) repeats its own block.
constexpr uint32_t kCompactUnit = 128 * 1024;

// Whether an engine running `tcp_streams` TCP workers compacts their buffers.
constexpr bool compact_buffers_for(int tcp_streams) {
  return tcp_streams >= 2;
}

// The bytes a compact sender's block repeats with: kCompactUnit when a block
// is a whole number of units (its random payload is then one unit repeated,
// so the stream is still exactly the block repeated), else the block itself.
// --repeating-payload's pattern ("0123456789…", restarting at each block) is
// not periodic in the unit, so those blocks stay whole.
constexpr uint32_t payload_period(uint32_t block_len, bool compact, bool repeating) {
  if (!compact || repeating || block_len <= kCompactUnit || block_len % kCompactUnit != 0) return block_len;
  return kCompactUnit;
}

// A compact sender's unit, or 0 for the plain path: only where a call spans
// more than a unit and the block repeats with the unit's period.
constexpr uint32_t compact_send_unit(uint32_t block_len, uint32_t call_len, bool compact, bool repeating) {
  if (!compact || std::max(block_len, call_len) <= kCompactUnit) return 0;
  if (block_len == kCompactUnit || payload_period(block_len, compact, repeating) == kCompactUnit)
    return kCompactUnit;
  return 0;
}

// A compact receiver's unit, or 0: the bytes read are counted, never looked
// at, so any call larger than a unit can land in one.
constexpr uint32_t compact_receive_unit(uint32_t block_len, uint32_t call_len, bool compact) {
  return compact && std::max(block_len, call_len) > kCompactUnit ? kCompactUnit : 0;
}

}  // namespace nperf::engine
