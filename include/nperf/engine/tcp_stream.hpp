#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "nperf/engine/stream_engine.hpp"

namespace nperf::engine {

// The bytes a sender's calls repeat when its buffers are compact
// (compact_buffers.hpp): the block's first 128 KiB, or 0 for the plain path
// (the block itself). Exposed for the unit tests.
uint32_t compact_pattern_len(const StreamPlan& plan, const std::vector<char>& block);

// The per-stream loops. They return when the stop flag is set, the quota is
// reached or the peer closes; a non-empty return value is an error message.
std::string run_tcp_sender(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);
std::string run_tcp_receiver(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);

}  // namespace nperf::engine
