#pragma once
// The client side of one test: connects, negotiates, opens the data streams,
// keeps time (intervals, omit, the end condition) and reports. Runs its
// control logic on one thread with its own io_context; data moves on the
// stream engine's threads.
#include <functional>
#include <memory>
#include <optional>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>

#include "nperf/config/config.hpp"
#include "nperf/config/side.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/session/control_channel.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/test_run.hpp"
#include "nperf/session/test_seams.hpp"

namespace nperf::session {

class ClientSession {
 public:
  ClientSession(const Config& config, report::Reporter& reporter);
  ~ClientSession();
  // Runs the test to its end; returns the process exit code.
  int run();
  // Runs the test over a control connection that is already open (a stream
  // socket's fd, owned from here on) instead of connecting to config.host:
  // unit tests pass one end of a socketpair and script the server's bytes.
  int run_connected(int control_fd);
  // -d: control-connection trace lines go here.
  void set_debug_sink(std::function<void(std::string_view)> sink) { debug_sink_ = std::move(sink); }
  // Unit tests: fake data streams, engine and clock (test_seams.hpp).
  void set_test_seams(TestSeams seams) { seams_ = std::move(seams); }

 private:
  enum class Phase { kConnecting, kParams, kCreating, kStarting, kRunning, kEnding, kDone };

  asio::awaitable<void> run_protocol();  // attempts, with --busy-retry
  asio::awaitable<void> run_attempt();
  // The start-of-test facts the reporters print (and iperf3's UDP default block size).
  void describe_start();
  // What the client does on each state byte from the server.
  asio::awaitable<void> on_state(protocol::State state);
  asio::awaitable<void> connect_control();
  asio::awaitable<void> create_streams();
  asio::awaitable<int> open_udp_stream(int index, std::vector<std::string>* warnings);
  asio::awaitable<void> keep_time();
  asio::awaitable<void> end_test(double now);
  asio::awaitable<void> exchange_results();
  void display_results();
  // -n/-k: the amount was moved (or every sender's share is out).
  bool quota_reached() const;
  void on_signal(int signal);
  SessionClock& time_source() { return seams_.clock ? *seams_.clock : default_clock_; }

  Config config_;
  Side role_;  // this end is the client; the direction is the spec's
  report::Reporter& reporter_;
  std::function<void(std::string_view)> debug_sink_;
  TestSeams seams_;
  SessionClock default_clock_;
  asio::io_context io_;
  std::unique_ptr<ControlChannel> control_;
  asio::ip::tcp::endpoint server_;
  std::string cookie_;
  bool connected_reported_ = false;
  TestStartInfo start_info_;
  std::vector<DataStream> pending_streams_;
  std::unique_ptr<TestRun> run_;
  std::optional<protocol::TestResults> peer_results_;
  Phase phase_ = Phase::kConnecting;
  int exit_code_ = kExitOk;
};

}  // namespace nperf::session
