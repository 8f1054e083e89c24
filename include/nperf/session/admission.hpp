#pragma once
// The server's decision on a client's parameters, without sockets: does this
// server run the test, and if not, which iperf3 error code and message does
// the client get. Pure, so every refusal is unit-tested.
#include <cstdint>
#include <string>

#include "nperf/config/config.hpp"
#include "nperf/config/test_spec.hpp"
#include "nperf/protocol/iperf_error.hpp"

namespace nperf::session {

// What this server allows (its command line).
struct ServerLimits {
  int max_duration_s = 0;      // --server-max-duration (0 = no limit)
  uint64_t bitrate_limit = 0;  // --server-bitrate-limit, bit/s over all streams (0 = none)
  std::string data_file{};     // -F: tests move this file, so they must be one TCP stream one way

  static ServerLimits from(const Config& config) {
    return {config.server_max_duration_s, config.server_bitrate_limit, config.data_file};
  }
};

struct Admission {
  protocol::IperfError code = protocol::kIeNone;  // kIeNone: admitted
  std::string message;                            // why not, for the server's own log
  uint64_t stream_rate_cap = 0;                   // bit/s per stream from the bitrate limit (0 = none)

  bool admitted() const { return code == protocol::kIeNone; }
};

Admission admit(const TestSpec& spec, const ServerLimits& limits);

}  // namespace nperf::session
