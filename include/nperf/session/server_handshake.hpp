#pragma once
// The server's side of a test's first exchange, on any ControlChannel: the
// cookie, PARAM_EXCHANGE, the parameters and the admission. A refusal is
// answered with SERVER_ERROR and the matching iperf3 code before the
// SessionError is thrown, so the client always learns why. No listener and
// no session state: tests drive it against a scripted client.
#include <array>
#include <functional>
#include <string>

#include <asio/awaitable.hpp>

#include "nperf/config/test_spec.hpp"
#include "nperf/protocol/cookie.hpp"
#include "nperf/session/admission.hpp"
#include "nperf/session/control_channel.hpp"

namespace nperf::session {

struct AdmittedTest {
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  TestSpec spec;
  uint64_t stream_rate_cap = 0;  // --server-bitrate-limit's share per stream (0 = none)
};

// Deadlines a normal client never hits (see docs/robustness.md).
inline constexpr Duration kCookieTimeout{10'000};
inline constexpr Duration kParamsTimeout{10'000};

// Looks at the raw parameter message before admission (authentication,
// issue #18); it answers and throws to refuse.
using ParamsCheck = std::function<asio::awaitable<void>(const std::string& params_json)>;

asio::awaitable<AdmittedTest> server_handshake(ControlChannel& control, const ServerLimits& limits,
                                               const ParamsCheck& check = {});
// The same once the cookie was read (the server reads it first to tell a
// data connection from a new test's control connection).
asio::awaitable<AdmittedTest> server_handshake_after_cookie(
    ControlChannel& control, const std::array<uint8_t, protocol::kCookieWireSize>& cookie,
    const ServerLimits& limits, const ParamsCheck& check = {});

}  // namespace nperf::session
