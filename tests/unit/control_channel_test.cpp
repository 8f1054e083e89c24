// The control channel against a scripted peer: one end of a socketpair is the
// ControlChannel, the test writes and reads the other end by hand. No network,
// no threads; every wait is bounded by io_context::run_for.
#include "nperf/session/control_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "nperf/protocol/frame.hpp"
#include "nperf/session/errors.hpp"

namespace nperf::session {
namespace {

using protocol::State;

class ControlChannelTest : public testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    asio::ip::tcp::socket socket(io_);
    socket.assign(asio::ip::tcp::v4(), fds[0]);  // reads and writes work on any stream socket
    channel_.emplace(std::move(socket));
    peer_ = fds[1];
  }
  void TearDown() override {
    if (peer_ >= 0) ::close(peer_);
  }

  // Runs `work` to its end (at most 5 s); returns the exception it threw, if any.
  template <class Awaitable>
  std::exception_ptr run(Awaitable work) {
    std::exception_ptr error;
    bool done = false;
    asio::co_spawn(io_, std::move(work), [&](std::exception_ptr e, auto&&...) {
      error = e;
      done = true;
    });
    io_.restart();
    io_.run_for(std::chrono::seconds(5));
    EXPECT_TRUE(done) << "the channel operation did not finish";
    return error;
  }
  void peer_writes(std::vector<uint8_t> bytes) {
    ASSERT_EQ(::write(peer_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  std::vector<uint8_t> peer_reads(size_t n) {
    std::vector<uint8_t> bytes(n);
    size_t have = 0;
    while (have < n) {
      ssize_t got = ::recv(peer_, bytes.data() + have, n - have, MSG_DONTWAIT);
      if (got <= 0) break;
      have += static_cast<size_t>(got);
    }
    bytes.resize(have);
    return bytes;
  }
  void peer_closes() {
    ::close(peer_);
    peer_ = -1;
  }
  static int code_of(std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const SessionError& e) {
      return e.code;
    }
    return -1;
  }
  static bool is_timeout(std::exception_ptr error) {
    try {
      if (error) std::rethrow_exception(error);
    } catch (const TimeoutError&) {
      return true;
    } catch (...) {
    }
    return false;
  }

  asio::io_context io_;
  std::optional<ControlChannel> channel_;
  int peer_ = -1;
};

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
