#include "nperf/session/server_session.hpp"
#include "nperf/session/auth_gate.hpp"

#include <csignal>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include "nperf/net/affinity.hpp"
#include "nperf/net/mptcp.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/server_test.hpp"
#include "nperf/session/session_common.hpp"

namespace nperf::session {

using asio::use_awaitable;
using protocol::State;

namespace {

LoadLimits load_limits(const Config& config) {
  LoadLimits limits;
  limits.max_tests_per_port = config.max_tests;
  limits.ports = static_cast<int>(std::max<size_t>(1, config.ports.size()));
  limits.bitrate_limit = config.server_bitrate_limit;
  return limits;
}

}  // namespace

ServerSession::ServerSession(const Config& config, report::Reporter& reporter)
    : config_(config), reporter_(reporter), load_(load_limits(config)) {
  if (config_.ports.empty()) config_.ports.push_back(config_.port);
}

ServerSession::~ServerSession() = default;

void ServerSession::set_test_reporters(TestReporterFactory factory, report::LineSink out,
                                       report::LineSink err) {
  test_reporter_factory_ = std::move(factory);
  out_ = std::move(out);
  err_ = std::move(err);
}

// -m: an MPTCP listening socket, which accepts plain TCP clients too.
void ServerSession::open_acceptor(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp& protocol,
                                  std::error_code& ec) {
  if (!config_.mptcp_listener) {
    acceptor.open(protocol, ec);
    return;
  }
  std::string error;
  int fd = net::open_mptcp_socket(protocol.family(), &error);
  if (fd < 0) {
    ec = std::error_code(errno, std::system_category());
    return;
  }
  acceptor.assign(protocol, fd, ec);
  if (ec) ::close(fd);
}

void ServerSession::open_listener(Listener& listener) {
  using asio::ip::tcp;
  std::error_code ec;
  tcp::endpoint endpoint;
  asio::ip::tcp::acceptor& acceptor = listener.acceptor;
  if (!config_.bind_address.empty()) {
    auto address = asio::ip::make_address(config_.bind_address, ec);
    if (ec) throw SessionError(fmt::format("bad bind address '{}': {}", config_.bind_address, ec.message()));
    endpoint = tcp::endpoint(address, listener.port);
  } else if (config_.family == AddressFamily::kIpv4) {
    endpoint = tcp::endpoint(tcp::v4(), listener.port);
  } else {
    endpoint = tcp::endpoint(tcp::v6(), listener.port);
  }
  open_acceptor(acceptor, endpoint.protocol(), ec);
  if (ec && endpoint.protocol() == tcp::v6() && config_.bind_address.empty() &&
      config_.family == AddressFamily::kAny) {
    endpoint = tcp::endpoint(tcp::v4(), listener.port);  // no IPv6 on this host
    open_acceptor(acceptor, endpoint.protocol(), ec);
  }
  if (ec) throw SessionError(fmt::format("unable to create the listening socket: {}", ec.message()));
  // Accepted connections inherit the device; the UDP data sockets get it in open_udp_socket().
  if (std::string error; !config_.bind_device.empty() &&
                         !net::bind_to_device(acceptor.native_handle(), config_.bind_device, &error))
    throw SessionError(error);
  acceptor.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.protocol() == tcp::v6())
    acceptor.set_option(asio::ip::v6_only(config_.family == AddressFamily::kIpv6), ec);
  acceptor.bind(endpoint, ec);
  if (ec)
    throw SessionError(
        fmt::format("unable to start listener for connections: {} (port {})", ec.message(), listener.port));
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw SessionError(fmt::format("unable to listen on port {}: {}", listener.port, ec.message()));
}

int ServerSession::run() {
  // The handler first: a signal that comes while the listener opens (or one
  // main() held) ends the server through on_signal, never by default action.
  asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([this](std::error_code ec, int signal) {
    if (!ec) on_signal(signal);
  });
  release_termination_signals();
  try {
    for (uint16_t port : config_.ports) {
      listeners_.push_back(std::make_unique<Listener>(io_, port));
      open_listener(*listeners_.back());
    }
    if (!config_.metrics.empty() && !start_metrics()) return kExitTestFailed;
  } catch (const SessionError& e) {
    hold_termination_signals();
    reporter_.on_error(e.what());
    return kExitTestFailed;
  }
  announce_listening();
  for (auto& listener : listeners_) asio::co_spawn(io_, accept_loop(*listener), asio::detached);
  asio::steady_timer idle(io_);
  if (config_.one_off && config_.idle_timeout_s > 0) {
    // iperf3's --idle-timeout with -1: nobody came, so leave (exit code 0).
    idle.expires_after(std::chrono::seconds(config_.idle_timeout_s));
    idle.async_wait([this](std::error_code ec) {
      if (!ec && tests_started_ == 0) io_.stop();
    });
  }
  io_.run();
  hold_termination_signals();  // the signal_set goes with this scope; main() still has a pid file to remove
  for (auto& [id, test] : tests_)
    if (test->run) test->run->join();
  return exit_code_;
}

int ServerSession::serve_connected(int control_fd) {
  listeners_.push_back(std::make_unique<Listener>(io_, config_.port));  // never opened: no streams come
  asio::ip::tcp::socket socket(io_, asio::ip::tcp::v4(), control_fd);
  asio::co_spawn(io_, serve_connection(*listeners_.back(), std::move(socket)), asio::detached);
  io_.run();
  for (auto& [id, test] : tests_)
    if (test->run) test->run->join();
  return exit_code_;
}

