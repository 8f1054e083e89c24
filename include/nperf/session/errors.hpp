#pragma once
// Errors that end a test. Each carries the exit code the process returns and,
// on the server, the iperf3 error code sent to the client in SERVER_ERROR.
#include <stdexcept>
#include <string>

namespace nperf::session {

enum ExitCode : int {
  kExitOk = 0,
  kExitTestFailed = 1,  // any runtime failure, as iperf3
  kExitUsage = 2,       // bad command line
};

// iperf3 error codes (docs/protocol.md#error-codes) that nperf sends or understands.
enum IperfError : int {
  kIeNone = 0,
  kIeNumStreams = 6,
  kIeBlockSize = 7,
  kIeBurst = 15,
  kIeBadTos = 21,
  kIeServerTerm = 11,
  kIeUnimplemented = 13,
  kIeTotalRate = 27,
  kIeMaxDuration = 37,
  kIeNoMessage = 144,
  kIeRecvCookie = 106,
  kIeCtrlClose = 109,
  kIeMessage = 110,
  kIeRecvParams = 114,
  kIeRecvResults = 117,
  kIeClientTerm = 119,
  kIeAccept = 201,
  kIeStreamId = 208,
};

struct SessionError : std::runtime_error {
  explicit SessionError(const std::string& message, int iperf_code = kIeNone)
      : std::runtime_error(message), code(iperf_code) {}
  int code;
};

// A deadline passed while waiting for the peer.
struct TimeoutError : SessionError {
  using SessionError::SessionError;
};

// Text iperf3 prints for an error code received in SERVER_ERROR.
std::string describe_iperf_error(int code);

}  // namespace nperf::session
