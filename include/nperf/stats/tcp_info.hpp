#pragma once
#include <cstdint>

namespace nperf {

// One reading of a TCP socket's TCP_INFO (bytes, microseconds, bytes per
// second). The first group is what iperf3 reports for a sending stream; the
// second is the evidence behind nperf's bottleneck verdict (cumulative
// counters: the evidence tracker turns them into per-period fractions).
struct TcpInfoSample {
  bool valid = false;
  uint64_t total_retransmits = 0;
  uint64_t snd_cwnd_bytes = 0;
  uint64_t snd_wnd_bytes = 0;  // the peer's advertised receive window
  int64_t rtt_us = -1;
  int64_t rttvar_us = -1;
  int64_t pmtu = -1;
  int64_t reorder = -1;

  int64_t min_rtt_us = -1;
  uint64_t delivery_rate = 0;      // bytes/s, the kernel's latest estimate
  uint64_t pacing_rate = 0;        // bytes/s; UINT64_MAX when unpaced
  uint64_t notsent_bytes = 0;      // written by the application, not yet sent
  uint64_t busy_us = 0;            // time with data in flight
  uint64_t rwnd_limited_us = 0;    // of which: held by the receiver's window
  uint64_t sndbuf_limited_us = 0;  // of which: held by our send buffer
  uint64_t bytes_sent = 0;         // including retransmissions
  uint64_t bytes_retrans = 0;
  uint64_t rcv_space = 0;  // receiver: the kernel's receive-buffer autotuning target
};

}  // namespace nperf
