#pragma once
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "nperf/engine/mirrored_buffer.hpp"
#include "nperf/engine/stream_engine.hpp"

namespace nperf::engine {

// The per-stream loops. They return when the stop flag is set, the quota is
// reached or the peer closes; a non-empty return value is an error message.
// A compact sender's region (compact_buffers.hpp): the block's first unit
// mirrored over a call from any offset; nullptr where the plain path applies.
// Read-only once made, so one serves every sender of a test.
std::shared_ptr<const MirroredBuffer> make_send_mirror(const StreamPlan& plan,
                                                       const std::vector<char>& block);

std::string run_tcp_sender(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);
std::string run_tcp_receiver(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);

}  // namespace nperf::engine
