// The server's handshake against a scripted client: cookie, PARAM_EXCHANGE,
// parameters, and the SERVER_ERROR code a refused client gets.
#include "nperf/session/server_handshake.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nperf/protocol/frame.hpp"
#include "nperf/protocol/params.hpp"
#include "unit/scripted_peer.hpp"

namespace nperf::session {
namespace {

class ServerHandshakeTest : public ScriptedPeerTest {
 protected:
  // What an nperf or iperf3 client sends first: its cookie, then (after
  // PARAM_EXCHANGE, but the server reads in order) the parameter message.
  void client_sends(const std::string& params_json) {
    std::array<uint8_t, protocol::kCookieTextSize> random{};
    random.fill(7);
    cookie_ = protocol::make_cookie(random);
    auto wire = protocol::cookie_to_wire(cookie_);
    peer_writes(std::vector<uint8_t>(wire.begin(), wire.end()));
    peer_writes(protocol::encode_frame(params_json));
  }
  std::exception_ptr handshake(const ServerLimits& limits) {
    return run(
        [&]() -> asio::awaitable<void> { admitted_ = co_await server_handshake(*channel_, limits); }());
  }
  // The SERVER_ERROR the client reads after PARAM_EXCHANGE: {code, errno}.
  std::vector<uint8_t> server_error(int code) {
    return {9, 0xfe, 0, 0, static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code), 0, 0, 0, 0};
  }

  std::string cookie_;
  AdmittedTest admitted_;
};

TEST_F(ServerHandshakeTest, AnAcceptableTestIsAdmitted) {
  TestSpec spec;
  spec.duration_s = 5;
  spec.parallel = 3;
  spec.direction = Direction::kReverse;
  client_sends(protocol::encode_params(spec));
  EXPECT_FALSE(handshake(ServerLimits{10, 3'000'000}));
  EXPECT_EQ(peer_reads(2), std::vector<uint8_t>{9}) << "PARAM_EXCHANGE and nothing else yet";
  EXPECT_EQ(protocol::cookie_from_wire(admitted_.cookie), cookie_);
  EXPECT_EQ(admitted_.spec.parallel, 3);
  EXPECT_EQ(admitted_.spec.direction, Direction::kReverse);
  EXPECT_EQ(admitted_.stream_rate_cap, 1'000'000u);
}

TEST_F(ServerHandshakeTest, ATestOverTheServersMaximumGetsCode37) {
  TestSpec spec;
  spec.duration_s = 30;
  client_sends(protocol::encode_params(spec));
  EXPECT_EQ(code_of(handshake(ServerLimits{10, 0})), kIeMaxDuration);
  EXPECT_EQ(peer_reads(16), server_error(kIeMaxDuration));
}

TEST_F(ServerHandshakeTest, BrokenRulesAreAnsweredWithIperf3sCodes) {
  client_sends(R"({"tcp":true,"time":2,"parallel":1,"len":131072,"TOS":300})");
  EXPECT_EQ(code_of(handshake({})), kIeBadTos);
  EXPECT_EQ(peer_reads(16), server_error(kIeBadTos));
}

TEST_F(ServerHandshakeTest, ParametersThatAreNotJsonGetRecvParams) {
  client_sends("[1,2]");
  EXPECT_EQ(code_of(handshake({})), kIeRecvParams);
  EXPECT_EQ(peer_reads(16), server_error(kIeRecvParams));
}

TEST_F(ServerHandshakeTest, AClientThatLeavesAfterItsCookieIsAControlClose) {
  std::array<uint8_t, protocol::kCookieTextSize> random{};
  auto wire = protocol::cookie_to_wire(protocol::make_cookie(random));
  peer_writes(std::vector<uint8_t>(wire.begin(), wire.end()));
  peer_closes();
  // The server still tries to say IERECVPARAMS; that write to a closed peer fails.
  EXPECT_EQ(code_of(handshake({})), kIeCtrlClose);
}

}  // namespace
}  // namespace nperf::session
