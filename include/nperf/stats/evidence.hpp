#pragma once
// The evidence behind a bottleneck verdict: what the kernel and the scheduler
// say about one stream on one end over a period (an interval, or the whole
// measured test). Pure: readings come in as arguments, the tracker turns
// cumulative counters into per-period figures.
#include <cstdint>
#include <vector>

#include "nperf/protocol/evidence_record.hpp"
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
  // Averages the whole test's RTT and advertised window over the readings
  // after start (each interval's and the last): one reading at the end may
  // catch the window shut or the RTT at a low (the window's ceiling, ceilings.hpp).
  void note_window(const EvidenceReading& r);

  bool sender_, tcp_, udp_, pinned_;
  EvidenceReading start_, last_;
  StreamEvidence total_;
  double rtt_sum_us_ = 0, wnd_sum_ = 0;
  int window_readings_ = 0;
};

}  // namespace nperf
