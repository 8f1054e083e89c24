#include "nperf/session/client_session.hpp"

#include <algorithm>
#include <csignal>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/udp.hpp>
#include <asio/redirect_error.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "nperf/net/flow_label.hpp"
#include "nperf/net/mptcp.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/session/auth_gate.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/session_common.hpp"
#include "nperf/session/test_clock.hpp"

namespace nperf::session {

using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;
using protocol::State;

namespace {

std::string random_cookie() {
  std::random_device rd;  // /dev/urandom on Linux, as iperf3 uses
  std::array<uint8_t, protocol::kCookieTextSize> bytes;
  for (auto& b : bytes) b = static_cast<uint8_t>(rd());
  return protocol::make_cookie(bytes);
}

asio::ip::tcp::resolver::results_type resolve(asio::io_context& io, const Config& c) {
  asio::ip::tcp::resolver resolver(io);
  std::error_code ec;
  auto results = c.family == AddressFamily::kIpv4
                     ? resolver.resolve(asio::ip::tcp::v4(), c.host, std::to_string(c.port), ec)
                 : c.family == AddressFamily::kIpv6
                     ? resolver.resolve(asio::ip::tcp::v6(), c.host, std::to_string(c.port), ec)
                     : resolver.resolve(c.host, std::to_string(c.port), ec);
  if (ec || results.empty())
    throw SessionError(
        fmt::format("unable to resolve host '{}': {}", c.host, ec ? ec.message() : "no address"));
  return results;
}

// Binds an opened TCP or UDP socket as --bind-dev, -B and --cport ask
// (nothing to do when none is given).
template <class Socket>
void bind_local(Socket& socket, const Config& c, bool ipv4, uint16_t local_port) {
  if (std::string error;
      !c.bind_device.empty() && !net::bind_to_device(socket.native_handle(), c.bind_device, &error))
    throw SessionError(error);
  if (c.bind_address.empty() && !local_port) return;
  std::error_code ec;
  asio::ip::address local = c.bind_address.empty() ? (ipv4 ? asio::ip::address(asio::ip::address_v4::any())
                                                           : asio::ip::address(asio::ip::address_v6::any()))
                                                   : asio::ip::make_address(c.bind_address, ec);
  if (ec) throw SessionError(fmt::format("bad bind address '{}': {}", c.bind_address, ec.message()));
  socket.set_option(asio::socket_base::reuse_address(true));
  socket.bind({local, local_port}, ec);
  if (ec)
    throw SessionError(
        fmt::format("unable to bind to {} port {}: {}", c.bind_address, local_port, ec.message()));
}

// -L: the data connection's packets carry the flow label (net/flow_label.hpp).
void label_flow(int fd, asio::ip::tcp::endpoint* target, uint32_t label) {
  if (!target->address().is_v6() || target->address().to_v6().is_v4_mapped())
    throw SessionError(fmt::format("unable to set IPv6 flow label: -L needs an IPv6 server address, not {}",
                                   format_address(target->address())));
  auto* address = reinterpret_cast<sockaddr_in6*>(target->data());
  if (std::string error = net::lease_flow_label(fd, address->sin6_addr, label); !error.empty())
    throw SessionError(error);
  net::put_flow_label(address, label);
}

// Opens a TCP socket towards `to`, bound as -B/--cport ask, with a deadline.
asio::awaitable<asio::ip::tcp::socket> connect_socket(const Config& c, const asio::ip::tcp::endpoint& to,
                                                      uint16_t local_port, const TestSpec* data_spec,
                                                      std::vector<std::string>* warnings) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::socket socket(executor);
  if (data_spec && data_spec->mptcp) {
    std::string error;
    int fd = net::open_mptcp_socket(to.protocol().family(), &error);
    if (fd < 0) throw SessionError(fmt::format("-m: {}", error));
    socket.assign(to.protocol(), fd);
  } else {
    socket.open(to.protocol());
  }
  if (data_spec) net::apply_tcp_options(socket.native_handle(), *data_spec, true, warnings);
  bind_local(socket, c, to.protocol() == asio::ip::tcp::v4(), local_port);
  asio::ip::tcp::endpoint target = to;
  if (data_spec && data_spec->flowlabel) label_flow(socket.native_handle(), &target, data_spec->flowlabel);
  asio::steady_timer timer(executor, Duration(c.connect_timeout_ms));
  std::error_code ec;
  auto result = co_await (socket.async_connect(target, asio::redirect_error(use_awaitable, ec)) ||
                          timer.async_wait(use_awaitable));
  if (result.index() == 1)
    throw SessionError(fmt::format("unable to connect to server {} port {}: timed out after {} ms",
                                   format_address(to.address()), to.port(), c.connect_timeout_ms));
  if (ec)
    throw SessionError(fmt::format("unable to connect to server {} port {}: {}", format_address(to.address()),
                                   to.port(), ec.message()));
  co_return socket;
}

}  // namespace

