#pragma once
// One test in progress on the server (ServerSession's files share it).
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include "nperf/config/side.hpp"
#include "nperf/protocol/cookie.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/report/tee_reporter.hpp"
#include "nperf/session/control_channel.hpp"
#include "nperf/session/server_handshake.hpp"
#include "nperf/session/test_run.hpp"
#include "nperf/stats/overlap.hpp"

namespace nperf::session {

// One port the server listens on. Its UDP tests take turns at setting up
// their streams: a UDP hello carries no cookie, so while one test's hello
// socket is bound to the port no other test's may be.
struct Listener {
  Listener(asio::io_context& io, uint16_t p) : port(p), acceptor(io) {}
  uint16_t port;
  asio::ip::tcp::acceptor acceptor;
  bool udp_setup_taken = false;
};

// Counts a connection as pending (not yet a test or a stream) while it lives
// or until release(): the flood cap in accept_loop reads the count.
class PendingSlot {
 public:
  explicit PendingSlot(int& count) : count_(&count) { ++*count_; }
  ~PendingSlot() { release(); }
  PendingSlot(const PendingSlot&) = delete;
  PendingSlot& operator=(const PendingSlot&) = delete;
  void release() {
    if (count_) --*count_;
    count_ = nullptr;
  }

 private:
  int* count_;
};

struct ServerTest {
  // kFinishing: results delivered, only the client's IPERF_DONE is still due.
  enum class Phase { kHandshake, kCreatingStreams, kRunning, kEnding, kFinishing, kDone };
  ServerTest(asio::io_context& io, int test_id, Listener& on)
      : id(test_id), listener(on), streams_ready(io) {}

  Phase phase = Phase::kHandshake;
  int id;                  // the server's count of tests, from 1
  Listener& listener;      // the port it came to
  std::vector<int> cores;  // the server's placement of its streams (concurrent server), else empty
  std::optional<TestOverlap> overlap;  // concurrent server: what ran beside it (once it ended)
  // A concurrent server's tests print whole, one after the other: each
  // writes into its own reporter and the lines wait here until it ends.
  std::unique_ptr<report::Reporter> own_reporter;
  std::vector<std::pair<bool, std::string>> held_lines;  // (to stderr, line)
  std::array<uint8_t, protocol::kCookieWireSize> cookie{};
  TestSpec spec;
  Side side{Role::kServer, Direction::kForward};  // the direction is set with the spec
  uint64_t stream_rate_cap = 0;                   // --server-bitrate-limit's share per stream
  TestStartInfo start_info;
  std::vector<DataStream> streams;
  asio::steady_timer streams_ready;  // cancelled when the last data connection arrived
  std::unique_ptr<TestRun> run;
  std::unique_ptr<ControlChannel> control;
  // The reporters for this test: the process's own plus, with
  // --get-server-output, one that captures what this test printed.
  std::unique_ptr<report::Reporter> capture;
  std::string captured_text;
  report::JsonReporter* captured_json = nullptr;
  std::unique_ptr<report::TeeReporter> reporters;
  bool pinned = false;
  bool admitted = false;                // counted in --metrics as a test (a refused handshake is an error)
  std::optional<EndReport> end_report;  // both halves once the results were exchanged, else this end's
};

// Deadlines a normal test never hits (see docs/robustness.md; the
// handshake's are in server_handshake.hpp).
inline constexpr Duration kStreamsTimeout{30'000};
inline constexpr double kSafetyMarginS = 40;  // as iperf3: 4 s "max RTT" x 10 state changes

}  // namespace nperf::session
