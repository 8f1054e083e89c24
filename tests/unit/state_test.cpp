#include "nperf/protocol/state.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace nperf::protocol {
namespace {

struct Code {
  State state;
  uint8_t wire;
  std::string_view name;
};

// docs/protocol.md#state-bytes.
const std::vector<Code> kAllStates = {
    {State::kTestStart, 0x01, "TEST_START"},
    {State::kTestRunning, 0x02, "TEST_RUNNING"},
    {State::kTestEnd, 0x04, "TEST_END"},
    {State::kParamExchange, 0x09, "PARAM_EXCHANGE"},
    {State::kCreateStreams, 0x0a, "CREATE_STREAMS"},
    {State::kServerTerminate, 0x0b, "SERVER_TERMINATE"},
    {State::kClientTerminate, 0x0c, "CLIENT_TERMINATE"},
    {State::kExchangeResults, 0x0d, "EXCHANGE_RESULTS"},
    {State::kDisplayResults, 0x0e, "DISPLAY_RESULTS"},
    {State::kIperfDone, 0x10, "IPERF_DONE"},
    {State::kAccessDenied, 0xff, "ACCESS_DENIED"},
    {State::kServerError, 0xfe, "SERVER_ERROR"},
};

// What a client accepts from a server: 9, 10, 1, 2, 13, 14, 16, 11, -1, -2.
const std::set<uint8_t> kClientAccepts = {0x09, 0x0a, 0x01, 0x02, 0x0d, 0x0e, 0x10, 0x0b, 0xff, 0xfe};
// What a server accepts from a client: 1 (ignored), 4, 16, 12.
const std::set<uint8_t> kServerAccepts = {0x01, 0x04, 0x10, 0x0c};

}  // namespace

TEST(State, EveryStateHasIperf3WireByte) {
  for (const Code& c : kAllStates) EXPECT_EQ(to_wire(c.state), c.wire) << c.name;
}

TEST(State, NegativeStatesAreSignedBytes) {
  EXPECT_EQ(static_cast<int8_t>(to_wire(State::kAccessDenied)), -1);
  EXPECT_EQ(static_cast<int8_t>(to_wire(State::kServerError)), -2);
}

TEST(State, NamesMatchIperf3) {
  for (const Code& c : kAllStates) EXPECT_EQ(state_name(c.state), c.name);
}

TEST(State, NamesAreDistinct) {
  std::set<std::string_view> names;
  for (const Code& c : kAllStates) names.insert(state_name(c.state));
  EXPECT_EQ(names.size(), kAllStates.size());
}

TEST(State, ClientAcceptsExactlyTheServerSentBytes) {
  for (int b = 0; b < 256; ++b) {
    auto byte = static_cast<uint8_t>(b);
    auto decoded = decode_server_state(byte);
    EXPECT_EQ(decoded.has_value(), kClientAccepts.count(byte) == 1) << "byte 0x" << std::hex << b;
    if (decoded) {
      EXPECT_EQ(to_wire(*decoded), byte) << "byte 0x" << std::hex << b;
    }
  }
}

TEST(State, ClientDecodesEachServerState) {
  EXPECT_EQ(decode_server_state(0x09), State::kParamExchange);
  EXPECT_EQ(decode_server_state(0x0a), State::kCreateStreams);
  EXPECT_EQ(decode_server_state(0x01), State::kTestStart);
  EXPECT_EQ(decode_server_state(0x02), State::kTestRunning);
  EXPECT_EQ(decode_server_state(0x0d), State::kExchangeResults);
  EXPECT_EQ(decode_server_state(0x0e), State::kDisplayResults);
  EXPECT_EQ(decode_server_state(0x10), State::kIperfDone);
  EXPECT_EQ(decode_server_state(0x0b), State::kServerTerminate);
  EXPECT_EQ(decode_server_state(0xff), State::kAccessDenied);
  EXPECT_EQ(decode_server_state(0xfe), State::kServerError);
}

TEST(State, ClientRejectsClientOnlyAndUnusedBytes) {
  EXPECT_FALSE(decode_server_state(0x04));  // TEST_END is sent by clients
  EXPECT_FALSE(decode_server_state(0x0c));  // CLIENT_TERMINATE is sent by clients
  EXPECT_FALSE(decode_server_state(0x03));  // RESULT_REQUEST: defined, never sent
  for (uint8_t b = 5; b <= 8; ++b) EXPECT_FALSE(decode_server_state(b)) << int{b};
  EXPECT_FALSE(decode_server_state(0x0f));  // IPERF_START: internal
  EXPECT_FALSE(decode_server_state(0x00));
  EXPECT_FALSE(decode_server_state(0x55));
  EXPECT_FALSE(decode_server_state(0xfd));  // -3
  EXPECT_FALSE(decode_server_state(0x80));
}

TEST(State, ServerAcceptsExactlyTheClientSentBytes) {
  for (int b = 0; b < 256; ++b) {
    auto byte = static_cast<uint8_t>(b);
    auto decoded = decode_client_state(byte);
    EXPECT_EQ(decoded.has_value(), kServerAccepts.count(byte) == 1) << "byte 0x" << std::hex << b;
    if (decoded) {
      EXPECT_EQ(to_wire(*decoded), byte) << "byte 0x" << std::hex << b;
    }
  }
}

TEST(State, ServerDecodesEachClientState) {
  EXPECT_EQ(decode_client_state(0x01), State::kTestStart);
  EXPECT_EQ(decode_client_state(0x04), State::kTestEnd);
  EXPECT_EQ(decode_client_state(0x10), State::kIperfDone);
  EXPECT_EQ(decode_client_state(0x0c), State::kClientTerminate);
}

TEST(State, ServerRejectsServerOnlyAndUnusedBytes) {
  EXPECT_FALSE(decode_client_state(0x09));  // PARAM_EXCHANGE comes from the server
  EXPECT_FALSE(decode_client_state(0x0a));
  EXPECT_FALSE(decode_client_state(0x02));
  EXPECT_FALSE(decode_client_state(0x0b));
  EXPECT_FALSE(decode_client_state(0x0d));
  EXPECT_FALSE(decode_client_state(0x0e));
  EXPECT_FALSE(decode_client_state(0xff));
  EXPECT_FALSE(decode_client_state(0xfe));
  EXPECT_FALSE(decode_client_state(0x00));
  EXPECT_FALSE(decode_client_state(0x03));
  EXPECT_FALSE(decode_client_state(0x55));
}

}  // namespace nperf::protocol
