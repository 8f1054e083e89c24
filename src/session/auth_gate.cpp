#include "nperf/session/auth_gate.hpp"

#include <ctime>
#include <vector>

#include <fmt/format.h>

#include "nperf/auth/client_token.hpp"
#include "nperf/auth/server_gate.hpp"
#include "nperf/protocol/json_access.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/session_common.hpp"
#include "nperf/session/test_run.hpp"

namespace nperf::session {
namespace {

// An IPv4 client of a dual-stack listener as its IPv4 address.
std::vector<uint8_t> address_bytes(const asio::ip::address& address) {
  if (address.is_v4()) {
    auto b = address.to_v4().to_bytes();
    return {b.begin(), b.end()};
  }
  auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) {
    auto b = asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_bytes();
    return {b.begin(), b.end()};
  }
  auto b = v6.to_bytes();
  return {b.begin(), b.end()};
}

// The token, looked up as iperf3 (cJSON) does: case-insensitively; not a string counts as none.
std::optional<std::string> find_token(const std::string& params_json) {
  std::string ignored;
  auto j = protocol::parse_json_object(params_json, protocol::kMaxJsonDepth, &ignored);
  if (!j) return std::nullopt;
  try {
    return protocol::get_string(*j, "authtoken");
  } catch (const protocol::JsonFieldError&) {
    return std::nullopt;
  }
}

}  // namespace

bool admit_connection(const Config& config, asio::ip::tcp::socket& socket, report::Reporter& reporter) {
  if (!config.auth.server) return true;
  std::error_code ec;
  auto peer = socket.remote_endpoint(ec);
  std::string log_line;
  if (!ec && config.auth.server->admits(address_bytes(peer.address()), monotonic_now(), &log_line))
    return true;
  socket.close(ec);
  if (!log_line.empty()) reporter.on_warning(log_line);
  return false;
}

asio::awaitable<void> authenticate_client(const Config& config, const std::string& params_json,
                                          const asio::ip::address& peer, ControlChannel& control,
                                          report::Reporter& reporter) {
  if (!config.auth.server || !config.auth.server->auth_enabled()) co_return;
  auto bytes = address_bytes(peer);
  auth::Verdict verdict =
      config.auth.server->check(find_token(params_json), auth::address_text(bytes),
                                static_cast<int64_t>(std::time(nullptr)), monotonic_now());
  for (const auto& note : verdict.notes) reporter.on_warning(note);
  if (verdict.ok) co_return;
  // iperf3 3.12 sends only the code; the errno 0 after it is what every
  // client reads (3.12 takes EOF there as 0 too), and says nothing more.
  co_await control.write_server_error(kIeAuthTest, 0);
  throw SessionError(fmt::format("test authorization failed: {}", verdict.detail), kIeAuthTest);
}

std::string with_authtoken(const Config& config, std::string params_json) {
  if (!config.auth.client) return params_json;
  std::string error;
  auto with_token =
      config.auth.client->add_to_params(params_json, static_cast<int64_t>(std::time(nullptr)), &error);
  if (!with_token) throw SessionError(fmt::format("cannot make the authentication token: {}", error));
  return *with_token;
}

}  // namespace nperf::session
