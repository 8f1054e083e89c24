#pragma once
// The bytes a sender writes: random (fixed per stream, as iperf3) or, with
// --repeating-payload, iperf3's ASCII pattern "0123456789" repeated.
// `period` (random bytes only): the first `period` bytes repeated through the
// block, for a sender whose calls read a smaller region (compact_buffers.hpp).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>

namespace nperf::engine {

inline void fill_payload(std::span<uint8_t> out, bool repeating, size_t period = 0) {
  if (repeating) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>('0' + i % 10);
    return;
  }
  std::mt19937_64 rng(std::random_device{}());
  const size_t random = period > 0 ? std::min(period, out.size()) : out.size();
  for (size_t i = 0; i < random; ++i) out[i] = static_cast<uint8_t>(rng());
  for (size_t i = random; i < out.size(); ++i) out[i] = out[i - random];
}

}  // namespace nperf::engine
