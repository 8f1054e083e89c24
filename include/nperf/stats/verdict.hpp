#pragma once
// Why a stream was not faster: rules over both ends' evidence. Pure and
// deterministic, unit-tested on synthetic series (tests/unit/verdict_test.cpp);
// docs/diagnosis.md explains each verdict and its thresholds.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nperf/stats/evidence.hpp"

namespace nperf {

enum class Bottleneck {
  kUndetermined,
  kRateLimited,     // the test's own -b
  kReceiverWindow,  // TCP: the receiver's advertised window
  kSendBuffer,      // TCP: the sender's socket buffer
  kSenderCpu,       // the sending worker's core was saturated
  kReceiverCpu,     // the receiving worker's core was saturated
  kNetwork,         // loss on the way: retransmissions (TCP) or lost datagrams (UDP)
  kReceiverBuffer,  // UDP: the receiving host's socket buffer overflowed
  kHostCpu,         // both ends on one host, and its cores (all of them) were saturated
};

// "receiver-window-limited", "sender-CPU-bound", ... (stable: scripts match on it).
std::string_view bottleneck_name(Bottleneck b);

// Thresholds (fractions); see docs/diagnosis.md. The verdict is decided by
// ceilings (ceilings.hpp); the limited-time fractions below are the
// supporting evidence quoted beside it.
inline constexpr double kRateReached = 0.90;    // achieved / -b
inline constexpr double kCpuSaturated = 0.90;   // thread CPU, or busy pinned core
inline constexpr double kWindowLimited = 0.30;  // rwnd_limited / wall time
inline constexpr double kSendBufferLimited = 0.30;
inline constexpr double kRetransmitNotable = 0.001;  // retransmitted / sent bytes
inline constexpr double kUdpLossNotable = 0.01;      // lost / datagrams
inline constexpr double kHostDropShare = 0.50;       // host drops / lost
// The receiver's window counts as open (not closed by a slow reader) from
// this share of its socket buffer: Linux advertises about half to three
// quarters of the buffer (the rest is its bookkeeping).
inline constexpr double kWindowOpenShare = 0.50;

// One stream after the test, both ends.
struct StreamFacts {
  bool udp = false;
  double seconds = 0;
  bool sent_known = false, received_known = false;
  uint64_t sent_bytes = 0, received_bytes = 0;
  uint64_t target_bps = 0;          // -b for this stream, 0 = unlimited
  uint64_t fq_rate_bps = 0;         // --fq-rate (the kernel's pacing cap), 0 = none
  bool same_host = false;           // both ends on one kernel (equal boot ids)
  StreamEvidence sender, receiver;  // known == false: that end sent none (an iperf3 peer)
  SocketBuffers sender_buffers, receiver_buffers;
  int64_t packets = 0, lost = 0;  // UDP; lost -1 when unknown
  int64_t host_drops = -1;        // UDP receiver's socket-buffer drops, -1 unknown
  // The peer's half comes only after this verdict (a server prints its
  // summary before the results exchange, as iperf3 does).
  bool peer_half_pending = false;
};

struct Figure {
  std::string name;
  double value = 0;
};

struct Verdict {
  Bottleneck cause = Bottleneck::kUndetermined;
  std::string reason;  // the evidence, in one sentence
  std::string advice;  // what to change ("" when nothing to do)
  std::vector<Figure> figures;
  int streams = 1, of_streams = 1;  // test verdict: streams that share the cause
  int direction = 0;                // --bidir: 1 client to server, -1 server to client; 0 one way
};

Verdict diagnose_stream(const StreamFacts& facts);
// The test's verdict: the cause most streams share (ties: the earlier
// stream's); with --bidir, each direction's too (directions.hpp).
Verdict diagnose_test(const std::vector<Verdict>& streams);

}  // namespace nperf
