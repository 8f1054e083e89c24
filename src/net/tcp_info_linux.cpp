// Uses the kernel's <linux/tcp.h> rather than glibc's <netinet/tcp.h>: only
// the kernel header has the newer fields (tcpi_snd_wnd, busy/limited times).
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "nperf/net/socket_options.hpp"

namespace nperf::net {

TcpInfoSample read_tcp_info(int fd) {
  struct tcp_info info {};
  socklen_t len = sizeof info;
  TcpInfoSample s;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return s;
  s.valid = true;
  s.total_retransmits = info.tcpi_total_retrans;
  // iperf3 reports the congestion window in bytes: segments times the send MSS.
  s.snd_cwnd_bytes = static_cast<uint64_t>(info.tcpi_snd_cwnd) * info.tcpi_snd_mss;
  s.rtt_us = info.tcpi_rtt;
  s.rttvar_us = info.tcpi_rttvar;
  s.pmtu = info.tcpi_pmtu;
  s.reorder = info.tcpi_reordering;
  // A kernel older than the header fills less; the zero-initialised rest reads as 0.
  s.snd_wnd_bytes = info.tcpi_snd_wnd;
  s.min_rtt_us = info.tcpi_min_rtt;
  s.delivery_rate = info.tcpi_delivery_rate;
  s.pacing_rate = info.tcpi_pacing_rate;
  s.notsent_bytes = info.tcpi_notsent_bytes;
  s.busy_us = info.tcpi_busy_time;
  s.rwnd_limited_us = info.tcpi_rwnd_limited;
  s.sndbuf_limited_us = info.tcpi_sndbuf_limited;
  s.bytes_sent = info.tcpi_bytes_sent;
  s.bytes_retrans = info.tcpi_bytes_retrans;
  s.rcv_space = info.tcpi_rcv_space;
  return s;
}

}  // namespace nperf::net