void ServerSession::on_signal(int signal) {
  for (auto& [id, test] : tests_) {
    if (test->control) test->control->send_state_now(State::kServerTerminate);
    if (test->run && test->phase == ServerTest::Phase::kRunning) {
      test->run->stop(monotonic_now());
      test->reporters->on_end(end_report_of(*test, nullptr, false));
    }
    if (test->reporters) test->reporters->on_finish();
    write_held_output(*test);
  }
  reporter_.on_error(fmt::format("interrupt - the server has terminated by signal {}", signal));
  exit_code_ = kExitOk;
  io_.stop();
}

asio::awaitable<void> ServerSession::accept_loop(Listener& listener) {
  for (;;) {
    std::error_code ec;
    asio::ip::tcp::socket socket =
        co_await listener.acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. the peer reset before we accepted; keep serving
    if (!admit_connection(config_, socket, reporter_)) {  // --allow (issue #18)
      if (metrics_) metrics_->error("not_allowed");
      continue;
    }
    if (port_full(listener)) {
      // As iperf3: every slot is taken and no test waits for data
      // connections, so this one cannot be served; answer without reading.
      if (metrics_) metrics_->error("busy");
      std::error_code ignored;
      socket.non_blocking(true, ignored);
      ControlChannel::send_state_now(socket, State::kAccessDenied);
      continue;
    }
    if (pending_ >= kMaxPendingConnections) {
      // A flood of connections that send nothing: each waits out its own
      // deadline, and beyond the cap new ones are closed (fds stay bounded).
      if (metrics_) metrics_->error("pending_cap");
      continue;
    }
    asio::co_spawn(io_, serve_connection(listener, std::move(socket)), asio::detached);
  }
}

bool ServerSession::port_full(const Listener& listener) const {
  if (load_.running_on(listener.port) < config_.max_tests) return false;
  for (const auto& [id, test] : tests_)
    if (&test->listener == &listener && test->phase == ServerTest::Phase::kCreatingStreams) return false;
  return true;
}

std::shared_ptr<ServerTest> ServerSession::test_expecting(
    const Listener& listener, const std::array<uint8_t, protocol::kCookieWireSize>& cookie) {
  for (auto& [id, test] : tests_)
    if (&test->listener == &listener && test->phase == ServerTest::Phase::kCreatingStreams &&
        protocol::cookie_from_wire(test->cookie) == protocol::cookie_from_wire(cookie))
      return test;
  return nullptr;
}

asio::awaitable<void> ServerSession::serve_connection(Listener& listener, asio::ip::tcp::socket socket) {
  PendingSlot pending(pending_);
  std::error_code ignored;
  auto peer = socket.remote_endpoint(ignored);
  auto channel = std::make_unique<ControlChannel>(std::move(socket));
  if (debug_sink_) channel->set_trace(debug_sink_);
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  try {
    // Nothing is held while the cookie comes: a silent connection only waits out its deadline.
    cookie = co_await channel->read_cookie(kCookieTimeout);
  } catch (const SessionError& e) {
    if (debug_sink_)
      debug_sink_(fmt::format("connection from {} closed without a cookie: {}\n",
                              format_address(peer.address()), e.what()));
    if (metrics_) metrics_->error("no_cookie");
    co_return;
  }
  if (auto test = test_expecting(listener, cookie)) {
    pending.release();
    take_data_connection(*test, std::move(channel));
    co_return;
  }
  if (one_off_done_) co_return;  // -1: the one test has been served; the server is on its way out
  if (load_.running_on(listener.port) >= config_.max_tests) {
    // Every slot of the port is taken: answer at once, as iperf3 does, without
    // reading parameters (it holds nothing either way).
    if (metrics_) metrics_->error("busy");
    channel->send_state_now(State::kAccessDenied);
    co_return;
  }
  auto test = std::make_shared<ServerTest>(io_, ++tests_started_, listener);
  test->cookie = cookie;
  test->control = std::move(channel);
  tests_[test->id] = test;
  std::exception_ptr error;
  try {
    co_await run_test(test, peer, pending);
  } catch (...) {
    error = std::current_exception();
  }
  test_done(test, error);
}

void ServerSession::test_done(const std::shared_ptr<ServerTest>& test, std::exception_ptr error) {
  tests_.erase(test->id);
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      if (test->run) test->run->stop(monotonic_now());
      (test->reporters ? static_cast<report::Reporter&>(*test->reporters) : reporter_).on_error(e.what());
    }
  }
  if (test->run) test->run->join();
  note_test_ended(*test);
  load_.release(test->id);
  if (metrics_) record_test(*test, error);
  for (const auto& s : test->streams) ::close(s.fd);  // streams that never reached a TestRun
  test->streams.clear();
  if (test->control) test->control->close();
  if (test->pinned) net::unpin_current_thread();
  if (test->reporters)
    test->reporters->on_finish();
  else if (error)
    reporter_.on_finish();  // e.g. -J: a document holding just the error, not carried into the next test
  write_held_output(*test);
  const bool busy_answer = !error && !test->admitted;
  test->phase = ServerTest::Phase::kDone;
  if (busy_answer) return;  // told ACCESS_DENIED: no test ran, nothing to announce
  if (config_.one_off) {
    one_off_done_ = true;
    if (error) exit_code_ = kExitTestFailed;
    io_.stop();
    return;
  }
  announce_listening();
}

void ServerSession::announce_listening() {
  reporter_.on_server_listening(config_.port, tests_started_ + 1);
}

}  // namespace nperf::session
