#pragma once
// The server: one listening socket, one test at a time (as iperf3), each test
// an object of its own so that serving several at once stays a small change.
// Control logic runs on one thread (asio coroutines); data moves on the
// stream engine's threads.
#include <functional>
#include <memory>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "nperf/config/config.hpp"
#include "nperf/net/metrics_server.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/test_seams.hpp"
#include "nperf/stats/metrics.hpp"

namespace nperf::session {

struct ServerTest;  // one test in progress (server_session.cpp)

class ServerSession {
 public:
  ServerSession(const Config& config, report::Reporter& reporter);
  ~ServerSession();
  // Serves tests until a signal (or after one test with -1); returns the exit code.
  int run();
  // Serves one test whose control connection is already open (a stream
  // socket's fd, owned from here on), without a listener: unit tests pass
  // one end of a socketpair and script the client. The data streams arrive
  // through the listener, so a test goes past CREATE_STREAMS only with
  // test seams that give the streams and the engine.
  int serve_connected(int control_fd);
  // -d: control-connection trace lines go here.
  void set_debug_sink(std::function<void(std::string_view)> sink) { debug_sink_ = std::move(sink); }
  // Unit tests: fake data streams and engine (test_seams.hpp; the clock is not used here).
  void set_test_seams(TestSeams seams) { seams_ = std::move(seams); }

 private:
  asio::awaitable<void> accept_loop();
  // One test from the first byte to the end (server_test_run.cpp), job by job.
  asio::awaitable<void> run_test(std::shared_ptr<ServerTest> test, asio::ip::tcp::socket socket);
  // The handshake (server_handshake.hpp), then this server's own CPU pinning.
  asio::awaitable<void> admit_test(ServerTest& test, const asio::ip::tcp::endpoint& peer);
  void set_up_reporters(ServerTest& test);
  void describe_start(ServerTest& test, const asio::ip::tcp::endpoint& peer);
  asio::awaitable<void> start_test(std::shared_ptr<ServerTest> test);
  asio::awaitable<void> serve_running_test(ServerTest& test);
  // The data streams (server_streams.cpp).
  asio::awaitable<void> create_streams(ServerTest& test);
  asio::awaitable<void> wait_for_tcp_streams(ServerTest& test);
  asio::awaitable<void> take_data_connection(std::shared_ptr<ServerTest> test, asio::ip::tcp::socket socket);
  asio::awaitable<void> keep_time(std::shared_ptr<ServerTest> test);
  asio::awaitable<void> finish_test(ServerTest& test);
  asio::ip::udp::socket open_udp_socket();
  // Hands an accepted data socket to the test as its next stream.
  void add_stream(ServerTest& test, int fd);
  asio::awaitable<void> accept_udp_streams(ServerTest& test, asio::ip::udp::socket first);
  void open_listener();
  void on_signal(int signal);
  void test_done(std::exception_ptr error);
  // --metrics (server_metrics.cpp): the endpoint, and what one test adds.
  bool start_metrics();
  void record_test(const ServerTest& test, std::exception_ptr error);

  Config config_;
  report::Reporter& reporter_;
  std::function<void(std::string_view)> debug_sink_;
  TestSeams seams_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<ServerTest> test_;
  int tests_started_ = 0;
  int exit_code_ = kExitOk;
  std::unique_ptr<MetricsRegistry> metrics_;  // null without --metrics
  std::unique_ptr<net::MetricsServer> metrics_server_;
};

}  // namespace nperf::session
