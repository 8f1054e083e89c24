#pragma once
// Small pieces both sessions need: how addresses are printed, the start-of-test
// facts, stream ids and directions.
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "nperf/config/config.hpp"
#include "nperf/config/side.hpp"
#include "nperf/config/version.hpp"
#include "nperf/stats/report_model.hpp"

namespace nperf::session {

// IPv4-mapped IPv6 addresses print as plain IPv4, as iperf3 does.
std::string format_address(const asio::ip::address& address);
// iperf3 stream ids by creation index: 1, 3, 4, 5, ...
int stream_id(int index);
// Does the stream created at `index` go client -> server?
bool stream_is_forward(const TestSpec& spec, int index);
// Fills version, system_info and the timestamps.
void fill_host_facts(TestStartInfo* info);
// Clears O_NONBLOCK (asio leaves it set) so the worker can block in send/recv.
void make_blocking(int fd);
StreamInfo describe_stream(int fd, int index, const Side& side, const TestSpec& spec);
// Waits on `timer` until the monotonic time `wake` (seconds, as monotonic_now()).
asio::awaitable<void> sleep_until(asio::steady_timer& timer, double wake);

}  // namespace nperf::session
