#include "nperf/session/server_rate_guard.hpp"

#include <chrono>

#include <fmt/format.h>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "nperf/protocol/iperf_error.hpp"

namespace nperf::session {

double bitrate_window_seconds(const Config& config) {
  if (config.server_bitrate_window_s > 0) return config.server_bitrate_window_s;
  return config.interval_s > 0 ? config.interval_s : 1.0;
}

uint64_t watched_udp_budget_bps(const Config& config, const TestSpec& spec, const Side& side) {
  if (config.server_bitrate_limit == 0 || spec.protocol != Protocol::kUdp || !side.receives()) return 0;
  // Each stream's share, as admission gives it (limit / streams), times the
  // streams this end receives: the rest is what our own senders may use.
  const auto streams = static_cast<uint64_t>(spec.total_streams());
  const auto received = static_cast<uint64_t>(spec.parallel);
  return config.server_bitrate_limit / streams * received;
}

ServerRateGuard::ServerRateGuard(const Config& config, const ServerTest& test, double start) {
  uint64_t budget = watched_udp_budget_bps(config, test.spec, test.side);
  // A server running tests at once gave this test its share of the limit
  // (server_load.hpp): that share is what its unlimited UDP may average (a
  // test that asked for a rate was admitted for it and is held to the limit).
  if (budget > 0 && test.stream_rate_cap > 0 && test.spec.rate_bps == 0)
    budget = test.stream_rate_cap * static_cast<uint64_t>(test.spec.parallel);
  if (budget > 0) window_.emplace(budget, bitrate_window_seconds(config), start, test.run->bytes_received());
}

asio::awaitable<bool> ServerRateGuard::check(ServerTest& test, double now) {
  if (!window_ || !window_->exceeded(now, test.run->bytes_received())) co_return false;
  test.reporters->on_error(fmt::format(
      "{}: the client's UDP averaged {:.0f} bit/s over the last {:g} s, above its {} bit/s share of "
      "--server-bitrate-limit",
      protocol::describe_iperf_error(protocol::kIeTotalRate), window_->average_bps(), window_->window_s(),
      window_->limit_bps()));
  try {
    co_await test.control->write_server_error(protocol::kIeTotalRate, 0);
  } catch (const std::exception&) {
    // The client is gone already: the test ends all the same.
  }
  // The data sockets stay open until the client has read the error and
  // closed (the test then ends as after any control EOF), 2 s at most: closed
  // at once, they turn the next datagrams of a client still sending into
  // ICMP "port unreachable", and iperf3 3.12 then dies of "unable to write to
  // stream socket: Connection refused" before it reads why (seen here).
  asio::steady_timer pause(co_await asio::this_coro::executor);
  for (int i = 0; i < 40 && test.phase == ServerTest::Phase::kRunning; ++i) {
    pause.expires_after(std::chrono::milliseconds(50));
    co_await pause.async_wait(asio::use_awaitable);
  }
  test.control->close();
  co_return true;
}

}  // namespace nperf::session
