#pragma once
// What one end measured about a stream and its sockets, as both ends' halves
// of a verdict: measured by stats (evidence.hpp), carried to the peer in the
// results message (results_extension.hpp) and printed by -J. Plain data.
#include <cstdint>

namespace nperf {

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

  bool operator==(const StreamEvidence&) const = default;
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

  bool operator==(const SocketBuffers&) const = default;
};

}  // namespace nperf
