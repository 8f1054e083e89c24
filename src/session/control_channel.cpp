#include "nperf/session/control_channel.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <fmt/format.h>

#include "nperf/net/socket_options.hpp"
#include "nperf/session/errors.hpp"

namespace nperf::session {

using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;

void ControlChannel::configure(asio::ip::tcp::socket& socket, const Config& config) {
  std::error_code ignored;
  socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  net::set_user_timeout(socket.native_handle(), config.snd_timeout_ms);
  if (config.control_keepalive.enabled) {
    const auto& ka = config.control_keepalive;
    net::set_keepalive(socket.native_handle(), ka.idle_s, ka.interval_s, ka.count);
  }
}

void ControlChannel::send_state_now(asio::ip::tcp::socket& socket, protocol::State state) {
  uint8_t byte = protocol::to_wire(state);
  std::error_code ignored;
  asio::write(socket, asio::buffer(&byte, 1), ignored);
}

asio::awaitable<void> ControlChannel::write_bytes(std::span<const uint8_t> bytes) {
  asio::steady_timer timer(socket_.get_executor(), kControlWriteTimeout);
  std::error_code ec;
  auto result = co_await (asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                                            asio::redirect_error(use_awaitable, ec)) ||
                          timer.async_wait(use_awaitable));
  if (result.index() == 1) throw TimeoutError("timed out writing to the control connection");
  if (ec) throw SessionError(fmt::format("control connection failed: {}", ec.message()), kIeCtrlClose);
}

namespace {

// A state byte as -d prints it: its name where it has one, and the number.
std::string describe_byte(uint8_t byte) {
  const auto as_state = static_cast<protocol::State>(static_cast<int8_t>(byte));
  std::string_view name = protocol::state_name(as_state);
  return fmt::format("{} ({})", name, static_cast<int>(static_cast<int8_t>(byte)));
}

}  // namespace

void ControlChannel::trace(bool sent, std::string_view what) {
  if (!trace_) return;
  // A hostile peer's bytes must not drive the terminal: anything but printable
  // ASCII is shown as \xNN.
  std::string printable;
  for (char c : what) {
    auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte < 0x7f)
      printable += c;
    else
      printable += fmt::format("\\x{:02x}", byte);
  }
  trace_(fmt::format("debug: control {} {}\n", sent ? '>' : '<', printable));
}

asio::awaitable<void> ControlChannel::write_state(protocol::State state) {
  uint8_t byte = protocol::to_wire(state);
  trace(true, describe_byte(byte));
  co_await write_bytes(std::span<const uint8_t>(&byte, 1));
}

asio::awaitable<void> ControlChannel::write_json(const std::string& json) {
  // One write for length and body: fewer segments than iperf3's two writes,
  // identical bytes on the wire.
  trace(true, json);
  std::vector<uint8_t> frame = protocol::encode_frame(json);
  co_await write_bytes(frame);
}

asio::awaitable<void> ControlChannel::write_server_error(int32_t code, int32_t sys_errno) {
  uint8_t bytes[9];
  trace(true, fmt::format("SERVER_ERROR (-2) code {} errno {}", code, sys_errno));
  bytes[0] = protocol::to_wire(protocol::State::kServerError);
  protocol::write_be32(static_cast<uint32_t>(code), std::span<uint8_t, 4>(bytes + 1, 4));
  protocol::write_be32(static_cast<uint32_t>(sys_errno), std::span<uint8_t, 4>(bytes + 5, 4));
  co_await write_bytes(bytes);
}

// Note on `||` below: asio's awaitable_operators wait for the first operation
// that *succeeds*, so an operation that throws would leave us waiting for the
// timer. Both sides therefore report errors as values, and we throw afterwards.
asio::awaitable<size_t> ControlChannel::read_exact(std::span<uint8_t> out, Duration timeout, bool allow_eof) {
  auto read = [&]() -> asio::awaitable<std::pair<size_t, std::error_code>> {
    size_t have = 0;
    while (have < out.size()) {
      std::error_code ec;
      size_t n = co_await socket_.async_read_some(asio::buffer(out.data() + have, out.size() - have),
                                                  asio::redirect_error(use_awaitable, ec));
      have += n;
      if (ec) co_return std::pair{have, ec};
    }
    co_return std::pair{have, std::error_code()};
  };
  std::pair<size_t, std::error_code> got;
  if (timeout.count() == 0) {
    got = co_await read();
  } else {
    asio::steady_timer timer(socket_.get_executor(), timeout);
    auto result = co_await (read() || timer.async_wait(use_awaitable));
    if (result.index() == 1)
      throw TimeoutError(
          fmt::format("the peer sent nothing for {} ms on the control connection", timeout.count()));
    got = std::get<0>(result);
  }
  if (got.second == asio::error::eof) {
    if (allow_eof) co_return got.first;
    throw SessionError("control socket has closed unexpectedly", kIeCtrlClose);
  }
  if (got.second)
    throw SessionError(fmt::format("control connection failed: {}", got.second.message()), kIeCtrlClose);
  co_return got.first;
}

asio::awaitable<uint8_t> ControlChannel::read_byte(Duration timeout) {
  uint8_t byte = 0;
  co_await read_exact(std::span<uint8_t>(&byte, 1), timeout, false);
  trace(false, describe_byte(byte));
  co_return byte;
}

asio::awaitable<std::array<uint8_t, protocol::kCookieWireSize>> ControlChannel::read_cookie(
    Duration timeout) {
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  co_await read_exact(cookie, timeout, false);
  trace(false, fmt::format("cookie {}", std::string(cookie.begin(), cookie.end() - 1)));
  co_return cookie;
}

asio::awaitable<std::string> ControlChannel::read_json(uint32_t max_length, Duration timeout) {
  protocol::FrameDecoder decoder(max_length);
  std::vector<uint8_t> chunk;
  // The whole message must arrive within one deadline, not one per read.
  auto deadline = Clock::now() + timeout;
  while (size_t want = decoder.bytes_wanted()) {
    chunk.resize(std::min<size_t>(want, 64 * 1024));
    auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
    if (left.count() <= 0) throw TimeoutError("timed out reading a JSON message");
    co_await read_exact(chunk, left, false);
    auto result = decoder.feed(chunk);
    if (result.status == protocol::FrameDecoder::Status::kError)
      throw SessionError(decoder.error(), kIeMessage);
  }
  trace(false, decoder.message());
  co_return decoder.message();
}

asio::awaitable<protocol::ServerError> ControlChannel::read_server_error(Duration timeout) {
  std::array<uint8_t, 8> bytes{};
  size_t got = co_await read_exact(bytes, timeout, true);
  protocol::ServerError error;
  if (got >= 4)
    error.code = static_cast<int32_t>(protocol::read_be32(std::span<const uint8_t, 4>(bytes.data(), 4)));
  if (got == 8)
    error.sys_errno =
        static_cast<int32_t>(protocol::read_be32(std::span<const uint8_t, 4>(bytes.data() + 4, 4)));
  co_return error;
}

void ControlChannel::close() {
  std::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace nperf::session