ClientSession::ClientSession(const Config& config, report::Reporter& reporter)
    : config_(config), role_{Role::kClient, config.spec.direction}, reporter_(reporter) {}

ClientSession::~ClientSession() = default;

int ClientSession::run() {
  asio::signal_set signals(io_, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([this](std::error_code ec, int signal) {
    if (!ec) on_signal(signal);
  });
  release_termination_signals();  // held by main() until this handler existed
  asio::co_spawn(io_, run_protocol(), [this, &signals](std::exception_ptr error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        if (run_) run_->stop(time_source().now());
        reporter_.on_error(e.what());
        reporter_.on_finish();
        exit_code_ = kExitTestFailed;
      }
    }
    signals.cancel();
    io_.stop();
  });
  io_.run();
  hold_termination_signals();  // as the server: the default action must not return before main() ends
  if (run_) run_->join();
  return exit_code_;
}

void ClientSession::on_signal(int signal) {
  // iperf3: print what we have, tell the server, leave. The server's half is unknown.
  if (run_ && (phase_ == Phase::kRunning || phase_ == Phase::kEnding)) {
    run_->stop(time_source().now());
    reporter_.on_end(run_->end_report(nullptr));
  }
  if (control_) control_->send_state_now(State::kClientTerminate);
  reporter_.on_error(fmt::format("interrupt - the client has terminated by signal {}", signal));
  reporter_.on_finish();
  exit_code_ = kExitOk;  // as iperf3 >= 3.19: an interrupt asked for by the user is not a failure
  phase_ = Phase::kDone;
  io_.stop();
}

asio::awaitable<void> ClientSession::connect_control() {
  auto endpoints = resolve(io_, config_);
  std::string last_error;
  for (const auto& entry : endpoints) {
    try {
      auto socket = co_await connect_socket(config_, entry.endpoint(), 0, nullptr, nullptr);
      ControlChannel::configure(socket, config_);
      server_ = entry.endpoint();
      control_ = std::make_unique<ControlChannel>(std::move(socket));
      if (debug_sink_) control_->set_trace(debug_sink_);
      co_return;
    } catch (const SessionError& e) {
      last_error = e.what();
    }
  }
  throw SessionError(last_error);
}

int ClientSession::run_connected(int control_fd) {
  control_ = std::make_unique<ControlChannel>(asio::ip::tcp::socket(io_, asio::ip::tcp::v4(), control_fd));
  if (debug_sink_) control_->set_trace(debug_sink_);
  return run();
}

