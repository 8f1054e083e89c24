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
#include "nperf/net/socket_options.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/server_test.hpp"
#include "nperf/session/session_common.hpp"

namespace nperf::session {

using asio::use_awaitable;
using protocol::State;

ServerSession::ServerSession(const Config& config, report::Reporter& reporter)
    : config_(config), reporter_(reporter), acceptor_(io_) {}

ServerSession::~ServerSession() = default;

void ServerSession::open_listener() {
  using asio::ip::tcp;
  std::error_code ec;
  tcp::endpoint endpoint;
  if (!config_.bind_address.empty()) {
    auto address = asio::ip::make_address(config_.bind_address, ec);
    if (ec) throw SessionError(fmt::format("bad bind address '{}': {}", config_.bind_address, ec.message()));
    endpoint = tcp::endpoint(address, config_.port);
  } else if (config_.family == AddressFamily::kIpv4) {
    endpoint = tcp::endpoint(tcp::v4(), config_.port);
  } else {
    endpoint = tcp::endpoint(tcp::v6(), config_.port);
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (ec && endpoint.protocol() == tcp::v6() && config_.bind_address.empty() &&
      config_.family == AddressFamily::kAny) {
    endpoint = tcp::endpoint(tcp::v4(), config_.port);  // no IPv6 on this host
    acceptor_.open(endpoint.protocol(), ec);
  }
  if (ec) throw SessionError(fmt::format("unable to create the listening socket: {}", ec.message()));
  // Accepted connections inherit the device; the UDP data sockets get it in open_udp_socket().
  if (std::string error; !config_.bind_device.empty() &&
                         !net::bind_to_device(acceptor_.native_handle(), config_.bind_device, &error))
    throw SessionError(error);
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  if (endpoint.protocol() == tcp::v6())
    acceptor_.set_option(asio::ip::v6_only(config_.family == AddressFamily::kIpv6), ec);
  acceptor_.bind(endpoint, ec);
  if (ec)
    throw SessionError(
        fmt::format("unable to start listener for connections: {} (port {})", ec.message(), config_.port));
  acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw SessionError(fmt::format("unable to listen on port {}: {}", config_.port, ec.message()));
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
    open_listener();
    if (!config_.metrics.empty() && !start_metrics()) return kExitTestFailed;
  } catch (const SessionError& e) {
    hold_termination_signals();
    reporter_.on_error(e.what());
    return kExitTestFailed;
  }
  asio::co_spawn(io_, accept_loop(), asio::detached);
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
  if (test_ && test_->run) test_->run->join();
  return exit_code_;
}

int ServerSession::serve_connected(int control_fd) {
  ++tests_started_;
  test_ = std::make_shared<ServerTest>(io_);
  asio::ip::tcp::socket socket(io_, asio::ip::tcp::v4(), control_fd);
  asio::co_spawn(io_, run_test(test_, std::move(socket)), [this](std::exception_ptr e) { test_done(e); });
  io_.run();
  if (test_ && test_->run) test_->run->join();
  return exit_code_;
}

void ServerSession::on_signal(int signal) {
  if (test_) {
    if (test_->control) test_->control->send_state_now(State::kServerTerminate);
    if (test_->run && test_->phase == ServerTest::Phase::kRunning) {
      test_->run->stop(monotonic_now());
      test_->reporters->on_end(test_->run->end_report(nullptr));
    }
    if (test_->reporters) test_->reporters->on_finish();
  }
  reporter_.on_error(fmt::format("interrupt - the server has terminated by signal {}", signal));
  exit_code_ = kExitOk;
  io_.stop();
}

asio::awaitable<void> ServerSession::accept_loop() {
  reporter_.on_server_listening(config_.port, tests_started_ + 1);
  for (;;) {
    std::error_code ec;
    asio::ip::tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, ec));
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) continue;  // e.g. the peer reset before we accepted; keep serving
    if (!admit_connection(config_, socket, reporter_)) {  // --allow (issue #18)
      if (metrics_) metrics_->error("not_allowed");
      continue;
    }
    if (test_ && test_->phase == ServerTest::Phase::kFinishing && !config_.one_off) {
      // A client started right after the previous one finished can arrive
      // before that test's IPERF_DONE (already sent) has been read: wait for it
      // (at most 1 s) instead of answering "busy" (the soak test saw this).
      asio::steady_timer pause(io_);
      for (int i = 0; i < 200 && test_ && test_->phase == ServerTest::Phase::kFinishing; ++i) {
        pause.expires_after(std::chrono::milliseconds(5));
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      }
    }
    if (!test_) {
      ++tests_started_;
      test_ = std::make_shared<ServerTest>(io_);
      asio::co_spawn(io_, run_test(test_, std::move(socket)), [this](std::exception_ptr e) { test_done(e); });
    } else if (test_->phase == ServerTest::Phase::kCreatingStreams) {
      asio::co_spawn(io_, take_data_connection(test_, std::move(socket)), asio::detached);
    } else {
      // One test at a time: answer ACCESS_DENIED at once, without reading.
      if (metrics_) metrics_->error("busy");
      std::error_code ignored;
      socket.non_blocking(true, ignored);
      ControlChannel::send_state_now(socket, State::kAccessDenied);
      socket.close(ignored);
    }
  }
}

void ServerSession::test_done(std::exception_ptr error) {
  std::shared_ptr<ServerTest> test = std::move(test_);
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      if (test->run) test->run->stop(monotonic_now());
      (test->reporters ? static_cast<report::Reporter&>(*test->reporters) : reporter_).on_error(e.what());
    }
  }
  if (test->run) test->run->join();
  if (metrics_) record_test(*test, error);
  for (const auto& s : test->streams) ::close(s.fd);  // streams that never reached a TestRun
  test->streams.clear();
  if (test->control) test->control->close();
  if (test->pinned) net::unpin_current_thread();
  if (test->reporters)
    test->reporters->on_finish();
  else if (error)
    reporter_.on_finish();  // e.g. -J: a document holding just the error, not carried into the next test
  test->phase = ServerTest::Phase::kDone;
  if (config_.one_off) {
    if (error) exit_code_ = kExitTestFailed;
    io_.stop();
    return;
  }
  reporter_.on_server_listening(config_.port, tests_started_ + 1);
}

}  // namespace nperf::session
