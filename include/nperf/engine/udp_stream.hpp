#pragma once
#include <atomic>
#include <string>

#include "nperf/engine/stream_engine.hpp"

namespace nperf::engine {

// UDP loops: batches of datagrams per syscall (sendmmsg/recvmmsg), each
// datagram exactly block_len bytes with iperf3's header, evenly paced.
std::string run_udp_sender(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);
std::string run_udp_receiver(const StreamPlan& plan, StreamCounters& counters, const std::atomic<bool>& stop);

}  // namespace nperf::engine
