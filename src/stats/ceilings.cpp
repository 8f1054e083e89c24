#include "nperf/stats/ceilings.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "nperf/stats/plain_units.hpp"

namespace nperf {

namespace {

using plain::pct;
using plain::rate;
using plain::size;

// Square root by Newton's method: std::sqrt keeps a libm call for errno,
// and nperf links no libm (CMakeLists.txt). Enough steps for any loss share
// in (0, 1]: halving from 1 reaches 1e-9's root in ~15, then it converges.
double square_root(double x) {
  if (x <= 0) return 0;
  double y = x > 1 ? x : 1;
  for (int i = 0; i < 64; ++i) y = 0.5 * (y + x / y);
  return y;
}

// The segment size Mathis needs when the sender did not report its path MTU:
// Ethernet's 1500 less IPv4, TCP and timestamp headers.
constexpr double kDefaultMss = 1448;

Ceiling snapshot(Bottleneck cause, std::string key, std::string what, double bps) {
  Ceiling c;
  c.cause = cause;
  c.key = std::move(key);
  c.what = std::move(what);
  c.bps = bps;
  c.reach = kSnapshotReach;
  c.overshoot = kSnapshotOvershoot;
  return c;
}

Ceiling exact(Bottleneck cause, std::string key, std::string what, double bps) {
  Ceiling c;
  c.cause = cause;
  c.key = std::move(key);
  c.what = std::move(what);
  c.bps = bps;
  return c;
}

// The limits a window or buffer of `bytes` puts on a stream whose RTT is `rtt_s`.
void add_window_ceilings(const StreamFacts& f, std::vector<Ceiling>* out) {
  const StreamEvidence& s = f.sender;
  if (!s.known || !s.tcp_info || s.rtt_us <= 0) return;
  const double rtt_s = static_cast<double>(s.rtt_us) / 1e6;
  const std::string at = fmt::format("at {} us rtt", s.rtt_us);
  auto per_rtt = [&](double bytes) { return bytes * 8 / rtt_s; };
  if (s.snd_wnd > 0) {
    Ceiling window = snapshot(Bottleneck::kReceiverWindow, "receive_window",
                              fmt::format("a {} receive window {}", size(static_cast<double>(s.snd_wnd)), at),
                              per_rtt(static_cast<double>(s.snd_wnd)));
    if (s.rwnd_limited >= kWindowHeldShare) window.overshoot = kHeldWindowOvershoot;
    out->push_back(std::move(window));
  }
  // A fixed -w turns autotuning off: the granted buffer (twice the request,
  // of which the kernel keeps part for overhead) is the most a window can be.
  const SocketBuffers& rb = f.receiver_buffers;
  if (rb.known && rb.requested > 0 && rb.rcvbuf > 0)
    out->push_back(snapshot(
        Bottleneck::kReceiverWindow, "receive_buffer",
        fmt::format("the receiver's {} socket buffer (-w) {}", size(static_cast<double>(rb.rcvbuf)), at),
        per_rtt(static_cast<double>(rb.rcvbuf))));
  const SocketBuffers& sb = f.sender_buffers;
  if (sb.known && sb.requested > 0 && sb.sndbuf > 0)
    out->push_back(snapshot(
        Bottleneck::kSendBuffer, "send_buffer",
        fmt::format("the sender's {} socket buffer (-w) {}", size(static_cast<double>(sb.sndbuf)), at),
        per_rtt(static_cast<double>(sb.sndbuf))));
  if (s.retransmit_ratio > 0) {
    const double mss = s.mss > 0 ? static_cast<double>(s.mss) : kDefaultMss;
    Ceiling c = snapshot(
        Bottleneck::kNetwork, "loss",
        fmt::format("{:.2f}% loss with {:.0f}-byte segments {} (Mathis)", s.retransmit_ratio * 100, mss, at),
        per_rtt(mss) * kMathisC / square_root(s.retransmit_ratio));
    c.eligible = false;  // a model: the fallback when nothing measured is near (verdict.cpp)
    out->push_back(c);
  }
  if (s.snd_cwnd > 0) {
    // In flight = rate x RTT whatever holds a stream back, so the congestion
    // window always matches the rate: shown, never a cause by itself (the
    // loss ceiling above names the network when loss kept the window small).
    Ceiling c = snapshot(Bottleneck::kNetwork, "congestion_window",
                         fmt::format("a {} congestion window {}", size(static_cast<double>(s.snd_cwnd)), at),
                         per_rtt(static_cast<double>(s.snd_cwnd)));
    c.eligible = false;
    out->push_back(c);
  }
}

void add_cpu_ceilings(const StreamFacts& f, double achieved_bps, std::vector<Ceiling>* out) {
  // Bytes per CPU-second times the CPU there was: one core per worker.
  for (bool receiver : {false, true}) {
    const double demand = cpu_demand(receiver ? f.receiver : f.sender);
    if (demand <= 0) continue;
    out->push_back(exact(receiver ? Bottleneck::kReceiverCpu : Bottleneck::kSenderCpu,
                         receiver ? "receiver_cpu" : "sender_cpu",
                         fmt::format("the {} worker's core (it needed {} of it)",
                                     receiver ? "receiving" : "sending", pct(demand)),
                         achieved_bps / demand));
  }
  if (!f.same_host) return;
  // Both ends, their softirq work and everything else on one kernel draw on
  // the same cores: the host's whole CPU is the budget.
  const double host =
      std::max(f.sender.known ? f.sender.host_busy : -1, f.receiver.known ? f.receiver.host_busy : -1);
  if (host <= 0) return;
  Ceiling c =
      exact(Bottleneck::kHostCpu, "host_cpu",
            fmt::format("this host's cores, shared by both ends ({} busy)", pct(host)), achieved_bps / host);
  // Busy cores limit this test only when its own workers wanted them: the
  // two together at least one core's worth (a host busy with other work
  // while the workers idle, waiting on loss, is not this test's limit).
  c.eligible = std::max(0.0, cpu_demand(f.sender)) + std::max(0.0, cpu_demand(f.receiver)) >= 1.0;
  out->push_back(c);
}

}  // namespace

double cpu_demand(const StreamEvidence& e) {
  if (!e.known || e.thread_cpu < 0) return -1;
  double l = e.thread_cpu + std::max(0.0, e.thread_wait);
  if (e.pinned && e.core_busy >= 0) l = std::max(l, e.core_busy);
  return std::min(1.0, l);
}

std::vector<Ceiling> stream_ceilings(const StreamFacts& f, double achieved_bps) {
  std::vector<Ceiling> out;
  if (f.target_bps > 0)
    out.push_back(
        exact(Bottleneck::kRateLimited, "rate_cap", "the test's own -b", static_cast<double>(f.target_bps)));
  if (f.fq_rate_bps > 0)
    out.push_back(exact(Bottleneck::kRateLimited, "fq_rate", "the kernel's pacing cap (--fq-rate)",
                        static_cast<double>(f.fq_rate_bps)));
  if (!f.udp) add_window_ceilings(f, &out);
  if (f.udp && f.host_drops > 0 && f.lost > 0 && f.packets > 0) {
    // What the receiver drained while its socket buffer overflowed.
    Ceiling c = exact(Bottleneck::kReceiverBuffer, "receive_buffer_overflow",
                      fmt::format("the receiver's socket buffer, which overflowed {} times", f.host_drops),
                      achieved_bps);
    c.eligible = static_cast<double>(f.lost) >= kUdpLossNotable * static_cast<double>(f.packets) &&
                 static_cast<double>(f.host_drops) >= kHostDropShare * static_cast<double>(f.lost);
    out.push_back(c);
  }
  add_cpu_ceilings(f, achieved_bps, &out);
  return out;
}

std::string ceiling_sentence(const Ceiling& c) {
  return fmt::format("{} allows {}", c.what, rate(c.bps));
}

}  // namespace nperf
