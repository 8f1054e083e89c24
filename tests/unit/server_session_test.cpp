// The server's control session against a scripted client: the client's bytes
// are written into one end of a socketpair before the server serves the
// other end, so each test is one pass with no thread and no sleep.
#include "nperf/session/server_session.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nperf/protocol/cookie.hpp"
#include "nperf/protocol/frame.hpp"
#include "nperf/protocol/params.hpp"

namespace nperf::session {
namespace {

struct RecordingReporter : report::Reporter {
  void on_server_listening(int, int) override { ++listening; }
  void on_connected(const TestStartInfo& start) override { connected.push_back(start); }
  void on_stream_connected(const StreamInfo&) override {}
  void on_test_start(const TestStartInfo&) override {}
  void on_interval(const IntervalReport&) override {}
  void on_end(const EndReport&) override {}
  void on_warning(const std::string&) override {}
  void on_error(const std::string& message) override { errors.push_back(message); }
  void on_finish() override { ++finished; }

  int listening = 0, finished = 0;
  std::vector<TestStartInfo> connected;
  std::vector<std::string> errors;
};

class ServerSessionTest : public testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    server_fd_ = fds[0];
    client_fd_ = fds[1];
    config_.role = Role::kServer;
    config_.one_off = true;
  }
  void TearDown() override { ::close(client_fd_); }

  // The client's cookie and parameters, then EOF; returns the server's exit code.
  int serve(const TestSpec& spec) {
    std::array<uint8_t, protocol::kCookieTextSize> random{};
    random.fill(3);
    auto cookie = protocol::cookie_to_wire(protocol::make_cookie(random));
    std::vector<uint8_t> script(cookie.begin(), cookie.end());
    auto params = protocol::encode_frame(protocol::encode_params(spec));
    script.insert(script.end(), params.begin(), params.end());
    EXPECT_EQ(::write(client_fd_, script.data(), script.size()), static_cast<ssize_t>(script.size()));
    ::shutdown(client_fd_, SHUT_WR);
    ServerSession server(config_, reporter_);
    return server.serve_connected(server_fd_);
  }
  std::vector<uint8_t> server_wrote() {
    std::vector<uint8_t> bytes(4096);
    ssize_t n = ::recv(client_fd_, bytes.data(), bytes.size(), MSG_DONTWAIT);
    bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return bytes;
  }

  Config config_;
  RecordingReporter reporter_;
  int server_fd_ = -1, client_fd_ = -1;
};

TEST_F(ServerSessionTest, AClientGoneWhileStreamsAreSetUpIsNoticedAtOnce) {
  TestSpec spec;
  spec.duration_s = 2;
  spec.direction = Direction::kReverse;
  EXPECT_EQ(serve(spec), kExitTestFailed);
  EXPECT_EQ(server_wrote(), (std::vector<uint8_t>{9, 10})) << "PARAM_EXCHANGE, CREATE_STREAMS";
  ASSERT_EQ(reporter_.connected.size(), 1u);
  EXPECT_TRUE(reporter_.connected[0].is_server);
  EXPECT_EQ(reporter_.connected[0].spec.direction, Direction::kReverse);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0],
            "the client closed the control connection while the data streams were being set up");
  EXPECT_EQ(reporter_.finished, 1);
}

TEST_F(ServerSessionTest, ARefusedTestGetsServerErrorAndNoStreams) {
  config_.server_max_duration_s = 5;
  TestSpec spec;
  spec.duration_s = 6;
  EXPECT_EQ(serve(spec), kExitTestFailed);
  EXPECT_EQ(server_wrote(), (std::vector<uint8_t>{9, 0xfe, 0, 0, 0, 37, 0, 0, 0, 0}));
  EXPECT_TRUE(reporter_.connected.empty()) << "a refused test prints no connection";
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "refused a 6 s test: --server-max-duration is 5 s");
}

TEST_F(ServerSessionTest, AServerThatIsNotOneOffListensAgainAfterARefusal) {
  config_.one_off = false;
  TestSpec spec;
  spec.parallel = 129;
  EXPECT_EQ(serve(spec), kExitOk) << "a refused client is not the server's failure";
  EXPECT_EQ(server_wrote(), (std::vector<uint8_t>{9, 0xfe, 0, 0, 0, 6, 0, 0, 0, 0}));
  EXPECT_EQ(reporter_.listening, 1) << "the banner for the next test";
}

}  // namespace
}  // namespace nperf::session
