#pragma once
#include <atomic>
#include <string>

#include "nperf/engine/stream_engine.hpp"

namespace nperf::engine {

// The per-stream loops. They return when the stop flag is set, the quota is
// reached or the peer closes; a non-empty return value is an error message.
std::string run_tcp_sender(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);
std::string run_tcp_receiver(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);

}  // namespace nperf::engine
