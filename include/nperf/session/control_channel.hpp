#pragma once
// The control connection, driven by asio coroutines. Every read has a deadline:
// a silent or half-finished peer ends the wait with a TimeoutError instead of
// a hang. Reads never consume bytes beyond the item asked for.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "nperf/config/config.hpp"
#include "nperf/protocol/cookie.hpp"
#include "nperf/protocol/frame.hpp"
#include "nperf/protocol/state.hpp"

namespace nperf::session {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::milliseconds;

// Defaults chosen so that a normal test never hits them (iperf3 >= 3.15 uses 10 s per read).
inline constexpr Duration kControlReadTimeout{30'000};
inline constexpr Duration kControlWriteTimeout{10'000};

class ControlChannel {
 public:
  explicit ControlChannel(asio::ip::tcp::socket socket) : socket_(std::move(socket)) {}

  // The socket options a control connection gets on both ends: no Nagle
  // delay (state bytes are tiny), --snd-timeout and --cntl-ka. Failures are
  // ignored: the connection works without them.
  static void configure(asio::ip::tcp::socket& socket, const Config& config);
  // Writes one state byte at once, without waiting and ignoring failures: for
  // a signal handler (SERVER_TERMINATE, CLIENT_TERMINATE, IPERF_DONE) and for
  // the ACCESS_DENIED answer to a connection the server will not read.
  static void send_state_now(asio::ip::tcp::socket& socket, protocol::State state);
  void send_state_now(protocol::State state) { send_state_now(socket_, state); }

  asio::awaitable<void> write_bytes(std::span<const uint8_t> bytes);
  asio::awaitable<void> write_state(protocol::State state);
  asio::awaitable<void> write_json(const std::string& json);
  asio::awaitable<void> write_server_error(int32_t code, int32_t sys_errno);

  // Reads one state byte; `timeout` zero means wait indefinitely (someone else
  // must guard the wait, e.g. the test watchdog).
  asio::awaitable<uint8_t> read_byte(Duration timeout);
  asio::awaitable<std::array<uint8_t, protocol::kCookieWireSize>> read_cookie(Duration timeout);
  asio::awaitable<std::string> read_json(uint32_t max_length, Duration timeout);
  // After SERVER_ERROR: two int32; EOF after the first (iperf3 3.12) means errno 0.
  asio::awaitable<protocol::ServerError> read_server_error(Duration timeout);

  asio::ip::tcp::socket& socket() { return socket_; }
  void close();

  // -d: every state byte and JSON message, sent (">") and received ("<"),
  // as one line each ("debug: control > PARAM_EXCHANGE (9)").
  void set_trace(std::function<void(std::string_view)> trace) { trace_ = std::move(trace); }
  // One -d line for what the caller wrote with write_bytes (the cookie).
  void trace(bool sent, std::string_view what);

 private:
  std::function<void(std::string_view)> trace_;
  asio::awaitable<size_t> read_exact(std::span<uint8_t> out, Duration timeout, bool allow_eof);
  asio::ip::tcp::socket socket_;
};

}  // namespace nperf::session
