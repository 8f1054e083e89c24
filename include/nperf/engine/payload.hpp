#pragma once
// The bytes a sender writes: random (fixed per stream, as iperf3) or, with
// --repeating-payload, iperf3's ASCII pattern "0123456789" repeated.
#include <cstdint>
#include <random>
#include <span>

namespace nperf::engine {

inline void fill_payload(std::span<uint8_t> out, bool repeating) {
  if (repeating) {
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<uint8_t>('0' + i % 10);
    return;
  }
  std::mt19937_64 rng(std::random_device{}());
  for (auto& b : out) b = static_cast<uint8_t>(rng());
}

}  // namespace nperf::engine
