// The server's half of setting up the data streams: TCP connections that
// bring the test's cookie, or UDP hellos on the listening port, until the
// test has as many as it asked for.
#include <fmt/format.h>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "nperf/net/mptcp.hpp"
#include "nperf/net/socket_options.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/session/server_session.hpp"
#include "nperf/session/server_test.hpp"
#include "nperf/session/session_common.hpp"

namespace nperf::session {

using asio::use_awaitable;
using protocol::State;

namespace {

// Holds the port's UDP set-up turn for one test (see Listener).
class UdpTurn {
 public:
  explicit UdpTurn(Listener& listener) : listener_(listener) { listener_.udp_setup_taken = true; }
  ~UdpTurn() { listener_.udp_setup_taken = false; }
  UdpTurn(const UdpTurn&) = delete;
  UdpTurn& operator=(const UdpTurn&) = delete;

 private:
  Listener& listener_;
};

// Waits (within the streams deadline) until no other test of this port is
// setting up UDP streams; set-up takes milliseconds, so turns are short.
asio::awaitable<void> take_udp_turn(ServerTest& test) {
  asio::steady_timer pause(co_await asio::this_coro::executor);
  const auto give_up = std::chrono::steady_clock::now() + kStreamsTimeout;
  while (test.listener.udp_setup_taken) {
    if (std::chrono::steady_clock::now() > give_up)
      throw SessionError("another test kept the port's UDP set-up for too long", kIeAccept);
    pause.expires_after(std::chrono::milliseconds(2));
    co_await pause.async_wait(use_awaitable);
  }
}

}  // namespace

asio::awaitable<void> ServerSession::create_streams(ServerTest& test) {
  if (seams_.open_stream) {  // unit tests: no listener, the streams are given
    co_await test.control->write_state(State::kCreateStreams);
    for (int i = 0; i < test.spec.total_streams(); ++i) add_stream(test, seams_.open_stream(i));
    co_return;
  }
  if (test.spec.protocol == Protocol::kUdp) {
    co_await take_udp_turn(test);
    UdpTurn turn(test.listener);
    // The UDP socket must be bound before CREATE_STREAMS: iperf3 clients send
    // their hello at once and only once.
    asio::ip::udp::socket first = open_udp_socket(test.listener);
    co_await test.control->write_state(State::kCreateStreams);
    co_await accept_udp_streams(test, std::move(first));
  } else {
    co_await wait_for_tcp_streams(test);
  }
  if (static_cast<int>(test.streams.size()) < test.spec.total_streams()) {
    co_await test.control->write_server_error(kIeAccept, 0);
    throw SessionError(fmt::format("only {} of {} data connections arrived within {} s", test.streams.size(),
                                   test.spec.total_streams(), kStreamsTimeout.count() / 1000),
                       kIeAccept);
  }
}

asio::awaitable<void> ServerSession::wait_for_tcp_streams(ServerTest& test) {
  test.phase = ServerTest::Phase::kCreatingStreams;
  test.streams_ready.expires_after(kStreamsTimeout);
  co_await test.control->write_state(State::kCreateStreams);
  // Wait for the data connections (accept_loop hands them to
  // take_data_connection), but notice at once a client that goes away (or
  // talks out of turn) meanwhile instead of waiting out the deadline.
  using namespace asio::experimental::awaitable_operators;
  std::error_code wait_ec, control_ec;
  auto woke = co_await (test.streams_ready.async_wait(asio::redirect_error(use_awaitable, wait_ec)) ||
                        test.control->socket().async_wait(asio::ip::tcp::socket::wait_read,
                                                          asio::redirect_error(use_awaitable, control_ec)));
  if (woke.index() == 1 && static_cast<int>(test.streams.size()) < test.spec.total_streams())
    throw SessionError("the client closed the control connection while the data streams were being set up",
                       kIeCtrlClose);
}

void ServerSession::add_stream(ServerTest& test, int fd) {
  const TestSpec& spec = test.spec;
  int index = static_cast<int>(test.streams.size());
  DataStream stream;
  stream.fd = fd;
  stream.info = describe_stream(fd, index, test.side, spec);
  // The client's per-stream list (nperf extension) wins over the server's own -A list.
  if (!spec.server_stream_cpus.empty())
    stream.cpu = spec.server_stream_cpus[static_cast<size_t>(index) % spec.server_stream_cpus.size()];
  else
    stream.cpu = config_.affinity.local.cpu_for_stream(index);
  if (stream.cpu < 0 && static_cast<size_t>(index) < test.cores.size())
    stream.cpu = test.cores[index];  // placed
  test.streams.push_back(stream);
  test.reporters->on_stream_connected(stream.info);
}

asio::ip::udp::socket ServerSession::open_udp_socket(const Listener& listener) {
  asio::ip::tcp::endpoint local = listener.acceptor.local_endpoint();
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
    asio::ip::udp::socket next = open_udp_socket(test.listener);  // for the next stream's hello
    socket.send(asio::buffer(protocol::kUdpReply));
    int fd = socket.release();
    make_blocking(fd);
    add_stream(test, fd);
    socket = std::move(next);
  }
  for (const auto& w : warnings) test.reporters->on_warning(w);
}

void ServerSession::take_data_connection(ServerTest& test, std::unique_ptr<ControlChannel> channel) {
  // The cookie was read and matched (serve_connection); one more than asked is refused.
  const TestSpec& spec = test.spec;
  if (static_cast<int>(test.streams.size()) >= spec.total_streams()) {
    channel->send_state_now(State::kAccessDenied);
    return;
  }
  int fd = channel->socket().release();
  make_blocking(fd);
  std::vector<std::string> warnings;
  try {
    net::apply_tcp_options(fd, spec, false, &warnings);
  } catch (const std::exception& e) {
    warnings.push_back(e.what());
  }
  // Once per test: the client asked for MPTCP, and this listener could not give it.
  if (spec.mptcp && test.streams.empty() && net::mptcp_active(fd) == false)
    warnings.push_back(config_.mptcp_listener
                           ? "the client asked for MPTCP (-m) but its connection is plain TCP"
                           : "the client asked for MPTCP (-m); this server listens with plain TCP, so its "
                             "connections fell back to TCP (start the server with -m)");
  for (const auto& w : warnings) test.reporters->on_warning(w);
  add_stream(test, fd);
  if (static_cast<int>(test.streams.size()) == spec.total_streams()) test.streams_ready.cancel();
}

}  // namespace nperf::session
