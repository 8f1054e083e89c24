#pragma once
// One running test on one side: the stream engine, the per-stream trackers
// and CPU accounting. The results message and the end report are built by
// pure functions over its totals (stats/end_report.hpp). The client and the
// server sessions share it; it does no control-channel I/O.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nperf/config/clock.hpp"
#include "nperf/engine/stream_engine.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/stats/cpu_usage.hpp"
#include "nperf/stats/end_report.hpp"
#include "nperf/stats/evidence.hpp"
#include "nperf/stats/stream_tracker.hpp"

namespace nperf::session {

struct DataStream {
  int fd = -1;  // ownership passes to the TestRun
  StreamInfo info;
  int cpu = -1;  // core to pin the worker to, -1 for none
};

// --rcv-timeout: tells when a byte counter has not moved for too long.
class RateWatch {
 public:
  RateWatch(int timeout_ms, double now) : timeout_s_(timeout_ms / 1000.0), last_change_(now) {}
  bool expired(double now, uint64_t counter) {
    if (counter != last_) {
      last_ = counter;
      last_change_ = now;
    }
    return timeout_s_ > 0 && now - last_change_ > timeout_s_;
  }

 private:
  double timeout_s_;
  double last_change_;
  uint64_t last_ = 0;
};

// Makes the engine that moves a test's streams (the plans in stream order).
// Null means the real one, a StreamEngine; unit tests pass a fake.
using MakeEngine = std::function<std::unique_ptr<engine::Engine>(std::vector<engine::StreamPlan>)>;

class TestRun {
 public:
  // `quota_owner`: this side ends the test by bytes/blocks (the client), so
  // its senders get an equal share of -n / -k each.
  // stream_rate_cap (bit/s, 0 = none): the server's --server-bitrate-limit
  // share per stream; senders send and TCP receivers read no faster.
  TestRun(const TestSpec& spec, std::vector<DataStream> streams, bool quota_owner,
          uint64_t stream_rate_cap = 0, const MakeEngine& make_engine = nullptr);
  // quota_owner is true exactly on the client.
  ~TestRun();

  void start(double now);
  bool omitting() const { return omitting_; }
  // Closes the current interval for every stream.
  IntervalReport sample(double now);
  // Ends the omit period: counters and times restart from `now`.
  void end_omit(double now);
  // Final sample: raises the stop flag and records the totals; join() waits.
  void stop(double now);
  void join();

  bool senders_finished() const { return engine_->all_senders_finished(); }
  // TCP: every byte our senders wrote has been acknowledged by the peer.
  bool send_queues_drained() const;
  // Bytes/blocks moved so far in either direction (for -n/-k on the receiving client).
  uint64_t bytes_received() const;
  uint64_t blocks_received() const;
  // Bytes moved so far by every stream, both directions (a concurrent server's overlap figures).
  uint64_t bytes_moved() const;
  // First stream error, or "".
  std::string failure() const;
  // True when every receiving stream saw the peer close (the client went away).
  bool all_receivers_closed() const;

  protocol::TestResults local_results() const;
  // Combines local totals with the peer's results (absent on the server
  // before the exchange or after an interruption). Throws SessionError on an
  // unknown stream id.
  // peer_results_follow: this end prints before the results exchange (the
  // server at a normal end), so the peer's half is not missing, only later.
  EndReport end_report(const protocol::TestResults* peer, bool peer_results_follow = false) const;

  // The path as the control connection sees it (its addresses and route),
  // replacing the first data connection's: the control connection is the one
  // the user named, and a UDP stream may cross a NAT with another mapping.
  void use_control_connection(int control_fd);

  const std::vector<StreamInfo>& streams() const { return infos_; }
  const CpuUtilization& local_cpu() const { return cpu_; }
  std::string congestion_used() const;

 private:
  // One reading of every stream: counters, TCP_INFO, worker CPU; notes the
  // cores the workers ran on.
  struct Readings {
    std::vector<uint64_t> bytes;
    std::vector<TcpInfoSample> tcp;  // every TCP stream (receivers too: evidence)
    std::vector<UdpCounters> udp;
    std::vector<EvidenceReading> evidence;
  };
  Readings read_all(double now, bool at_start = false);
  // TCP_INFO of a TCP sender for iperf3's figures; empty for everything else.
  TcpInfoSample iperf_tcp(size_t i, const TcpInfoSample& raw) const;
  ThreadCpuSample thread_cpu(size_t i, bool at_start) const;
  UdpCounters udp_sample(size_t i) const;
  // This end's totals, for the pure end-of-test functions (stats/end_report.hpp).
  LocalTestTotals totals() const;

  TestSpec spec_;
  bool quota_owner_;
  std::vector<StreamInfo> infos_;
  std::vector<int> pinned_;
  std::unique_ptr<engine::Engine> engine_;
  std::vector<StreamTracker> trackers_;
  std::vector<EvidenceTracker> evidence_;
  SocketBuffers buffers_;
  protocol::PathRecord path_;  // this end's view of the path (net/path_probe.hpp)
  std::vector<std::set<int>> cpus_seen_;
  CpuUsage cpu_usage_;
  CpuUtilization cpu_;
  bool omitting_ = false;
  bool stopped_ = false;
  std::string congestion_;
  // A UDP sender echoes the receiver's jitter in its own results (the server
  // learns it from the client's results before answering with its own).
  mutable std::map<int, double> peer_jitter_;
};

}  // namespace nperf::session
