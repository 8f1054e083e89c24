#pragma once
// --server-bitrate-limit RATE/SECS on a running test: what the server cannot
// slow down, it watches. nperf's server paces what it sends and reads TCP no
// faster than each stream's share of the limit (admission.cpp), so TCP and
// its own sending hold the limit by themselves. UDP arriving from the client
// cannot be slowed: when it averages more than its streams' share over the
// last SECS seconds, the test ends with SERVER_ERROR 27 (IETOTALRATE), as
// iperf3's server ends a test whose total rate over that window exceeds the
// limit. ServerSession::keep_time asks check() on every wake.
#include <cstdint>
#include <optional>

#include <asio/awaitable.hpp>

#include "nperf/config/config.hpp"
#include "nperf/session/bitrate_window.hpp"
#include "nperf/session/server_test.hpp"

namespace nperf::session {

// The averaging window RATE/SECS asks for: SECS, or for SECS 0 the report
// interval (iperf3 then judges each interval alone), 1 s with -i 0.
double bitrate_window_seconds(const Config& config);

// The bit rate UDP arriving at this server may average: the limit's share of
// the streams it receives (forward: all of them; --bidir: half). 0 when
// nothing is watched: no limit, TCP, or a -R test (the server only sends).
uint64_t watched_udp_budget_bps(const Config& config, const TestSpec& spec, const Side& side);

class ServerRateGuard {
 public:
  // `start`: when the test's counters started (TestRun::start).
  ServerRateGuard(const Config& config, const ServerTest& test, double start);

  bool active() const { return window_.has_value(); }
  // True when the limit was exceeded: the error is reported, SERVER_ERROR 27
  // sent and the control connection closed (the test then ends as after any
  // control failure). False otherwise, and always when not active().
  asio::awaitable<bool> check(ServerTest& test, double now);

 private:
  std::optional<BitrateWindow> window_;
};

}  // namespace nperf::session
