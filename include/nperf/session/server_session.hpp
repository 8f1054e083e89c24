#pragma once
// The server: one listener per port (-p 5101-5103), each serving up to
// --max-tests tests at once (default 1, iperf3's "busy"), each test an object
// of its own (server_test.hpp) with its own control session, streams,
// deadlines and report. A connection holds nothing until its cookie and
// parameters were admitted. Control logic runs on one thread (asio
// coroutines); data moves on the stream engine's threads.
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>

#include "nperf/config/config.hpp"
#include "nperf/net/metrics_server.hpp"
#include "nperf/protocol/cookie.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/report/text_reporter.hpp"
#include "nperf/session/control_channel.hpp"
#include "nperf/session/errors.hpp"
#include "nperf/session/server_load.hpp"
#include "nperf/session/test_seams.hpp"
#include "nperf/stats/metrics.hpp"
#include "nperf/stats/overlap.hpp"
#include "nperf/stats/report_model.hpp"

namespace nperf::session {

struct ServerTest;  // one test in progress (server_test.hpp)
struct Listener;    // one port (server_test.hpp)
class PendingSlot;  // a connection not yet admitted (server_test.hpp)

// Makes one test's reporter (the process's format) writing into the given sinks.
using TestReporterFactory =
    std::function<std::unique_ptr<report::Reporter>(report::LineSink, report::LineSink)>;

// Connections accepted but not yet a test or a stream (cookie and parameters
// on their way): beyond this many, new ones are closed at once.
inline constexpr int kMaxPendingConnections = 64;

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
  // A server that may run tests at once (several ports or --max-tests > 1)
  // gives each test a reporter of its own from `factory` and writes each
  // test's output whole to `out`/`err` when it ends. Without a factory every
  // test reports to the process's reporter.
  void set_test_reporters(TestReporterFactory factory, report::LineSink out, report::LineSink err);
  // Unit tests: fake data streams and engine (test_seams.hpp; the clock is not used here).
  void set_test_seams(TestSeams seams) { seams_ = std::move(seams); }

 private:
  asio::awaitable<void> accept_loop(Listener& listener);
  // Reads the cookie, then: a data stream of a test setting up, or a new test.
  asio::awaitable<void> serve_connection(Listener& listener, asio::ip::tcp::socket socket);
  // Every slot of the port is taken and none of its tests waits for data connections.
  bool port_full(const Listener& listener) const;
  std::shared_ptr<ServerTest> test_expecting(const Listener& listener,
                                             const std::array<uint8_t, protocol::kCookieWireSize>& cookie);
  // One test from its parameters to the end (server_test_run.cpp), job by job.
  asio::awaitable<void> run_test(std::shared_ptr<ServerTest> test, asio::ip::tcp::endpoint peer,
                                 PendingSlot& pending);
  // The handshake (server_handshake.hpp), then this server's own CPU pinning.
  asio::awaitable<void> admit_test(ServerTest& test, const asio::ip::tcp::endpoint& peer);
  // A slot in the server's load, or ACCESS_DENIED (false) / SERVER_ERROR (throws).
  asio::awaitable<bool> claim_slot(ServerTest& test);
  void place_streams(ServerTest& test);
  void set_up_reporters(ServerTest& test);
  void describe_start(ServerTest& test, const asio::ip::tcp::endpoint& peer);
  asio::awaitable<void> start_test(std::shared_ptr<ServerTest> test);
  asio::awaitable<void> serve_running_test(ServerTest& test);
  // The data streams (server_streams.cpp).
  asio::awaitable<void> create_streams(ServerTest& test);
  asio::awaitable<void> wait_for_tcp_streams(ServerTest& test);
  void take_data_connection(ServerTest& test, std::unique_ptr<ControlChannel> channel);
  asio::awaitable<void> keep_time(std::shared_ptr<ServerTest> test);
  asio::awaitable<void> finish_test(ServerTest& test);
  asio::ip::udp::socket open_udp_socket(const Listener& listener);
  // Hands an accepted data socket to the test as its next stream.
  void add_stream(ServerTest& test, int fd);
  asio::awaitable<void> accept_udp_streams(ServerTest& test, asio::ip::udp::socket first);
  void open_listener(Listener& listener);
  void open_acceptor(asio::ip::tcp::acceptor& acceptor, const asio::ip::tcp& protocol, std::error_code& ec);
  void on_signal(int signal);
  void test_done(const std::shared_ptr<ServerTest>& test, std::exception_ptr error);
  // Concurrent server (server_overlap.cpp): what ran beside a test, and its held output.
  bool concurrent() const;
  std::map<int, uint64_t> bytes_of_running_tests() const;
  void note_test_running(ServerTest& test);
  void note_test_ended(ServerTest& test);
  EndReport end_report_of(ServerTest& test, const protocol::TestResults* peer, bool peer_results_follow);
  void write_held_output(ServerTest& test);
  void announce_listening();
  // --metrics (server_metrics.cpp): the endpoint, and what one test adds.
  bool start_metrics();
  void record_test(const ServerTest& test, std::exception_ptr error);

  Config config_;
  report::Reporter& reporter_;
  std::function<void(std::string_view)> debug_sink_;
  TestReporterFactory test_reporter_factory_;
  report::LineSink out_, err_;
  bool csv_header_written_ = false;
  TestSeams seams_;
  asio::io_context io_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::map<int, std::shared_ptr<ServerTest>> tests_;  // every test from its cookie to its end, by id
  int pending_ = 0;                                   // connections not yet a test or a stream
  ServerLoad load_;
  OverlapLedger overlap_;
  int tests_started_ = 0;
  bool one_off_done_ = false;
  int exit_code_ = kExitOk;
  std::unique_ptr<MetricsRegistry> metrics_;  // null without --metrics
  std::unique_ptr<net::MetricsServer> metrics_server_;
};

}  // namespace nperf::session
