#pragma once
// The sessions' hooks into authentication and the access list (issue #18,
// docs/auth.md), one call each, so the session code knows nothing of tokens.
#include <string>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "nperf/config/config.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/session/control_channel.hpp"

namespace nperf::session {

// Server, right after accept: false (and the socket closed, nothing read)
// when --allow does not list the peer; the refusal is counted and logged as a
// warning at most once a minute per source.
bool admit_connection(const Config& config, asio::ip::tcp::socket& socket, report::Reporter& reporter);

// Server, after the parameter message was decoded: with authentication on,
// checks its authtoken; on failure answers SERVER_ERROR 142 (IEAUTHTEST, as
// iperf3, saying nothing of which part was wrong) and throws SessionError.
asio::awaitable<void> authenticate_client(const Config& config, const std::string& params_json,
                                          const asio::ip::address& peer, ControlChannel& control,
                                          report::Reporter& reporter);

// Client: the parameter message with an "authtoken" when --username is set.
std::string with_authtoken(const Config& config, std::string params_json);

}  // namespace nperf::session
