// The control channel against a scripted peer (scripted_peer.hpp).
#include "nperf/session/control_channel.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "unit/scripted_peer.hpp"

namespace nperf::session {
namespace {

using protocol::State;

class ControlChannelTest : public ScriptedPeerTest {};

TEST_F(ControlChannelTest, StateBytesAndServerErrorsGoOutInWireFormat) {
  EXPECT_FALSE(run(channel_->write_state(State::kParamExchange)));
  EXPECT_EQ(peer_reads(1), std::vector<uint8_t>{9});
  EXPECT_FALSE(run(channel_->write_server_error(kIeMaxDuration, 7)));
  EXPECT_EQ(peer_reads(9), (std::vector<uint8_t>{0xfe, 0, 0, 0, 37, 0, 0, 0, 7}));
  channel_->send_state_now(State::kServerTerminate);
  EXPECT_EQ(peer_reads(1), std::vector<uint8_t>{11});
}

TEST_F(ControlChannelTest, JsonIsFramedWithItsLength) {
  EXPECT_FALSE(run(channel_->write_json("{}")));
  EXPECT_EQ(peer_reads(6), (std::vector<uint8_t>{0, 0, 0, 2, '{', '}'}));
  std::string got;
  peer_writes({0, 0, 0, 3, '{', '}', ' '});
  EXPECT_FALSE(
      run([&]() -> asio::awaitable<void> { got = co_await channel_->read_json(100, Duration(1000)); }()));
  EXPECT_EQ(got, "{} ");
}

TEST_F(ControlChannelTest, AnOversizedJsonMessageIsRefused) {
  peer_writes({0, 0, 1, 0});
  EXPECT_EQ(code_of(run(channel_->read_json(100, Duration(1000)))), kIeMessage);
}

TEST_F(ControlChannelTest, ASilentPeerEndsTheReadWithATimeout) {
  EXPECT_TRUE(is_timeout(run(channel_->read_byte(Duration(50)))));
  peer_writes({0, 0, 0, 9, '{'});  // a message that never completes
  EXPECT_TRUE(is_timeout(run(channel_->read_json(100, Duration(50)))));
}

TEST_F(ControlChannelTest, APeerThatClosesIsAControlClose) {
  peer_closes();
  EXPECT_EQ(code_of(run(channel_->read_byte(Duration(1000)))), kIeCtrlClose);
}

TEST_F(ControlChannelTest, ServerErrorWithoutErrnoAsIperf3_3_12Sends) {
  protocol::ServerError error;
  peer_writes({0, 0, 0, 132});
  peer_closes();
  EXPECT_FALSE(run(
      [&]() -> asio::awaitable<void> { error = co_await channel_->read_server_error(Duration(1000)); }()));
  EXPECT_EQ(error.code, kIeAffinity);
  EXPECT_EQ(error.sys_errno, 0);
}

TEST_F(ControlChannelTest, TraceShowsBothDirectionsAndEscapesControlBytes) {
  std::vector<std::string> lines;
  channel_->set_trace([&](std::string_view line) { lines.emplace_back(line); });
  peer_writes({4});
  EXPECT_FALSE(run(channel_->write_state(State::kCreateStreams)));
  EXPECT_FALSE(run(channel_->read_byte(Duration(1000))));
  channel_->trace(false, "a\x1b[2Jb");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "debug: control > CREATE_STREAMS (10)\n");
  EXPECT_EQ(lines[1], "debug: control < TEST_END (4)\n");
  EXPECT_EQ(lines[2], "debug: control < a\\x1b[2Jb\n");
}

}  // namespace
}  // namespace nperf::session
