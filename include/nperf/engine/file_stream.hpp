#pragma once
// -F FILE on a TCP stream, as iperf3: a sender's bytes come from the file and
// it stops at its end; a receiver writes every byte it reads into the file.
// tcp_stream.cpp hands a plan with a data_file to these loops.
#include <atomic>
#include <string>

#include "nperf/engine/stream_engine.hpp"

namespace nperf::engine {

std::string run_tcp_file_sender(const StreamPlan& plan, StreamCounters& counters,
                                const std::atomic<bool>& stop);
std::string run_tcp_file_receiver(const StreamPlan& plan, StreamCounters& counters,
                                  const std::atomic<bool>& stop);

}  // namespace nperf::engine
