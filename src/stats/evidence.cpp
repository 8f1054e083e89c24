#include "nperf/stats/evidence.hpp"

#include <algorithm>
#include <limits>

namespace nperf {

namespace {

// Counter deltas; a counter that went backwards (a kernel that does not fill
// the field, a socket replaced) reads as no change rather than a huge figure.
uint64_t delta(uint64_t from, uint64_t to) {
  return to >= from ? to - from : 0;
}

double fraction(uint64_t part_us, double seconds) {
  if (seconds <= 0) return 0;
  return std::clamp(static_cast<double>(part_us) / 1e6 / seconds, 0.0, 1.0);
}

// Busy share of the allowed cores together between two /proc/stat readings.
double host_busy_between(const CoreTimes& from, const CoreTimes& to) {
  uint64_t busy = 0, total = 0;
  for (size_t i = 0; i < from.size() && i < to.size(); ++i) {
    if (!to[i].allowed) continue;
    busy += delta(from[i].busy, to[i].busy);
    total += delta(from[i].total, to[i].total);
  }
  return total > 0 ? std::min(1.0, static_cast<double>(busy) / static_cast<double>(total)) : -1;
}

}  // namespace

StreamEvidence evidence_between(const EvidenceReading& from, const EvidenceReading& to, bool sender, bool tcp,
                                bool udp, bool pinned) {
  StreamEvidence e;
  e.known = true;
  e.sender = sender;
  e.seconds = to.now - from.now;
  e.pinned = pinned;
  if (tcp && from.tcp.valid && to.tcp.valid) {
    const TcpInfoSample& a = from.tcp;
    const TcpInfoSample& b = to.tcp;
    e.tcp_info = true;
    e.busy = fraction(delta(a.busy_us, b.busy_us), e.seconds);
    e.rwnd_limited = fraction(delta(a.rwnd_limited_us, b.rwnd_limited_us), e.seconds);
    e.sndbuf_limited = fraction(delta(a.sndbuf_limited_us, b.sndbuf_limited_us), e.seconds);
    e.delivery_rate_bps = b.delivery_rate * 8;
    // The kernel reports ~0UL when nothing paces the socket.
    e.pacing_rate_bps = b.pacing_rate >= std::numeric_limits<uint64_t>::max() / 8 ? 0 : b.pacing_rate * 8;
    e.notsent_bytes = b.notsent_bytes;
    e.rtt_us = b.rtt_us;
    e.min_rtt_us = b.min_rtt_us;
    e.snd_cwnd = b.snd_cwnd_bytes;
    e.snd_wnd = b.snd_wnd_bytes;
    e.rcv_space = b.rcv_space;
    // The path MTU less IPv4, TCP and timestamp headers (20 + 20 + 12): the
    // segment size Linux uses on an Ethernet or veth path.
    if (b.pmtu > 52) e.mss = b.pmtu - 52;
    e.retransmits = static_cast<int64_t>(delta(a.total_retransmits, b.total_retransmits));
    uint64_t sent = delta(a.bytes_sent, b.bytes_sent);
    e.retransmit_ratio =
        sent ? static_cast<double>(delta(a.bytes_retrans, b.bytes_retrans)) / static_cast<double>(sent) : 0;
  }
  if (from.thread.valid && to.thread.valid) {
    e.cpu_user_s = std::max(0.0, to.thread.user_s - from.thread.user_s);
    e.cpu_system_s = std::max(0.0, to.thread.system_s - from.thread.system_s);
    if (e.seconds > 0) e.thread_cpu = std::min(1.0, (e.cpu_user_s + e.cpu_system_s) / e.seconds);
    if (e.seconds > 0 && from.thread.wait_s >= 0 && to.thread.wait_s >= 0)
      e.thread_wait = std::clamp((to.thread.wait_s - from.thread.wait_s) / e.seconds, 0.0, 1.0);
  }
  e.cpu = to.thread.cpu;
  if (e.cpu >= 0 && static_cast<size_t>(e.cpu) < from.cores.size() &&
      static_cast<size_t>(e.cpu) < to.cores.size()) {
    const CoreTime& a = from.cores[static_cast<size_t>(e.cpu)];
    const CoreTime& b = to.cores[static_cast<size_t>(e.cpu)];
    uint64_t total = delta(a.total, b.total);
    if (total > 0)
      e.core_busy = std::min(1.0, static_cast<double>(delta(a.busy, b.busy)) / static_cast<double>(total));
  }
  e.host_busy = host_busy_between(from.cores, to.cores);
  if (udp && !sender) e.host_drops = static_cast<int64_t>(delta(from.host_drops, to.host_drops));
  return e;
}

void EvidenceTracker::start(EvidenceReading r) {
  start_ = r;
  last_ = std::move(r);
  total_ = {};
  rtt_sum_us_ = wnd_sum_ = 0;
  window_readings_ = 0;
}

void EvidenceTracker::note_window(const EvidenceReading& r) {
  if (!tcp_ || !r.tcp.valid || r.tcp.rtt_us <= 0) return;
  rtt_sum_us_ += static_cast<double>(r.tcp.rtt_us);
  wnd_sum_ += static_cast<double>(r.tcp.snd_wnd_bytes);
  ++window_readings_;
}

StreamEvidence EvidenceTracker::interval(EvidenceReading r) {
  StreamEvidence e = evidence_between(last_, r, sender_, tcp_, udp_, pinned_);
  note_window(r);
  last_ = std::move(r);
  return e;
}

StreamEvidence EvidenceTracker::finish(EvidenceReading r) {
  total_ = evidence_between(start_, r, sender_, tcp_, udp_, pinned_);
  note_window(r);
  if (total_.tcp_info && window_readings_ > 0) {
    // The rate over the test is the window over the RTT it met on average.
    total_.rtt_us = static_cast<int64_t>(rtt_sum_us_ / window_readings_ + 0.5);
    total_.snd_wnd = static_cast<uint64_t>(wnd_sum_ / window_readings_ + 0.5);
  }
  last_ = std::move(r);
  return total_;
}

}  // namespace nperf
