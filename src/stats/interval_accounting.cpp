#include "nperf/stats/stream_tracker.hpp"

#include <algorithm>

#include "nperf/stats/rates.hpp"

namespace nperf {

void StreamTracker::start(double now, uint64_t bytes, const TcpInfoSample& tcp, const UdpCounters& udp) {
  udp_start_ = udp_last_ = udp_end_ = udp;
  start_time_ = last_time_ = end_time_ = now;
  start_bytes_ = last_bytes_ = end_bytes_ = bytes;
  start_retrans_ = last_retrans_ = end_retrans_ = tcp.total_retransmits;
  max_cwnd_ = max_wnd_ = 0;
  max_rtt_ = min_rtt_ = rtt_sum_ = rtt_count_ = 0;
}

void StreamTracker::note_tcp(const TcpInfoSample& tcp) {
  if (!tcp_ || !tcp.valid) return;
  max_cwnd_ = std::max(max_cwnd_, tcp.snd_cwnd_bytes);
  max_wnd_ = std::max(max_wnd_, tcp.snd_wnd_bytes);
  if (tcp.rtt_us >= 0) {
    max_rtt_ = rtt_count_ ? std::max(max_rtt_, tcp.rtt_us) : tcp.rtt_us;
    min_rtt_ = rtt_count_ ? std::min(min_rtt_, tcp.rtt_us) : tcp.rtt_us;
    rtt_sum_ += tcp.rtt_us;
    ++rtt_count_;
  }
}

IntervalStream StreamTracker::sample(double now, uint64_t bytes, const TcpInfoSample& tcp, bool omitted,
                                     const UdpCounters& udp) {
  IntervalStream r;
  r.socket = info_.socket;
  r.start = last_time_ - start_time_;
  r.end = now - start_time_;
  r.seconds = now - last_time_;
  r.bytes = bytes - last_bytes_;
  r.bits_per_second = bits_per_second(r.bytes, r.seconds);
  r.sender = info_.sender;
  r.omitted = omitted;
  if (tcp_ && tcp.valid) {
    r.has_tcp_info = true;
    r.retransmits = static_cast<int64_t>(tcp.total_retransmits - last_retrans_);
    r.snd_cwnd = tcp.snd_cwnd_bytes;
    r.snd_wnd = tcp.snd_wnd_bytes;
    r.rtt = tcp.rtt_us;
    r.rttvar = tcp.rttvar_us;
    r.pmtu = tcp.pmtu;
    r.reorder = tcp.reorder;
    last_retrans_ = tcp.total_retransmits;
    if (!omitted) note_tcp(tcp);
  }
  if (udp_) {
    r.udp = true;
    r.packets = udp.packets - udp_last_.packets;
    r.lost_packets = static_cast<int64_t>(udp.lost) - static_cast<int64_t>(udp_last_.lost);
    r.jitter_ms = udp.jitter_s * 1000;
    r.lost_percent = loss_percent(r.lost_packets, r.packets);
    udp_last_ = udp;
  }
  last_time_ = now;
  last_bytes_ = bytes;
  return r;
}

void StreamTracker::finish(double now, uint64_t bytes, const TcpInfoSample& tcp, const UdpCounters& udp) {
  end_time_ = now;
  udp_end_ = udp;
  end_bytes_ = bytes;
  if (tcp_ && tcp.valid) {
    end_retrans_ = tcp.total_retransmits;
    if (rtt_count_ == 0) note_tcp(tcp);
  } else {
    end_retrans_ = last_retrans_;
  }
}

bool drop_final_interval(const IntervalReport& report, double interval_s) {
  // iperf3 only drops it when it also moved no bytes; on loopback a few
  // microseconds still move data, which printed as noise lines like
  // "2.00-2.00 sec". The bytes still count in the totals.
  return report.streams.empty() || report.streams.front().seconds < 0.1 * interval_s;
}

}  // namespace nperf
