#include "nperf/session/server_handshake.hpp"

#include <fmt/format.h>

#include "nperf/protocol/params.hpp"
#include "nperf/session/errors.hpp"

namespace nperf::session {

using protocol::State;

namespace {

// The parameter message (decoded, and as sent), or SERVER_ERROR IERECVPARAMS
// and a SessionError.
asio::awaitable<std::pair<TestSpec, std::string>> receive_params(ControlChannel& control) {
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
  co_return std::pair{*decoded.spec, std::move(text)};
}

}  // namespace

asio::awaitable<AdmittedTest> server_handshake(ControlChannel& control, const ServerLimits& limits,
                                               const ParamsCheck& check) {
  auto cookie = co_await control.read_cookie(kCookieTimeout);
  co_return co_await server_handshake_after_cookie(control, cookie, limits, check);
}

asio::awaitable<AdmittedTest> server_handshake_after_cookie(
    ControlChannel& control, const std::array<uint8_t, protocol::kCookieWireSize>& cookie,
    const ServerLimits& limits, const ParamsCheck& check) {
  AdmittedTest test;
  test.cookie = cookie;
  co_await control.write_state(State::kParamExchange);
  auto [spec, text] = co_await receive_params(control);
  test.spec = std::move(spec);
  if (check) co_await check(text);
  Admission admission = admit(test.spec, limits);
  if (!admission.admitted()) {
    co_await control.write_server_error(admission.code, 0);
    throw SessionError(admission.message, admission.code);
  }
  test.stream_rate_cap = admission.stream_rate_cap;
  test.spec.data_file = limits.data_file;  // -F: the server's own file, not a parameter
  co_return test;
}

}  // namespace nperf::session
