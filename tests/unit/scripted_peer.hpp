#pragma once
// A ControlChannel whose peer is the test itself: one end of a socketpair is
// the channel, the test writes and reads the other end by hand. No network,
// no threads; every wait is bounded by io_context::run_for.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <exception>
#include <optional>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>

#include "nperf/session/control_channel.hpp"
#include "nperf/session/errors.hpp"

namespace nperf::session {

class ScriptedPeerTest : public testing::Test {
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

}  // namespace nperf::session
