// The client's control session against a scripted server: the server's
// bytes are written into one end of a socketpair before the client runs on
// the other end, so each test is one pass with no thread and no sleep. The
// scripts stop before CREATE_STREAMS (no data connections are opened).
#include "nperf/session/client_session.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nperf/protocol/cookie.hpp"
#include "nperf/protocol/frame.hpp"
#include "nperf/session/process_control.hpp"

namespace nperf::session {
namespace {

// Keeps what the session reports; formatting is the reporters' business.
struct RecordingReporter : report::Reporter {
  void on_server_listening(int, int) override {}
  void on_connected(const TestStartInfo&) override { ++connected; }
  void on_stream_connected(const StreamInfo&) override {}
  void on_test_start(const TestStartInfo&) override {}
  void on_interval(const IntervalReport&) override {}
  void on_end(const EndReport&) override { ++ends; }
  void on_warning(const std::string&) override {}
  void on_error(const std::string& message) override { errors.push_back(message); }
  void on_finish() override { ++finished; }

  int connected = 0, ends = 0, finished = 0;
  std::vector<std::string> errors;
};

class ClientSessionTest : public testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    client_fd_ = fds[0];
    server_fd_ = fds[1];
    config_.host = "scripted";
    config_.spec.duration_s = 3;
  }
  void TearDown() override {
    ::close(server_fd_);
    // run() leaves SIGINT/SIGTERM/SIGHUP blocked for main(); the test process wants them back.
    release_termination_signals();
  }

  // Runs the client to its end against the server bytes `script`; returns its exit code.
  int run(const std::vector<uint8_t>& script) {
    EXPECT_EQ(::write(server_fd_, script.data(), script.size()), static_cast<ssize_t>(script.size()));
    ::shutdown(server_fd_, SHUT_WR);  // the script is all the server says: then EOF
    ClientSession client(config_, reporter_);
    return client.run_connected(client_fd_);
  }
  // Everything the client wrote.
  std::vector<uint8_t> client_wrote() {
    std::vector<uint8_t> bytes(64 * 1024);
    ssize_t n = ::recv(server_fd_, bytes.data(), bytes.size(), MSG_DONTWAIT);
    bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return bytes;
  }

  Config config_;
  RecordingReporter reporter_;
  int client_fd_ = -1, server_fd_ = -1;
};

TEST_F(ClientSessionTest, SendsItsCookieThenItsParametersOnParamExchange) {
  EXPECT_EQ(run({9}), kExitTestFailed) << "the server then closes";
  std::vector<uint8_t> wrote = client_wrote();
  ASSERT_GT(wrote.size(), protocol::kCookieWireSize + 4);
  EXPECT_EQ(wrote[protocol::kCookieWireSize - 1], 0) << "a 36-character cookie and its NUL";
  protocol::FrameDecoder frame(protocol::kMaxParamsLength);
  frame.feed(std::span<const uint8_t>(wrote).subspan(protocol::kCookieWireSize));
  ASSERT_FALSE(frame.bytes_wanted()) << "one whole parameter message follows the cookie";
  EXPECT_NE(frame.message().find("\"time\":3"), std::string::npos) << frame.message();
  EXPECT_EQ(reporter_.connected, 1);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "control socket has closed unexpectedly");
}

TEST_F(ClientSessionTest, ServerErrorIsReportedWithIperf3sText) {
  EXPECT_EQ(run({9, 0xfe, 0, 0, 0, 37, 0, 0, 0, 0}), kExitTestFailed);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0],
            "the server reported an error: client's requested duration exceeds the server's maximum "
            "permitted limit");
  EXPECT_EQ(reporter_.finished, 1);
}

TEST_F(ClientSessionTest, ServerErrorWithErrnoAddsTheSystemText) {
  EXPECT_EQ(run({9, 0xfe, 0, 0, 0, 132, 0, 0, 0, 22}), kExitTestFailed);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0],
            "the server reported an error: unable to set CPU affinity: Invalid argument");
}

TEST_F(ClientSessionTest, ABusyServerSaysSo) {
  EXPECT_EQ(run({static_cast<uint8_t>(-1)}), kExitTestFailed);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "the server is busy running a test. try again later");
  EXPECT_EQ(reporter_.connected, 0) << "no parameters were asked for";
}

TEST_F(ClientSessionTest, AnUnknownStateByteEndsTheTest) {
  EXPECT_EQ(run({9, 99}), kExitTestFailed);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "received an unknown control message (99)");
}

TEST_F(ClientSessionTest, TestRunningBeforeTestStartIsAProtocolError) {
  EXPECT_EQ(run({9, 2}), kExitTestFailed);
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "TEST_RUNNING before TEST_START");
}

TEST_F(ClientSessionTest, ATerminatingServerGetsIperfDone) {
  EXPECT_EQ(run({9, 11}), kExitTestFailed);
  std::vector<uint8_t> wrote = client_wrote();
  ASSERT_FALSE(wrote.empty());
  EXPECT_EQ(wrote.back(), 16) << "IPERF_DONE is the last byte the client sends";
  ASSERT_EQ(reporter_.errors.size(), 1u);
  EXPECT_EQ(reporter_.errors[0], "the server has terminated");
  EXPECT_EQ(reporter_.ends, 0) << "no test ran, so there is no summary";
}

}  // namespace
}  // namespace nperf::session
