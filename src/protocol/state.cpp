#include "nperf/protocol/state.hpp"

namespace nperf::protocol {

std::optional<State> decode_server_state(uint8_t byte) {
  switch (static_cast<int8_t>(byte)) {
    case 1:
    case 2:
    case 9:
    case 10:
    case 11:
    case 13:
    case 14:
    case 16:
    case -1:
    case -2:
      return static_cast<State>(static_cast<int8_t>(byte));
    default:
      return std::nullopt;
  }
}

std::optional<State> decode_client_state(uint8_t byte) {
  switch (static_cast<int8_t>(byte)) {
    case 1:
    case 4:
    case 12:
    case 16:
      return static_cast<State>(static_cast<int8_t>(byte));
    default:
      return std::nullopt;
  }
}

std::string_view state_name(State s) {
  switch (s) {
    case State::kTestStart:
      return "TEST_START";
    case State::kTestRunning:
      return "TEST_RUNNING";
    case State::kTestEnd:
      return "TEST_END";
    case State::kParamExchange:
      return "PARAM_EXCHANGE";
    case State::kCreateStreams:
      return "CREATE_STREAMS";
    case State::kServerTerminate:
      return "SERVER_TERMINATE";
    case State::kClientTerminate:
      return "CLIENT_TERMINATE";
    case State::kExchangeResults:
      return "EXCHANGE_RESULTS";
    case State::kDisplayResults:
      return "DISPLAY_RESULTS";
    case State::kIperfDone:
      return "IPERF_DONE";
    case State::kAccessDenied:
      return "ACCESS_DENIED";
    case State::kServerError:
      return "SERVER_ERROR";
  }
  return "UNKNOWN";
}

}  // namespace nperf::protocol
