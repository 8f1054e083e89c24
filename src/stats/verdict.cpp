#include "nperf/stats/verdict.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "nperf/stats/plain_units.hpp"

#include "nperf/stats/ceilings.hpp"
#include "nperf/stats/directions.hpp"
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
    case Bottleneck::kHostCpu:
      return "host-CPU-bound";
    case Bottleneck::kUndetermined:
      break;
  }
  return "undetermined";
}

namespace {

using plain::pct;
using plain::rate;
using plain::size;

// How much CPU an end's worker wanted (ceilings.hpp).
double load(const StreamEvidence& e) {
  return cpu_demand(e);
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

// The lowest ceiling the achieved rate reached, or nullptr. Two ceilings
// that are reached together are one cause seen twice, and the rules below
// say which is the cause: a receiver that cannot keep up lets its buffer fill
// and its window close, so its window is the symptom; on a shared host whose
// cores were all busy, a worker that waited for a core was short of the host's.
const Ceiling* binding_ceiling(const std::vector<Ceiling>& ceilings, const StreamFacts& f, double got) {
  auto reached = [&](Bottleneck b) {
    return std::any_of(ceilings.begin(), ceilings.end(),
                       [&](const Ceiling& c) { return c.cause == b && c.reached(got); });
  };
  const bool receiver_saturated = reached(Bottleneck::kReceiverCpu);
  // The host is the limit only for workers that waited for its cores: one
  // pinned with -A, or one that ran 90 % of a core by itself, saturated a
  // core of its own, and more of the host would not have helped it.
  auto own_core = [](const StreamEvidence& e) {
    return e.known && (e.pinned || e.thread_cpu >= kCpuSaturated);
  };
  const bool host_limits = reached(Bottleneck::kHostCpu) && !own_core(f.sender) && !own_core(f.receiver);
  // A window the receiver kept open at its buffer's size (at least half its
  // socket buffer, as the buffer allows it to advertise, and no more than the
  // buffer: autotuning did not grow it, a -w or tcp_rmem cap held it) was
  // neither closed by a slow reader nor still growing: then the window is the
  // cause, and the CPU (a worker's core or the shared host's) its symptom. At microsecond RTTs a
  // small window is a ping-pong of wakeups, each window's worth costing the
  // receiver (and the sender) one, so their cores look busy whatever the rate.
  const SocketBuffers& rb = f.receiver_buffers;
  const bool window_open =
      f.sender.known && f.sender.snd_wnd > 0 && rb.known && rb.rcvbuf > 0 &&
      static_cast<double>(f.sender.snd_wnd) >= kWindowOpenShare * static_cast<double>(rb.rcvbuf) &&
      f.sender.snd_wnd <= static_cast<uint64_t>(rb.rcvbuf);
  const bool open_window_reached =
      window_open && std::any_of(ceilings.begin(), ceilings.end(), [&](const Ceiling& c) {
        return c.key == "receive_window" && c.reached(got);
      });
  // The test's own cap (-b, --fq-rate) met: the pacer held the stream to
  // what was asked, whatever else a snapshot ceiling says (a window's, read
  // with a held window's wider band, can sit below a paced rate). Short of
  // the cap by more than kRateHeld's margin, the lowest ceiling decides (a
  // saturated core that got 92 % of -b is the limit, not -b).
  for (const Ceiling& c : ceilings)
    if (c.cause == Bottleneck::kRateLimited && c.eligible && c.ratio(got) >= kRateHeld) return &c;
  // A window reached only in its held band (above kSnapshotOvershoot) yields
  // to any other ceiling reached: its figure rests on an RTT it outran.
  auto stretched = [&](const Ceiling& c) {
    return c.cause == Bottleneck::kReceiverWindow && c.ratio(got) > kSnapshotOvershoot;
  };
  auto lowest = [&](bool take_stretched) {
    const Ceiling* best = nullptr;
    for (const Ceiling& c : ceilings) {
      if (!c.reached(got) || (!take_stretched && stretched(c))) continue;
      if (c.cause == Bottleneck::kReceiverWindow && receiver_saturated && !window_open) continue;
      if ((c.cause == Bottleneck::kSenderCpu || c.cause == Bottleneck::kReceiverCpu) &&
          (host_limits || open_window_reached))
        continue;
      if (c.cause == Bottleneck::kHostCpu && (!host_limits || open_window_reached)) continue;
      // Within 1 % the earlier (more specific) ceiling keeps the verdict.
      if (!best || c.bps < best->bps * 0.99) best = &c;
    }
    return best;
  };
  if (const Ceiling* c = lowest(false)) return c;
  return lowest(true);
}

// The limited-time fractions and counters that back a ceiling up.
std::string supporting(const Ceiling& c, const StreamFacts& f) {
  const StreamEvidence& s = f.sender;
  const bool tcp_info = s.known && s.tcp_info;
  switch (c.cause) {
    case Bottleneck::kReceiverWindow:
      return tcp_info ? fmt::format("; the sender waited for the receiver's window {} of the time",
                                    pct(s.rwnd_limited))
                      : "";
    case Bottleneck::kSendBuffer:
      return tcp_info
                 ? fmt::format("; the sender's socket buffer ran dry {} of the time", pct(s.sndbuf_limited))
                 : "";
    case Bottleneck::kNetwork:
      return fmt::format("; {} retransmissions ({:.2f}% of the bytes sent), congestion window {}, rtt {} us",
                         s.retransmits, s.retransmit_ratio * 100, size(static_cast<double>(s.snd_cwnd)),
                         s.rtt_us);
    case Bottleneck::kSenderCpu:
      return fmt::format("; the sending worker {}", load_words(s));
    case Bottleneck::kReceiverCpu:
      return fmt::format("; the receiving worker {}", load_words(f.receiver));
    case Bottleneck::kHostCpu: {
      std::string s_words = s.known ? fmt::format("; the sending worker {}", load_words(s)) : "";
      std::string r_words =
          f.receiver.known ? fmt::format("; the receiving worker {}", load_words(f.receiver)) : "";
      return fmt::format("; both ends ran on this host (one kernel){}{}", s_words, r_words);
    }
    default:
      return "";
  }
}

std::string advice_for(const Ceiling& c, const StreamFacts& f) {
  const double rtt_s = f.sender.rtt_us > 0 ? static_cast<double>(f.sender.rtt_us) / 1e6 : 0;
  switch (c.cause) {
    case Bottleneck::kRateLimited:
      return c.key == "fq_rate" ? "raise --fq-rate, or leave it out, to find the path's own limit"
                                : "raise -b, or use -b 0, to find the path's own limit";
    case Bottleneck::kReceiverWindow:
      return window_advice(f, true, static_cast<double>(f.target_bps) * rtt_s / 8);
    case Bottleneck::kSendBuffer:
      return window_advice(f, false, static_cast<double>(f.target_bps) * rtt_s / 8);
    case Bottleneck::kNetwork:
      return "packets are lost between the ends: check interface drops (ip -s link), conntrack and MTU "
             "(nperf --check); a loss-tolerant congestion control (-C bbr) may help";
    case Bottleneck::kReceiverCpu:
      return "add streams (-P) so more cores receive, keep each receiver on a core of its own and away from "
             "the NIC's interrupt cores (-A), or skip the receive copy (--skip-rx-copy)";
    case Bottleneck::kSenderCpu:
      return "add streams (-P) so more cores send, keep each sender on a core of its own (-A), or send "
             "without copying (-Z)";
    case Bottleneck::kHostCpu:
      return "sender, receiver and the kernel's packet work shared this host's cores: run the ends on "
             "different hosts to measure a network, or give each end cores of its own (-A on both)";
    default:
      return "";
  }
}

// "no limit stood out": the two ceilings nearest the achieved rate, then
// the raw figures.
Verdict undetermined(const std::vector<Ceiling>& ceilings, const StreamFacts& f, double got) {
  const StreamEvidence& s = f.sender;
  const StreamEvidence& r = f.receiver;
  std::vector<const Ceiling*> near;
  for (const Ceiling& c : ceilings)
    if (c.bps > 0) near.push_back(&c);
  // Nearness is the factor between the achieved rate and the ceiling, either way.
  auto factor = [&](const Ceiling* c) {
    const double r = c->ratio(got);
    return r <= 0 ? 1e300 : std::max(r, 1 / r);
  };
  std::stable_sort(near.begin(), near.end(),
                   [&](const Ceiling* a, const Ceiling* b) { return factor(a) < factor(b); });
  std::vector<std::string> seen;
  for (size_t i = 0; i < near.size() && i < 2; ++i)
    seen.push_back(
        fmt::format("{} ({} of it achieved)", ceiling_sentence(*near[i]), pct(near[i]->ratio(got))));
  const double sender_load = load(s), receiver_load = load(r);
  if (sender_load >= 0) seen.push_back(fmt::format("sender CPU {}", pct(sender_load)));
  if (receiver_load >= 0) seen.push_back(fmt::format("receiver CPU {}", pct(receiver_load)));
  if (!f.udp && s.known && s.tcp_info) {
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
  return make(Bottleneck::kUndetermined,
              fmt::format("no limit stood out at {} achieved: {}", rate(got), fmt::join(seen, ", ")), "");
}

// TCP: the lowest ceiling the achieved rate reached (ceilings.hpp).
Verdict tcp_verdict(const StreamFacts& f, const std::vector<Ceiling>& ceilings) {
  const double got = achieved(f);
  const Ceiling* c = binding_ceiling(ceilings, f, got);
  if (!c) {
    // Nothing measured explains the rate; notable loss does, whatever the
    // Reno model says (it underestimates Linux at short RTTs).
    auto loss =
        std::find_if(ceilings.begin(), ceilings.end(), [](const Ceiling& x) { return x.key == "loss"; });
    if (loss != ceilings.end() && f.sender.retransmit_ratio >= kRetransmitNotable)
      return make(Bottleneck::kNetwork,
                  fmt::format("no measured ceiling explains {} but the loss does: {} (a Reno model){}",
                              rate(got), ceiling_sentence(*loss), supporting(*loss, f)),
                  advice_for(*loss, f));
    return undetermined(ceilings, f, got);
  }
  return make(c->cause, fmt::format("{}; achieved {}{}", ceiling_sentence(*c), rate(got), supporting(*c, f)),
              advice_for(*c, f));
}

Verdict udp_verdict(const StreamFacts& f, const std::vector<Ceiling>& ceilings) {
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
  // Without notable loss or the rate reached, the CPU ceilings decide.
  std::vector<Ceiling> cpu;
  for (const Ceiling& c : ceilings)
    if (c.cause == Bottleneck::kSenderCpu || c.cause == Bottleneck::kReceiverCpu ||
        c.cause == Bottleneck::kHostCpu)
      cpu.push_back(c);
  if (const Ceiling* c = binding_ceiling(cpu, f, got))
    return make(
        c->cause, fmt::format("{}; achieved {}{}", ceiling_sentence(*c), rate(got), supporting(*c, f)),
        c->cause == Bottleneck::kHostCpu
            ? advice_for(*c, f)
            : "add streams (-P), keep each worker on a core of its own (-A), or use --gsro (UDP GSO/GRO)");
  std::vector<std::string> seen;
  if (sender_load >= 0) seen.push_back(fmt::format("sender CPU {}", pct(sender_load)));
  if (receiver_load >= 0) seen.push_back(fmt::format("receiver CPU {}", pct(receiver_load)));
  seen.push_back(fmt::format("loss {}", pct(lost_share)));
  return make(Bottleneck::kUndetermined, fmt::format("no single limit stood out: {}", fmt::join(seen, ", ")),
              "");
}

void add_figures(const StreamFacts& f, const std::vector<Ceiling>& ceilings, Verdict* v) {
  auto add = [&](const std::string& name, double value) { v->figures.push_back({name, value}); };
  add("achieved_bps", achieved(f));
  for (const Ceiling& c : ceilings) add("ceiling_" + c.key + "_bps", c.bps);
  if (f.same_host) {
    add("same_host", 1);
    add("host_busy",
        std::max(f.sender.known ? f.sender.host_busy : -1, f.receiver.known ? f.receiver.host_busy : -1));
  }
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
  const std::vector<Ceiling> ceilings = stream_ceilings(facts, achieved(facts));
  Verdict v = facts.udp ? udp_verdict(facts, ceilings) : tcp_verdict(facts, ceilings);
  add_figures(facts, ceilings, &v);
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
  test.direction = 0;
  compare_directions(streams, &test);
  return test;
}

}  // namespace nperf
