#pragma once
// The evidence behind a bottleneck verdict: what the kernel and the scheduler
// say about one stream on one end over a period (an interval, or the whole
// measured test). Pure: readings come in as arguments, the tracker turns
// cumulative counters into per-period figures.
#include <cstdint>
#include <vector>

#include "nperf/stats/tcp_info.hpp"

namespace nperf {

// A worker thread's cumulative CPU time and the core it last ran on.
struct ThreadCpuSample {
  bool valid = false;
  double user_s = 0, system_s = 0;
  int cpu = -1;
  // Time spent runnable but waiting for a core (/proc/.../schedstat); -1 unknown.
  double wait_s = -1;
};

// Cumulative busy and total time of each core (/proc/stat), indexed by core.
struct CoreTime {
  uint64_t busy = 0, total = 0;  // clock ticks
  bool allowed = true;           // in this process's CPU affinity (cpuset, taskset, -A)
};
using CoreTimes = std::vector<CoreTime>;

// Everything read for one stream at one instant.
struct EvidenceReading {
  double now = 0;
  TcpInfoSample tcp;
  ThreadCpuSample thread;
  CoreTimes cores;
  uint64_t host_drops = 0;  // UDP receiver: datagrams the socket buffer dropped (cumulative)
};

// One stream, one end, one period. Fractions are of the period's wall time;
// -1 (or `known == false`) marks what could not be measured.
struct StreamEvidence {
  bool known = false;
  double seconds = 0;
  bool sender = false;
  // TCP_INFO (TCP only). The limited times are fractions of the period.
  bool tcp_info = false;
  double busy = 0, rwnd_limited = 0, sndbuf_limited = 0;
  uint64_t delivery_rate_bps = 0, pacing_rate_bps = 0;  // bit/s at the period's end; pacing 0 = unpaced
  uint64_t notsent_bytes = 0;
  int64_t rtt_us = -1, min_rtt_us = -1;
  uint64_t snd_cwnd = 0, snd_wnd = 0;  // sender: congestion window, receiver's advertised window
  uint64_t rcv_space = 0;              // receiver: autotuned receive space
  int64_t mss = -1;                    // sender: segment size from the path MTU (-1 unknown)
  int64_t retransmits = 0;
  double retransmit_ratio = 0;  // retransmitted / sent bytes
  // The worker thread: CPU seconds and the fraction of one core it used;
  // the core it ran on at the end and how busy that core was (all tasks).
  double cpu_user_s = -1, cpu_system_s = -1;
  double thread_cpu = -1;
  double thread_wait = -1;  // runnable but waiting for a core, fraction of the period
  int cpu = -1;
  bool pinned = false;
  double core_busy = -1;
  // Every core this process may use, together (/proc/stat, softirq
  // included): when both ends share the host, that CPU is one budget for
  // both (ceilings.hpp).
  double host_busy = -1;
  // UDP receiver: datagrams this host's socket buffer dropped in the period.
  int64_t host_drops = -1;
};

// Requested and effective socket buffer sizes of one end's data sockets.
struct SocketBuffers {
  bool known = false;
  int64_t requested = 0;               // -w (0: kernel autotuning)
  int64_t sndbuf = 0, rcvbuf = 0;      // what the kernel granted (getsockopt)
  int64_t wmem_max = 0, rmem_max = 0;  // net.core.{w,r}mem_max (0: unknown)
  // Clamped: the kernel granted less than -w asked for (it doubles a request
  // capped at *mem_max, so only requests above twice the cap fall short).
  bool rcvbuf_clamped() const { return requested > 0 && rcvbuf < requested; }
  bool sndbuf_clamped() const { return requested > 0 && sndbuf < requested; }
};

// The figures of one period from two readings of the same stream.
StreamEvidence evidence_between(const EvidenceReading& from, const EvidenceReading& to, bool sender, bool tcp,
                                bool udp, bool pinned);

class EvidenceTracker {
 public:
  EvidenceTracker(bool sender, bool tcp, bool udp, bool pinned)
      : sender_(sender), tcp_(tcp), udp_(udp), pinned_(pinned) {}
  void start(EvidenceReading r);
  // The period since the previous reading (start or interval).
  StreamEvidence interval(EvidenceReading r);
  // The whole period since start(); call once at the end.
  StreamEvidence finish(EvidenceReading r);
  const StreamEvidence& total() const { return total_; }

 private:
  bool sender_, tcp_, udp_, pinned_;
  EvidenceReading start_, last_;
  StreamEvidence total_;
};

}  // namespace nperf
