#include "nperf/session/server_session.hpp"

#include <csignal>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/udp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "nperf/config/validate.hpp"
#include "nperf/net/affinity.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/report/tee_reporter.hpp"
#include "nperf/report/text_reporter.hpp"
#include "nperf/session/auth_gate.hpp"
#include "nperf/session/control_channel.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/session_common.hpp"
#include "nperf/session/test_run.hpp"

namespace nperf::session {

using asio::use_awaitable;
using protocol::State;

// Deadlines a normal test never hits (see docs/robustness.md).
inline constexpr Duration kCookieTimeout{10'000};
inline constexpr Duration kParamsTimeout{10'000};
inline constexpr Duration kStreamsTimeout{30'000};
inline constexpr double kSafetyMarginS = 40;  // as iperf3: 4 s "max RTT" x 10 state changes

struct ServerTest {
  // kFinishing: results delivered, only the client's IPERF_DONE is still due.
  enum class Phase { kHandshake, kCreatingStreams, kRunning, kEnding, kFinishing, kDone };
  explicit ServerTest(asio::io_context& io) : streams_ready(io) {}

  Phase phase = Phase::kHandshake;
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  TestSpec spec;
  TestStartInfo start_info;
  std::vector<DataStream> streams;
  asio::steady_timer streams_ready;  // cancelled when the last data connection arrived
  std::unique_ptr<TestRun> run;
  std::unique_ptr<ControlChannel> control;
  // The reporters for this test: the process's own plus, with
  // --get-server-output, one that captures what this test printed.
  std::unique_ptr<report::Reporter> capture;
  std::string captured_text;
  report::JsonReporter* captured_json = nullptr;
  std::unique_ptr<report::TeeReporter> reporters;
  bool pinned = false;
};

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

void ServerSession::on_signal(int signal) {
  if (test_) {
    if (test_->control) {
      uint8_t byte = protocol::to_wire(State::kServerTerminate);
      std::error_code ignored;
      asio::write(test_->control->socket(), asio::buffer(&byte, 1), ignored);
    }
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
    if (!admit_connection(config_, socket, reporter_)) continue;  // --allow (issue #18)
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
      uint8_t denied = protocol::to_wire(State::kAccessDenied);
      std::error_code ignored;
      socket.non_blocking(true, ignored);
      asio::write(socket, asio::buffer(&denied, 1), ignored);
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

asio::awaitable<void> ServerSession::run_test(std::shared_ptr<ServerTest> test,
                                              asio::ip::tcp::socket socket) {
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  net::set_user_timeout(socket.native_handle(), config_.snd_timeout_ms);
  if (config_.control_keepalive.enabled) {
    const auto& ka = config_.control_keepalive;
    net::set_keepalive(socket.native_handle(), ka.idle_s, ka.interval_s, ka.count);
  }
  auto peer = socket.remote_endpoint(ignored);
  test->control = std::make_unique<ControlChannel>(std::move(socket));
  if (debug_sink_) test->control->set_trace(debug_sink_);
  ControlChannel& control = *test->control;

  test->cookie = co_await control.read_cookie(kCookieTimeout);
  co_await control.write_state(State::kParamExchange);
  std::string text, bad_frame;
  try {
    text = co_await control.read_json(protocol::kMaxParamsLength, kParamsTimeout);
  } catch (const TimeoutError&) {
    throw;
  } catch (const SessionError& e) {
    bad_frame = e.what();  // answered below: a coroutine cannot co_await inside a handler
  }
  if (!bad_frame.empty()) {
    co_await control.write_server_error(kIeRecvParams, 0);
    throw SessionError(fmt::format("unable to receive parameters from client: {}", bad_frame), kIeRecvParams);
  }
  auto decoded = protocol::decode_params(text);
  if (!decoded.spec) {
    co_await control.write_server_error(kIeRecvParams, 0);
    throw SessionError(fmt::format("bad parameters from client: {}", decoded.error), kIeRecvParams);
  }
  co_await authenticate_client(config_, text, peer.address(), control, reporter_);  // issue #18
  TestSpec& spec = test->spec = *decoded.spec;
  if (auto errors = validate(spec); !errors.empty()) {
    int code = spec.parallel > kMaxStreams                  ? kIeNumStreams
               : spec.burst > Limits::kMaxBurst             ? kIeBurst
               : spec.tos < 0 || spec.tos > Limits::kMaxTos ? kIeBadTos
                                                            : 1;
    co_await control.write_server_error(code, 0);
    throw SessionError(fmt::format("rejected parameters from client: {}", errors.front()));
  }
  if (config_.server_max_duration_s > 0 &&
      (spec.duration_s <= 0 || spec.duration_s + spec.omit_s > config_.server_max_duration_s)) {
    co_await control.write_server_error(kIeMaxDuration, 0);
    throw SessionError(fmt::format("refused a {} s test: --server-max-duration is {} s",
                                   spec.duration_s + spec.omit_s, config_.server_max_duration_s),
                       kIeMaxDuration);
  }
  uint64_t stream_cap = 0;
  if (config_.server_bitrate_limit) {
    uint64_t limit = config_.server_bitrate_limit;
    uint64_t streams = static_cast<uint64_t>(spec.total_streams());
    // Asked-for rates over the limit are refused (as iperf3 >= 3.21). An
    // unlimited TCP test is throttled to the limit instead of aborted: our
    // senders pace and our receivers read no faster, so TCP slows the peer.
    // Unlimited UDP toward us cannot be slowed by the receiver: refused.
    bool too_fast = spec.rate_bps ? spec.rate_bps * streams > limit : spec.protocol == Protocol::kUdp;
    if (too_fast) {
      co_await control.write_server_error(kIeTotalRate, 0);
      throw SessionError(fmt::format("refused a test above --server-bitrate-limit ({} bit/s)", limit),
                         kIeTotalRate);
    }
    stream_cap = limit / streams;
  }
  if (spec.server_affinity >= 0) {
    std::string error;
    if (!net::pin_current_thread(spec.server_affinity, &error)) {
      co_await control.write_server_error(132, errno);
      throw SessionError(error, 132);
    }
    test->pinned = true;
  }

  // Reporters for this test.
  test->reporters = std::make_unique<report::TeeReporter>(std::vector<report::Reporter*>{&reporter_});
  if (spec.get_server_output) {
    if (config_.json) {
      auto json = std::make_unique<report::JsonReporter>(report::JsonOptions{true, spec.title, false},
                                                         [](std::string_view) {});
      test->captured_json = json.get();
      test->capture = std::move(json);
    } else {
      report::TextOptions options{
          config_.format, config_.verbose, true, "", "", {}};  // --get-server-output: no banner
      auto* sink = &test->captured_text;
      test->capture = std::make_unique<report::TextReporter>(
          options, [sink](std::string_view line) { sink->append(line); }, [](std::string_view) {});
    }
    test->reporters = std::make_unique<report::TeeReporter>(
        std::vector<report::Reporter*>{&reporter_, test->capture.get()});
  }

  TestStartInfo& info = test->start_info;
  info.is_server = true;
  fill_host_facts(&info);
  info.host = format_address(peer.address());
  info.port = peer.port();
  info.cookie = protocol::cookie_from_wire(test->cookie);
  info.tcp_mss = spec.mss;
  info.sock_bufsize = static_cast<int>(spec.window);
  info.spec = spec;
  info.interval_s = config_.interval_s;
  test->reporters->on_connected(info);

  if (spec.protocol == Protocol::kUdp) {
    // The UDP socket must be bound before CREATE_STREAMS: iperf3 clients send
    // their hello at once and only once.
    asio::ip::udp::socket first = open_udp_socket();
    co_await control.write_state(State::kCreateStreams);
    co_await accept_udp_streams(*test, std::move(first));
  } else {
    test->phase = ServerTest::Phase::kCreatingStreams;
    test->streams_ready.expires_after(kStreamsTimeout);
    co_await control.write_state(State::kCreateStreams);
    // Wait for the data connections, but notice at once a client that goes
    // away (or talks out of turn) meanwhile instead of waiting out the deadline.
    using namespace asio::experimental::awaitable_operators;
    std::error_code wait_ec, control_ec;
    auto woke = co_await (test->streams_ready.async_wait(asio::redirect_error(use_awaitable, wait_ec)) ||
                          control.socket().async_wait(asio::ip::tcp::socket::wait_read,
                                                      asio::redirect_error(use_awaitable, control_ec)));
    if (woke.index() == 1 && static_cast<int>(test->streams.size()) < spec.total_streams())
      throw SessionError("the client closed the control connection while the data streams were being set up",
                         kIeCtrlClose);
  }
  if (static_cast<int>(test->streams.size()) < spec.total_streams()) {
    co_await control.write_server_error(kIeAccept, 0);
    throw SessionError(fmt::format("only {} of {} data connections arrived within {} s", test->streams.size(),
                                   spec.total_streams(), kStreamsTimeout.count() / 1000),
                       kIeAccept);
  }

  test->phase = ServerTest::Phase::kRunning;
  auto sizes = net::read_buffer_sizes(test->streams.front().fd);
  info.sndbuf_actual = sizes.sndbuf;
  info.rcvbuf_actual = sizes.rcvbuf;
  test->run = std::make_unique<TestRun>(spec, std::move(test->streams), false, stream_cap);
  test->streams.clear();
  test->reporters->on_test_start(info);
  co_await control.write_state(State::kTestStart);
  co_await control.write_state(State::kTestRunning);
  test->run->start(monotonic_now());
  asio::co_spawn(io_, keep_time(test), asio::detached);

  for (;;) {
    // keep_time() guards this wait with the test's safety deadline.
    uint8_t byte = co_await control.read_byte(Duration(0));
    auto state = protocol::decode_client_state(byte);
    if (!state)
      throw SessionError(fmt::format("received an unknown control message ({})", static_cast<int>(byte)),
                         kIeMessage);
    if (*state == State::kTestStart) continue;  // tolerated, as iperf3
    if (*state == State::kTestEnd) {
      co_await finish_test(*test);
      co_return;
    }
    if (*state == State::kClientTerminate) {
      test->phase = ServerTest::Phase::kEnding;
      test->run->stop(monotonic_now());
      test->reporters->on_end(test->run->end_report(nullptr));
      throw SessionError("the client has terminated", kIeClientTerm);
    }
    throw SessionError(fmt::format("unexpected control message {}", protocol::state_name(*state)),
                       kIeMessage);
  }
}

asio::awaitable<void> ServerSession::finish_test(ServerTest& test) {
  double now = monotonic_now();
  test.phase = ServerTest::Phase::kEnding;
  IntervalReport last = test.run->sample(now);
  if (config_.interval_s > 0 && !drop_final_interval(last, config_.interval_s))
    test.reporters->on_interval(last);
  test.run->stop(now);
  test.run->join();  // closes the data sockets, as iperf3 does on TEST_END
  // The server prints its summary before it sees the client's numbers (iperf3 does too).
  test.reporters->on_end(test.run->end_report(nullptr, /*peer_results_follow=*/true));
  ControlChannel& control = *test.control;
  co_await control.write_state(State::kExchangeResults);
  std::string text = co_await control.read_json(protocol::kMaxResultsLength, kControlReadTimeout);
  auto decoded = protocol::decode_results(text);
  if (!decoded.results)
    throw SessionError(fmt::format("unable to receive results: {}", decoded.error), kIeRecvResults);
  test.run->end_report(&*decoded.results);  // checks that every stream id is known
  protocol::TestResults mine = test.run->local_results();
  if (test.captured_json)
    mine.server_output_json = test.captured_json->document();
  else if (test.capture)
    mine.server_output_text = test.captured_text;
  co_await control.write_json(protocol::encode_results(mine));
  co_await control.write_state(State::kDisplayResults);
  test.phase = ServerTest::Phase::kFinishing;
  // IPERF_DONE ends the session; a client that just closes is fine too.
  try {
    co_await control.read_byte(kControlReadTimeout);
  } catch (const SessionError&) {
  }
}

void ServerSession::add_stream(ServerTest& test, int fd) {
  const TestSpec& spec = test.spec;
  int index = static_cast<int>(test.streams.size());
  DataStream stream;
  stream.fd = fd;
  stream.info = describe_stream(fd, index, false, spec);
  // The client's per-stream list (nperf extension) wins over the server's own -A list.
  if (!spec.server_stream_cpus.empty())
    stream.cpu = spec.server_stream_cpus[static_cast<size_t>(index) % spec.server_stream_cpus.size()];
  else
    stream.cpu = config_.affinity.local.cpu_for_stream(index);
  test.streams.push_back(stream);
  test.reporters->on_stream_connected(stream.info);
}

asio::ip::udp::socket ServerSession::open_udp_socket() {
  asio::ip::tcp::endpoint local = acceptor_.local_endpoint();
  asio::ip::udp::endpoint endpoint(local.address(), local.port());
  asio::ip::udp::socket socket(io_);
  socket.open(endpoint.protocol());
  socket.set_option(asio::socket_base::reuse_address(true));
  if (std::string error; !config_.bind_device.empty() &&
                         !net::bind_to_device(socket.native_handle(), config_.bind_device, &error))
    throw SessionError(error);
  if (endpoint.protocol() == asio::ip::udp::v6()) {
    std::error_code ignored;
    socket.set_option(asio::ip::v6_only(config_.family == AddressFamily::kIpv6), ignored);
  }
  std::error_code ec;
  socket.bind(endpoint, ec);
  if (ec)
    throw SessionError(
        fmt::format("unable to bind the UDP data socket to port {}: {}", local.port(), ec.message()));
  return socket;
}

asio::awaitable<void> ServerSession::accept_udp_streams(ServerTest& test, asio::ip::udp::socket socket) {
  const TestSpec& spec = test.spec;
  asio::steady_timer deadline(io_, kStreamsTimeout);
  std::array<uint8_t, 64> hello{};
  std::vector<std::string> warnings;
  using namespace asio::experimental::awaitable_operators;
  for (int index = 0; index < spec.total_streams(); ++index) {
    asio::ip::udp::endpoint peer;
    std::error_code ec;
    // As for TCP streams: a client that goes away (or talks out of turn)
    // meanwhile is noticed at once, not after the deadline.
    std::error_code control_ec;
    auto result = co_await (
        socket.async_receive_from(asio::buffer(hello), peer, asio::redirect_error(use_awaitable, ec)) ||
        deadline.async_wait(use_awaitable) ||
        test.control->socket().async_wait(asio::ip::tcp::socket::wait_read,
                                          asio::redirect_error(use_awaitable, control_ec)));
    if (result.index() == 1)
      throw SessionError(fmt::format("only {} of {} UDP streams were set up within {} s", index,
                                     spec.total_streams(), kStreamsTimeout.count() / 1000),
                         kIeAccept);
    if (result.index() == 2)
      throw SessionError("the client closed the control connection while the data streams were being set up",
                         kIeCtrlClose);
    if (ec) throw SessionError(fmt::format("UDP stream set-up failed: {}", ec.message()), kIeAccept);
    // The hello's content is not checked by any iperf3 version; the sender's address is what matters.
    socket.connect(peer);
    try {
      net::apply_udp_options(socket.native_handle(), spec, &warnings);
    } catch (const std::exception& e) {
      warnings.push_back(e.what());  // as for TCP: the test runs with the OS defaults, and says so
    }
    asio::ip::udp::socket next = open_udp_socket();  // for the next stream's hello
    socket.send(asio::buffer(protocol::kUdpReply));
    int fd = socket.release();
    make_blocking(fd);
    add_stream(test, fd);
    socket = std::move(next);
  }
  for (const auto& w : warnings) test.reporters->on_warning(w);
}

asio::awaitable<void> ServerSession::take_data_connection(std::shared_ptr<ServerTest> test,
                                                          asio::ip::tcp::socket socket) {
  std::error_code ignored;
  ControlChannel channel(std::move(socket));
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  try {
    cookie = co_await channel.read_cookie(kCookieTimeout);
  } catch (const SessionError&) {
    co_return;  // a connection that never sent a cookie is just dropped
  }
  const TestSpec& spec = test->spec;
  bool wanted = test->phase == ServerTest::Phase::kCreatingStreams &&
                protocol::cookie_from_wire(cookie) == protocol::cookie_from_wire(test->cookie) &&
                static_cast<int>(test->streams.size()) < spec.total_streams();
  if (!wanted) {
    uint8_t denied = protocol::to_wire(State::kAccessDenied);
    asio::write(channel.socket(), asio::buffer(&denied, 1), ignored);
    co_return;
  }
  int fd = channel.socket().release();
  make_blocking(fd);
  std::vector<std::string> warnings;
  try {
    net::apply_tcp_options(fd, spec, false, &warnings);
  } catch (const std::exception& e) {
    warnings.push_back(e.what());
  }
  for (const auto& w : warnings) test->reporters->on_warning(w);
  add_stream(*test, fd);
  if (static_cast<int>(test->streams.size()) == spec.total_streams()) test->streams_ready.cancel();
}

asio::awaitable<void> ServerSession::keep_time(std::shared_ptr<ServerTest> test) {
  const TestSpec& spec = test->spec;
  const double interval = config_.interval_s;
  const double start = monotonic_now();
  const double infinity = std::numeric_limits<double>::infinity();
  double omit_end = spec.omit_s > 0 ? start + spec.omit_s : -1;
  // The client ends the test; this only catches a client that vanished.
  double deadline = spec.duration_s > 0 ? start + spec.omit_s + spec.duration_s + kSafetyMarginS : infinity;
  double next_tick = interval > 0 ? start + interval : infinity;
  asio::steady_timer timer(io_);
  RateWatch idle(config_.rcv_timeout_ms, start);
  const bool receives = spec.direction != Direction::kReverse;
  while (test->phase == ServerTest::Phase::kRunning) {
    double now = monotonic_now();
    double wake = std::min({next_tick, deadline, now + 0.1, omit_end > now ? omit_end : infinity});
    timer.expires_after(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(std::max(0.0, wake - now))));
    co_await timer.async_wait(use_awaitable);
    if (test->phase != ServerTest::Phase::kRunning) co_return;
    now = monotonic_now();
    if (receives && idle.expired(now, test->run->bytes_received())) {
      test->reporters->on_error(
          fmt::format("no data received for {} ms (--rcv-timeout)", config_.rcv_timeout_ms));
      test->control->close();
      co_return;
    }
    if (now >= deadline) {
      test->reporters->on_error(
          "server test duration expired: the client neither ended the test nor went away");
      test->control->close();
      co_return;
    }
    if (test->run->omitting() && now >= omit_end) {
      IntervalReport report = test->run->sample(now);
      if (interval > 0) test->reporters->on_interval(report);
      test->run->end_omit(now);
      next_tick = interval > 0 ? now + interval : infinity;
      continue;
    }
    if (now >= next_tick) {
      test->reporters->on_interval(test->run->sample(now));
      next_tick += interval;
      if (next_tick < now) next_tick = now + interval;
    }
  }
}

}  // namespace nperf::session
