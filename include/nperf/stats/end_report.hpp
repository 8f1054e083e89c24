#pragma once
// The end of a test as pure functions over one end's totals and the peer's
// results message: this end's results message, the end report the reporters
// print, its UDP figures and the verdicts drawn from both ends' evidence.
// The session's TestRun only gathers the totals and calls these.
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "nperf/config/test_spec.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/stats/evidence.hpp"
#include "nperf/stats/report_model.hpp"
#include "nperf/stats/stream_tracker.hpp"

namespace nperf {

// One stream's totals on this end.
struct LocalStreamTotals {
  const StreamTracker* tracker = nullptr;  // counters and TCP figures after the omit period
  StreamEvidence evidence;                 // over the measured period
  int pinned_cpu = -1;                     // -A core, -1 for none
  std::vector<int> cpus_seen;              // cores the worker ran on, ascending
};

// This end's totals at the end of a test.
struct LocalTestTotals {
  Protocol protocol = Protocol::kTcp;
  Direction direction = Direction::kForward;
  double omit_s = 0;
  uint64_t rate_bps = 0;     // -b per stream, 0 = unlimited
  uint64_t fq_rate_bps = 0;  // --fq-rate per stream, 0 = none
  // The kernel's boot id ("" unknown): equal at both ends means one host's
  // CPU served both (the host-CPU ceiling, ceilings.hpp).
  std::string boot_id;
  // What this end saw of the path: addresses, route device, conntrack before
  // and after (stats/path_facts.hpp).
  protocol::PathRecord path;
  bool is_server = false;
  std::vector<LocalStreamTotals> streams;
  CpuUtilization cpu;  // local half
  SocketBuffers buffers;
  std::string congestion;  // TCP congestion control of the data sockets, "" unknown
  // UDP sender: the jitter (seconds) the receiving peer reported per stream id;
  // a sender echoes it in its own results, as iperf3 does.
  std::map<int, double> peer_jitter_s;
};

// The peer's results name a stream this end does not have.
struct UnknownPeerStream : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The results message this end sends, with nperf's extension (its evidence).
protocol::TestResults local_results(const LocalTestTotals& local);

// Combines this end's totals with the peer's results (null: absent, on the
// server before the exchange or after an interruption). Throws
// UnknownPeerStream. peer_results_follow: this end prints before the results
// exchange (the server at a normal end), so the peer's half is only later.
EndReport end_report(const LocalTestTotals& local, const protocol::TestResults* peer,
                     bool peer_results_follow = false);

// A UDP stream's figures after the omit period: this end's counters and the
// peer's (remote, may be null). omit_s: with omit, a pre-3.14 peer's loss is unknown.
void fill_udp_figures(const StreamTracker& tracker, const protocol::StreamResult* remote, double omit_s,
                      EndStream* e);

// Puts both ends' evidence into `end` and draws the verdicts.
void attach_evidence(EndReport* end, const LocalTestTotals& local, const protocol::TestResults* peer,
                     bool peer_results_follow);

// Puts both ends' path records into `end` and, when a conntrack table dropped
// packets or filled up during the test, says so in the test's verdict.
void attach_path(EndReport* end, const LocalTestTotals& local, const protocol::TestResults* peer);

}  // namespace nperf