asio::awaitable<void> ClientSession::run_protocol() {
  // --busy-retry: many pods testing one node take turns instead of failing.
  const auto give_up =
      Clock::now() + std::chrono::milliseconds(static_cast<int64_t>(config_.busy_retry_s * 1000));
  Duration pause{250};
  for (;;) {
    bool busy = false;
    try {
      co_await run_attempt();
      co_return;
    } catch (const ServerBusy&) {
      if (Clock::now() + pause > give_up) throw;
      busy = true;
    }
    if (!busy) co_return;
    reporter_.on_warning(fmt::format("the server is busy; trying again in {:.2g} s (--busy-retry)",
                                     static_cast<double>(pause.count()) / 1000));
    control_->close();
    control_.reset();
    phase_ = Phase::kConnecting;
    asio::steady_timer timer(io_, pause);
    co_await timer.async_wait(asio::use_awaitable);
    pause =
        std::min(pause * 2, Duration(4'000));  // backoff, so that waiting clients do not hammer the server
  }
}

asio::awaitable<void> ClientSession::run_attempt() {
  if (!control_) co_await connect_control();
  if (cookie_.empty()) cookie_ = random_cookie();  // one test, however many tries
  auto wire = protocol::cookie_to_wire(cookie_);
  co_await control_->write_bytes(wire);
  control_->trace(true, fmt::format("cookie {}", cookie_));
  describe_start();
  phase_ = Phase::kParams;
  while (phase_ != Phase::kDone) {
    // While the test runs the server is silent; keep_time() guards that wait.
    Duration timeout =
        (phase_ == Phase::kRunning || phase_ == Phase::kEnding) ? Duration(0) : kControlReadTimeout;
    uint8_t byte = co_await control_->read_byte(timeout);
    auto state = protocol::decode_server_state(byte);
    if (!state)
      throw SessionError(fmt::format("received an unknown control message ({})", static_cast<int>(byte)),
                         kIeMessage);
    co_await on_state(*state);
  }
}

void ClientSession::describe_start() {
  const TestSpec& spec = config_.spec;
  start_info_.is_server = role_.is_server();
  fill_host_facts(&start_info_);
  start_info_.host = config_.host;
  start_info_.port = config_.port;
  start_info_.cookie = cookie_;
  start_info_.control_mss = net::read_mss(control_->socket().native_handle());
  if (config_.spec.protocol == Protocol::kUdp && !config_.block_len_given) {
    // iperf3's UDP default: one datagram per control-connection segment.
    int mss = start_info_.control_mss;
    config_.spec.block_len = mss > 0 && mss <= 65507 ? static_cast<uint32_t>(mss) : 1460;
    start_info_.spec = config_.spec;
  }
  start_info_.tcp_mss = spec.mss;
  start_info_.tcp_mss_default = spec.mss ? 0 : start_info_.control_mss;
  start_info_.sock_bufsize = static_cast<int>(spec.window);
  start_info_.spec = spec;
  start_info_.interval_s = config_.interval_s;
}

asio::awaitable<void> ClientSession::on_state(State state) {
  const TestSpec& spec = config_.spec;
  switch (state) {
    case State::kParamExchange:
      co_await control_->write_json(with_authtoken(config_, protocol::encode_params(spec)));  // issue #18
      if (!connected_reported_) reporter_.on_connected(start_info_);  // once, however many tries
      connected_reported_ = true;
      break;
    case State::kCreateStreams:
      phase_ = Phase::kCreating;
      co_await create_streams();
      phase_ = Phase::kStarting;
      break;
    case State::kTestStart: {
      run_ = std::make_unique<TestRun>(spec, std::move(pending_streams_), role_.owns_quota(), 0,
                                       seams_.make_engine);
      run_->use_control_connection(control_->socket().native_handle());
      if (!run_->streams().empty()) {
        auto sizes = net::read_buffer_sizes(run_->streams().front().socket);
        start_info_.sndbuf_actual = sizes.sndbuf;
        start_info_.rcvbuf_actual = sizes.rcvbuf;
      }
      reporter_.on_test_start(start_info_);
      break;
    }
    case State::kTestRunning:
      if (!run_) throw SessionError("TEST_RUNNING before TEST_START", kIeMessage);
      phase_ = Phase::kRunning;
      run_->start(time_source().now());
      asio::co_spawn(io_, keep_time(), asio::detached);
      break;
    case State::kExchangeResults:
      co_await exchange_results();
      break;
    case State::kDisplayResults:
      display_results();
      co_await control_->write_state(State::kIperfDone);
      control_->close();
      reporter_.on_finish();
      phase_ = Phase::kDone;
      break;
    case State::kServerTerminate:
      if (run_) {
        run_->stop(time_source().now());
        reporter_.on_end(run_->end_report(nullptr));
      }
      control_->send_state_now(State::kIperfDone);
      throw SessionError("the server has terminated", kIeServerTerm);
    case State::kAccessDenied:
      throw ServerBusy("the server is busy running a test. try again later");
    case State::kServerError: {
      auto error = co_await control_->read_server_error(Duration(10'000));
      std::string text = describe_iperf_error(error.code);
      if (error.sys_errno) text += fmt::format(": {}", std::strerror(error.sys_errno));
      throw SessionError(fmt::format("the server reported an error: {}", text), error.code);
    }
    default:
      throw SessionError(fmt::format("unexpected control message {}", protocol::state_name(state)),
                         kIeMessage);
  }
}

asio::awaitable<int> ClientSession::open_udp_stream(int index, std::vector<std::string>* warnings) {
  const TestSpec& spec = config_.spec;
  asio::ip::udp::endpoint server(server_.address(), server_.port());
  asio::ip::udp::socket socket(io_);
  socket.open(server.protocol());
  uint16_t cport = config_.cport ? static_cast<uint16_t>(config_.cport + index) : 0;
  bind_local(socket, config_, server.protocol() == asio::ip::udp::v4(), cport);
  socket.connect(server);
  net::apply_udp_options(socket.native_handle(), spec, warnings);
  co_await socket.async_send(asio::buffer(protocol::kUdpHello), use_awaitable);
  // The server answers "6789". In reverse/bidir its data may overtake the
  // answer; such datagrams are skipped (iperf3 tolerates them too).
  std::vector<uint8_t> reply(std::max<size_t>(spec.block_len, 64));
  asio::steady_timer timer(io_, kControlReadTimeout);
  for (int skipped = 0;; ++skipped) {
    std::error_code ec;
    auto result =
        co_await (socket.async_receive(asio::buffer(reply), asio::redirect_error(use_awaitable, ec)) ||
                  timer.async_wait(use_awaitable));
    if (result.index() == 1)
      throw SessionError("no reply from the server to the UDP stream set-up (30 s)", kIeStreamRead);
    if (ec) throw SessionError(fmt::format("UDP stream set-up failed: {}", ec.message()), kIeStreamRead);
    size_t n = std::get<0>(result);
    if (n == 4 && (std::equal(reply.begin(), reply.begin() + 4, protocol::kUdpReply.begin()) ||
                   std::equal(reply.begin(), reply.begin() + 4, protocol::kUdpReplyLegacy.begin())))
      break;
    if (spec.direction == Direction::kForward || skipped > 100000)
      throw SessionError("unexpected reply to the UDP stream set-up", kIeStreamRead);
  }
  co_return socket.release();
}

asio::awaitable<void> ClientSession::create_streams() {
  const TestSpec& spec = config_.spec;
  std::vector<std::string> warnings;
  auto wire = protocol::cookie_to_wire(cookie_);
  for (int i = 0; i < spec.total_streams(); ++i) {
    int fd = -1;
    if (seams_.open_stream) {
      fd = seams_.open_stream(i);
    } else if (spec.protocol == Protocol::kUdp) {
      fd = co_await open_udp_stream(i, &warnings);
    } else {
      uint16_t cport = config_.cport ? static_cast<uint16_t>(config_.cport + i) : 0;
      auto socket = co_await connect_socket(config_, server_, cport, &spec, &warnings);
      net::set_user_timeout(socket.native_handle(), config_.snd_timeout_ms);
      co_await asio::async_write(socket, asio::buffer(wire), use_awaitable);
      fd = socket.release();
    }
    make_blocking(fd);
    DataStream stream;
    stream.fd = fd;
    stream.info = describe_stream(fd, i, role_, spec);
    stream.cpu = config_.affinity.local.cpu_for_stream(i);
    pending_streams_.push_back(stream);
    reporter_.on_stream_connected(stream.info);
  }
  if (spec.mptcp && !seams_.open_stream) {
    // The kernel falls back to TCP, silently, against a server that does not accept MPTCP.
    const auto fell_back =
        std::count_if(pending_streams_.begin(), pending_streams_.end(),
                      [](const DataStream& s) { return net::mptcp_active(s.fd) == false; });
    if (fell_back > 0)
      warnings.push_back(fmt::format(
          "-m: {} of {} data connections fell back to plain TCP: the server does not accept MPTCP (iperf3 "
          "before 3.19, or an nperf server started without -m)",
          fell_back, pending_streams_.size()));
  }
  for (const auto& w : warnings) reporter_.on_warning(w);
}

}  // namespace nperf::session
