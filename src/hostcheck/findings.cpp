#include "nperf/hostcheck/findings.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

namespace nperf::hostcheck {
namespace {

using R = Rules;

// What one TCP stream can carry when `bytes` may be in flight: bytes per RTT.
// Only an estimate: the kernel keeps part of a buffer for overhead, so the
// real window is somewhat smaller.
std::string rate_at_reference_rtt(int64_t bytes) {
  return format_bitrate(static_cast<double>(bytes) * 8.0 / R::kReferenceRttS);
}

std::string reference_rtt() {
  return fmt::format("{:g} ms", R::kReferenceRttS * 1000);
}

void buffer_rules(const SysctlFacts& s, std::vector<Finding>& out) {
  auto core_max = [&](const std::optional<int64_t>& value, const char* key, const char* what) {
    if (!value || *value >= R::kBufferWanted) return;
    out.push_back(
        {Severity::kLimit, key,
         fmt::format("{} {} caps a {} set with -w at {}: at {} RTT that is {} per stream", key, *value, what,
                     format_size(*value), reference_rtt(), rate_at_reference_rtt(*value)),
         fmt::format("set net.core.{}={}", key, R::kBufferAdvice)});
  };
  core_max(s.rmem_max, "rmem_max", "TCP receive window");
  core_max(s.wmem_max, "wmem_max", "TCP send buffer");
  auto autotune_max = [&](const std::optional<Triple>& value, const char* key, const char* what) {
    if (!value || value->max >= R::kBufferWanted) return;
    out.push_back(
        {Severity::kLimit, key,
         fmt::format("{} max {} caps {} at {}: at {} RTT that is {} per stream", key, value->max, what,
                     format_size(value->max), reference_rtt(), rate_at_reference_rtt(value->max)),
         fmt::format("set net.ipv4.{}='{} {} {}'", key, value->min, value->def, R::kBufferAdvice)});
  };
  autotune_max(s.tcp_rmem, "tcp_rmem", "an autotuned TCP receive window");
  autotune_max(s.tcp_wmem, "tcp_wmem", "the data an autotuned TCP sender keeps in flight");
}

void tcp_option_rules(const SysctlFacts& s, std::vector<Finding>& out) {
  if (s.tcp_window_scaling == 0)
    out.push_back(
        {Severity::kLimit, "tcp_window_scaling",
         fmt::format("tcp_window_scaling 0 caps every TCP window at 64 KiB: at {} RTT that is {} per stream",
                     reference_rtt(), rate_at_reference_rtt(65535)),
         "set net.ipv4.tcp_window_scaling=1"});
  if (s.tcp_sack == 0)
    out.push_back({Severity::kWarn, "tcp_sack",
                   "tcp_sack 0: after a loss TCP resends blindly and recovers slowly on fast paths",
                   "set net.ipv4.tcp_sack=1"});
  if (s.tcp_timestamps == 0)
    out.push_back({Severity::kInfo, "tcp_timestamps",
                   "tcp_timestamps 0: fewer RTT samples and no protection against wrapped sequence numbers "
                   "at high rates",
                   "set net.ipv4.tcp_timestamps=1"});
  if (s.congestion_control == "reno")
    out.push_back(
        {Severity::kInfo, "congestion_control",
         "default congestion control reno regrows its window slowly after a loss on long, fast paths",
         "set net.ipv4.tcp_congestion_control=cubic (or bbr); -C picks one for a single test"});
}

// fq paces each flow in the qdisc; without it TCP falls back to pacing by its
// own timers, which works but costs CPU. BBR relies on pacing.
void qdisc_rule(const HostFacts& facts, std::vector<Finding>& out) {
  const SysctlFacts& s = facts.sysctl;
  if (s.default_qdisc.empty() || s.default_qdisc == "fq") return;
  std::string dev = facts.interface ? facts.interface->name : "IF";
  out.push_back(
      {s.congestion_control == "bbr" ? Severity::kWarn : Severity::kInfo, "default_qdisc",
       fmt::format("default qdisc {}: BBR and socket pacing (SO_MAX_PACING_RATE, iperf3 --fq-rate) work best "
                   "with fq; without it TCP paces by its own timers, at more CPU cost",
                   s.default_qdisc),
       fmt::format("consider net.core.default_qdisc=fq (for interfaces created later; now: tc qdisc replace "
                   "dev {} root fq)",
                   dev)});
}

void conntrack_rules(const ConntrackFacts& c, std::vector<Finding>& out) {
  if (!c.loaded) return;
  if (c.count && c.max && *c.max > 0) {
    int64_t percent = *c.count * 100 / *c.max;
    if (percent >= R::kConntrackFullPercent)
      out.push_back(
          {Severity::kWarn, "conntrack_full",
           fmt::format("conntrack {}% full ({} of {} entries): when it fills, new connections (test "
                       "streams too) are dropped",
                       percent, *c.count, *c.max),
           fmt::format("raise net.netfilter.nf_conntrack_max (e.g. to {})", *c.max * 2)});
  }
  uint64_t drops = c.drop.value_or(0) + c.insert_failed.value_or(0) + c.early_drop.value_or(0);
  if (drops > 0)
    out.push_back(
        {Severity::kWarn, "conntrack_drops",
         fmt::format("conntrack dropped packets since boot: drop {}, insert_failed {}, early_drop {}",
                     c.drop.value_or(0), c.insert_failed.value_or(0), c.early_drop.value_or(0)),
         "watch /proc/net/stat/nf_conntrack during a test; a full table or insert races (many new "
         "UDP flows at once) cause them"});
}

void interface_rules(const HostFacts& facts, std::vector<Finding>& out) {
  if (!facts.interface) {
    out.push_back({Severity::kInfo, "interface",
                   fmt::format("no interface found for the {}: {}",
                               facts.target.empty() ? "default route" : "route to " + facts.target,
                               facts.interface_problem),
                   ""});
    return;
  }
  const InterfaceFacts& f = *facts.interface;
  // Virtual devices (veth, bridges) report a speed that bounds nothing.
  if (f.speed_mbps && f.driver != "virtual")
    out.push_back({Severity::kInfo, "interface_speed",
                   fmt::format("{} link speed {} Mbit/s: no test through it exceeds {}", f.name,
                               *f.speed_mbps, format_bitrate(static_cast<double>(*f.speed_mbps) * 1e6)),
                   ""});
  if (f.mtu && *f.mtu < R::kStandardMtu)
    out.push_back(
        {Severity::kWarn, "interface_mtu",
         fmt::format("interface {} MTU {} (overlay?): each packet carries less than at {}, so the same "
                     "rate costs more packets",
                     f.name, *f.mtu, R::kStandardMtu),
         "expected inside VXLAN/Geneve/WireGuard; compare with a test over the underlay"});
  std::string off;
  auto note_off = [&](const std::optional<bool>& on, const char* name) {
    if (on == false) off += (off.empty() ? "" : ", ") + std::string(name);
  };
  note_off(f.offloads.tso, "tso");
  note_off(f.offloads.gso, "gso");
  note_off(f.offloads.gro, "gro");
  if (!off.empty())
    out.push_back(
        {Severity::kWarn, "offloads",
         fmt::format("{} has {} off: the CPU handles every MTU-sized packet, so high rates cost far more CPU",
                     f.name, off),
         fmt::format("ethtool -K {} tso on gso on gro on", f.name)});
  // One core doing every stream's receive work is the classic single-queue cap.
  if (!f.irqs.empty() && f.irq_cpus.size() == 1 && facts.cpu.online.size() > 1)
    out.push_back(
        {Severity::kWarn, "irq_cpus",
         fmt::format("all {} IRQs of {} go to CPU {}: that core does the receive work of every stream",
                     f.irqs.size(), f.name, f.irq_cpus.front()),
         fmt::format("spread them (irqbalance, /proc/irq/N/smp_affinity_list) or keep -A streams off CPU {}",
                     f.irq_cpus.front())});
}

void cpu_rules(const CpuFacts& c, std::vector<Finding>& out) {
  if (c.online.size() == 1)
    out.push_back({Severity::kWarn, "cpu_count",
                   "1 online CPU: the sender, the receiver and the kernel's network work share it", ""});
  for (const auto& [governor, cpus] : c.governors) {
    if (governor == "performance") continue;
    // powersave keeps clocks low; the others ramp up under load, with a lag.
    out.push_back({governor == "powersave" ? Severity::kWarn : Severity::kInfo, "governor",
                   fmt::format("governor {} on CPU{} {}: clocks drop between bursts, lowering and scattering "
                               "results",
                               governor, cpus.size() == 1 ? "" : "s", format_cpu_list(cpus)),
                   "cpupower frequency-set -g performance (for the test)"});
  }
}

void cgroup_rules(const CgroupFacts& g, std::vector<Finding>& out) {
  if (!g.quota_cpus) return;
  double cpus = *g.quota_cpus;
  // cpus > 0, so truncation is floor (std::floor would need libm, see CMakeLists.txt).
  int streams = std::max(1, static_cast<int>(cpus + 1e-9));
  std::string message = fmt::format("cgroup quota {:g} CPU{} ({} {}): ", cpus, cpus == 1 ? "" : "s",
                                    g.version == 1 ? "cfs quota/period" : "cpu.max", g.cpu_max);
  if (cpus < 1)
    message += fmt::format("even one stream gets only {:.0f}% of a core", cpus * 100);
  else
    message += fmt::format("at most {} stream{} can run at once", streams, streams == 1 ? "" : "s");
  if (g.nr_throttled && *g.nr_throttled > 0)
    message += fmt::format("; throttled {} times ({:.1f} s in all)", *g.nr_throttled,
                           static_cast<double>(g.throttled_usec.value_or(0)) / 1e6);
  out.push_back({Severity::kLimit, "cgroup_quota", message,
                 fmt::format("use -P {} or fewer, or raise the CPU limit (Kubernetes: resources.limits.cpu)",
                             streams)});
}

}  // namespace

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::kLimit:
      return "limit";
    case Severity::kWarn:
      return "warn";
    case Severity::kInfo:
      return "info";
  }
  return "info";
}

std::string format_size(int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (std::fabs(value) >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.4g} {}", value, kUnits[unit]);
}

std::string format_bitrate(double bits_per_second) {
  if (bits_per_second >= 10e9) return fmt::format("~{:.0f} Gbit/s", bits_per_second / 1e9);
  if (bits_per_second >= 1e9) return fmt::format("~{:.1f} Gbit/s", bits_per_second / 1e9);
  if (bits_per_second >= 1e6) return fmt::format("~{:.0f} Mbit/s", bits_per_second / 1e6);
  return fmt::format("~{:.0f} kbit/s", bits_per_second / 1e3);
}

std::vector<Finding> evaluate(const HostFacts& facts) {
  std::vector<Finding> out;
  buffer_rules(facts.sysctl, out);
  tcp_option_rules(facts.sysctl, out);
  qdisc_rule(facts, out);
  conntrack_rules(facts.conntrack, out);
  interface_rules(facts, out);
  cpu_rules(facts.cpu, out);
  cgroup_rules(facts.cgroup, out);
  return out;
}

}  // namespace nperf::hostcheck
