#pragma once
// iperf3 control-channel state bytes (one signed byte each on the wire).
#include <cstdint>
#include <optional>
#include <string_view>

namespace nperf::protocol {

enum class State : int8_t {
  kTestStart = 1,
  kTestRunning = 2,
  kTestEnd = 4,
  kParamExchange = 9,
  kCreateStreams = 10,
  kServerTerminate = 11,
  kClientTerminate = 12,
  kExchangeResults = 13,
  kDisplayResults = 14,
  kIperfDone = 16,
  kAccessDenied = -1,
  kServerError = -2,
};

// The byte as sent on the wire.
inline uint8_t to_wire(State s) {
  return static_cast<uint8_t>(static_cast<int8_t>(s));
}

// Decodes a byte a client may receive from a server; nullopt for anything else.
std::optional<State> decode_server_state(uint8_t byte);
// Decodes a byte a server may receive from a client (TEST_START is tolerated).
std::optional<State> decode_client_state(uint8_t byte);

std::string_view state_name(State s);

}  // namespace nperf::protocol
