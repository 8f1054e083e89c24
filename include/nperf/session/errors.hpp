#pragma once
// Errors that end a test. Each carries, on the server, the iperf3 error code
// sent to the client in SERVER_ERROR; the process exit code is the config's
// ExitCode.
#include <stdexcept>
#include <string>

#include "nperf/config/exit_code.hpp"
#include "nperf/protocol/iperf_error.hpp"

namespace nperf::session {

using protocol::describe_iperf_error;
using enum protocol::IperfError;

struct SessionError : std::runtime_error {
  explicit SessionError(const std::string& message, int iperf_code = kIeNone)
      : std::runtime_error(message), code(iperf_code) {}
  int code;
};

// A deadline passed while waiting for the peer.
struct TimeoutError : SessionError {
  using SessionError::SessionError;
};

// The server answered ACCESS_DENIED: it runs as many tests as it takes.
struct ServerBusy : SessionError {
  using SessionError::SessionError;
};

}  // namespace nperf::session
