#include "nperf/stats/verdict.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "nperf/stats/rates.hpp"

namespace nperf {

std::string_view bottleneck_name(Bottleneck b) {
  switch (b) {
    case Bottleneck::kRateLimited:
      return "rate-limited";
    case Bottleneck::kReceiverWindow:
      return "receiver-window-limited";
    case Bottleneck::kSendBuffer:
      return "send-buffer-limited";
    case Bottleneck::kSenderCpu:
      return "sender-CPU-bound";
    case Bottleneck::kReceiverCpu:
      return "receiver-CPU-bound";
    case Bottleneck::kNetwork:
      return "network-limited";
    case Bottleneck::kReceiverBuffer:
      return "receiver-buffer-overflow";
    case Bottleneck::kUndetermined:
      break;
  }
  return "undetermined";
}

namespace {

// Plain units for the verdict sentence (the reporters own iperf3's formats).
std::string rate(double bps) {
  if (bps >= 1e9) return fmt::format("{:.2f} Gbit/s", bps / 1e9);
  if (bps >= 1e6) return fmt::format("{:.1f} Mbit/s", bps / 1e6);
  return fmt::format("{:.0f} kbit/s", bps / 1e3);
}

std::string size(double bytes) {
  if (bytes >= 1 << 20) return fmt::format("{:.1f} MiB", bytes / (1 << 20));
  if (bytes >= 1 << 10) return fmt::format("{:.0f} KiB", bytes / (1 << 10));
  return fmt::format("{:.0f} bytes", bytes);
}

std::string pct(double f) {
  return fmt::format("{:.0f}%", f * 100);
}

// How much CPU an end's worker wanted: the time it ran plus the time it sat
// runnable waiting for a core (other work on the same core starves it just
// the same), or, when pinned, its core's busy time.
double load(const StreamEvidence& e) {
  if (!e.known || e.thread_cpu < 0) return -1;
  double l = e.thread_cpu + std::max(0.0, e.thread_wait);
  if (e.pinned && e.core_busy >= 0) l = std::max(l, e.core_busy);
  return std::min(1.0, l);
}

std::string load_words(const StreamEvidence& e) {
  std::string s = fmt::format("ran {} of the time", pct(std::max(0.0, e.thread_cpu)));
  if (e.thread_wait >= 0.05) s += fmt::format(" and waited for a core {}", pct(e.thread_wait));
  if (e.pinned && e.core_busy >= 0 && e.cpu >= 0)
    s += fmt::format(" (pinned to core {}, {} busy)", e.cpu, pct(e.core_busy));
  return s;
}

// The stream's achieved rate: what arrived when known, else what was sent.
double achieved(const StreamFacts& f) {
  return bits_per_second(f.received_known ? f.received_bytes : f.sent_bytes, f.seconds);
}

Verdict make(Bottleneck cause, std::string reason, std::string advice) {
  Verdict v;
  v.cause = cause;
  v.reason = std::move(reason);
  v.advice = std::move(advice);
  return v;
}

std::string window_advice(const StreamFacts& f, bool receive, double bdp_bytes) {
  const SocketBuffers& b = receive ? f.receiver_buffers : f.sender_buffers;
  const char* sysctl = receive ? "net.core.rmem_max" : "net.core.wmem_max";
  const char* autotune = receive ? "net.ipv4.tcp_rmem" : "net.ipv4.tcp_wmem";
  const char* where = receive ? "receiver" : "sender";
  bool clamped = receive ? b.rcvbuf_clamped() : b.sndbuf_clamped();
  if (b.known && clamped)
    return fmt::format("-w {} was clamped by {} = {} on the {}: set sysctl -w {}={} there",
                       size(static_cast<double>(b.requested)), sysctl, receive ? b.rmem_max : b.wmem_max,
                       where, sysctl, b.requested);
  std::string bdp =
      bdp_bytes > 0 ? fmt::format(" (the bandwidth-delay product here is about {})", size(bdp_bytes)) : "";
  if (b.known && b.requested > 0)
    return fmt::format("raise -w (now {}){}", size(static_cast<double>(b.requested)), bdp);
  return fmt::format("raise the third value of {} on the {}, or set -w{}", autotune, where, bdp);
}

Verdict tcp_verdict(const StreamFacts& f) {
  const StreamEvidence& s = f.sender;
  const StreamEvidence& r = f.receiver;
  const double got = achieved(f);
  const double sender_load = load(s), receiver_load = load(r);

  if (f.target_bps > 0 && got >= kRateReached * static_cast<double>(f.target_bps))
    return make(Bottleneck::kRateLimited,
                fmt::format("the test asked for -b {} per stream and got {}",
                            rate(static_cast<double>(f.target_bps)), rate(got)),
                "raise -b, or use -b 0, to find the path's own limit");

  // A saturated core comes first: a receiver that cannot keep up closes its
  // window, so window-limited time is then a symptom, not the cause.
  if (std::max(sender_load, receiver_load) >= kCpuSaturated) {
    bool receiver = receiver_load >= sender_load;
    const StreamEvidence& e = receiver ? r : s;
    std::string other;
    const StreamEvidence& o = receiver ? s : r;
    if (load(o) >= kCpuSaturated)
      other = fmt::format("; the {} also {}", receiver ? "sender" : "receiver", load_words(o));
    if (receiver)
      return make(
          Bottleneck::kReceiverCpu, fmt::format("the receiving worker {}{}", load_words(e), other),
          "add streams (-P) so more cores receive, keep each receiver on a core of its own and away from "
          "the NIC's interrupt cores (-A), or skip the receive copy (--skip-rx-copy)");
    return make(
        Bottleneck::kSenderCpu, fmt::format("the sending worker {}{}", load_words(e), other),
        "add streams (-P) so more cores send, keep each sender on a core of its own (-A), or send without "
        "copying (-Z)");
  }

  if (s.known && s.tcp_info) {
    const double rtt_s = s.rtt_us > 0 ? static_cast<double>(s.rtt_us) / 1e6 : 0;
    if (s.rwnd_limited >= kWindowLimited) {
      std::string cap;
      if (rtt_s > 0 && s.snd_wnd > 0)
        cap = fmt::format(" (a {} window at {} us rtt caps a stream near {})",
                          size(static_cast<double>(s.snd_wnd)), s.rtt_us,
                          rate(bits_per_second(s.snd_wnd, rtt_s)));
      return make(Bottleneck::kReceiverWindow,
                  fmt::format("the sender waited for the receiver's window {} of the time{}",
                              pct(s.rwnd_limited), cap),
                  window_advice(f, true, static_cast<double>(f.target_bps) * rtt_s / 8));
    }
    if (s.sndbuf_limited >= kSendBufferLimited)
      return make(Bottleneck::kSendBuffer,
                  fmt::format("the sender's socket buffer ran dry {} of the time", pct(s.sndbuf_limited)),
                  window_advice(f, false, static_cast<double>(f.target_bps) * rtt_s / 8));
    if (s.retransmit_ratio >= kRetransmitNotable)
      return make(
          Bottleneck::kNetwork,
          fmt::format("{} retransmissions ({:.2f}% of the bytes sent), congestion window {}, rtt {} us",
                      s.retransmits, s.retransmit_ratio * 100, size(static_cast<double>(s.snd_cwnd)),
                      s.rtt_us),
          "packets are lost between the ends: check interface drops (ip -s link), conntrack and MTU "
          "(nperf --check); a loss-tolerant congestion control (-C bbr) may help");
  }

  std::vector<std::string> seen;
  if (sender_load >= 0) seen.push_back(fmt::format("sender CPU {}", pct(sender_load)));
  if (receiver_load >= 0) seen.push_back(fmt::format("receiver CPU {}", pct(receiver_load)));
  if (s.known && s.tcp_info) {
    seen.push_back(fmt::format("window-limited {}", pct(s.rwnd_limited)));
    seen.push_back(fmt::format("send-buffer-limited {}", pct(s.sndbuf_limited)));
    seen.push_back(fmt::format("{} retransmissions", s.retransmits));
  }
  if (!s.known || !r.known)
    seen.push_back(fmt::format(
        "no evidence from the {} ({})", !s.known ? "sender" : "receiver",
        f.peer_half_pending
            ? "an nperf peer sends it with the results, after this summary; its verdict has both ends"
            : "not nperf"));
  return make(Bottleneck::kUndetermined, fmt::format("no single limit stood out: {}", fmt::join(seen, ", ")),
              "");
}

Verdict udp_verdict(const StreamFacts& f) {
  const StreamEvidence& s = f.sender;
  const StreamEvidence& r = f.receiver;
  const double got = achieved(f);
  const double sent = bits_per_second(f.sent_bytes, f.seconds);
  const double sender_load = load(s), receiver_load = load(r);
  const double lost_share =
      f.lost > 0 && f.packets > 0 ? loss_percent(f.lost, static_cast<uint64_t>(f.packets)) / 100 : 0;

  if (lost_share >= kUdpLossNotable) {
    if (f.host_drops >= 0 &&
        static_cast<double>(f.host_drops) >= kHostDropShare * static_cast<double>(f.lost)) {
      std::string reason = fmt::format(
          "{} of {} lost datagrams ({} of those sent) were dropped by the receiving host's socket buffer",
          std::min(f.host_drops, f.lost), f.lost, pct(lost_share));
      if (receiver_load >= kCpuSaturated)
        return make(Bottleneck::kReceiverCpu,
                    fmt::format("{}: the receiving worker {}", reason, load_words(r)),
                    "add streams (-P) so more cores receive, keep the receiver on a core of its own (-A), or "
                    "use --gsro");
      return make(Bottleneck::kReceiverBuffer, reason,
                  fmt::format("raise the receiver's buffer (-w{}), or give its worker a core of its own (-A)",
                              f.receiver_buffers.known && f.receiver_buffers.rmem_max > 0
                                  ? fmt::format(", up to net.core.rmem_max = {}", f.receiver_buffers.rmem_max)
                                  : ""));
    }
    int64_t on_way = f.host_drops >= 0 ? f.lost - std::min(f.host_drops, f.lost) : f.lost;
    return make(
        Bottleneck::kNetwork,
        fmt::format("{} of {} datagrams ({}) were lost on the way{}", on_way, f.packets, pct(lost_share),
                    f.host_drops < 0 ? " (the receiver did not count its own drops)" : ""),
        "lower -b to what the path carries, or check interface drops (ip -s link) and conntrack (nperf "
        "--check)");
  }
  if (f.target_bps > 0 && sent >= kRateReached * static_cast<double>(f.target_bps))
    return make(Bottleneck::kRateLimited,
                fmt::format("the test asked for -b {} per stream and got {}",
                            rate(static_cast<double>(f.target_bps)), rate(got)),
                "raise -b, or use -b 0, to find the path's own limit");
  if (std::max(sender_load, receiver_load) >= kCpuSaturated) {
    bool receiver = receiver_load > sender_load;
    return make(
        receiver ? Bottleneck::kReceiverCpu : Bottleneck::kSenderCpu,
        fmt::format("the {} worker {}", receiver ? "receiving" : "sending", load_words(receiver ? r : s)),
        "add streams (-P), keep each worker on a core of its own (-A), or use --gsro (UDP GSO/GRO)");
  }
  std::vector<std::string> seen;
  if (sender_load >= 0) seen.push_back(fmt::format("sender CPU {}", pct(sender_load)));
  if (receiver_load >= 0) seen.push_back(fmt::format("receiver CPU {}", pct(receiver_load)));
  seen.push_back(fmt::format("loss {}", pct(lost_share)));
  return make(Bottleneck::kUndetermined, fmt::format("no single limit stood out: {}", fmt::join(seen, ", ")),
              "");
}

void add_figures(const StreamFacts& f, Verdict* v) {
  auto add = [&](const char* name, double value) { v->figures.push_back({name, value}); };
  add("achieved_bps", achieved(f));
  if (f.target_bps) add("target_bps", static_cast<double>(f.target_bps));
  if (f.sender.known) {
    add("sender_thread_cpu", f.sender.thread_cpu);
    add("sender_thread_wait", f.sender.thread_wait);
    if (f.sender.pinned) add("sender_core_busy", f.sender.core_busy);
  }
  if (f.receiver.known) {
    add("receiver_thread_cpu", f.receiver.thread_cpu);
    add("receiver_thread_wait", f.receiver.thread_wait);
    if (f.receiver.pinned) add("receiver_core_busy", f.receiver.core_busy);
  }
  if (!f.udp && f.sender.known && f.sender.tcp_info) {
    add("rwnd_limited", f.sender.rwnd_limited);
    add("sndbuf_limited", f.sender.sndbuf_limited);
    add("busy", f.sender.busy);
    add("retransmits", static_cast<double>(f.sender.retransmits));
    add("retransmit_percent", f.sender.retransmit_ratio * 100);
    add("rtt_us", static_cast<double>(f.sender.rtt_us));
    add("snd_cwnd", static_cast<double>(f.sender.snd_cwnd));
    add("snd_wnd", static_cast<double>(f.sender.snd_wnd));
  }
  if (f.udp) {
    add("packets", static_cast<double>(f.packets));
    add("lost", static_cast<double>(f.lost));
    add("host_drops", static_cast<double>(f.host_drops));
  }
}

}  // namespace

Verdict diagnose_stream(const StreamFacts& facts) {
  Verdict v = facts.udp ? udp_verdict(facts) : tcp_verdict(facts);
  add_figures(facts, &v);
  return v;
}

Verdict diagnose_test(const std::vector<Verdict>& streams) {
  if (streams.empty()) return make(Bottleneck::kUndetermined, "no streams", "");
  std::map<Bottleneck, int> count;
  for (const Verdict& v : streams) ++count[v.cause];
  const Verdict* best = &streams.front();
  for (const Verdict& v : streams)
    if (count[v.cause] > count[best->cause]) best = &v;
  Verdict test = *best;
  test.streams = count[best->cause];
  test.of_streams = static_cast<int>(streams.size());
  return test;
}

}  // namespace nperf
