#include "nperf/hostcheck/host_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nperf::hostcheck {
namespace {

using Json = nlohmann::ordered_json;

// One "  key   value" row; keys are sysctl names, so the column is wide.
void row(std::string& out, std::string_view key, std::string_view value) {
  out += fmt::format("  {:<40} {}\n", key, value);
}

template <typename T>
std::string or_unknown(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : "unreadable";
}

std::string size_row(const std::optional<int64_t>& value) {
  return value ? fmt::format("{}  ({})", *value, format_size(*value)) : "unreadable";
}

std::string triple_row(const std::optional<Triple>& t) {
  return t ? fmt::format("{} {} {}  (max {})", t->min, t->def, t->max, format_size(t->max)) : "unreadable";
}

std::string on_off(const std::optional<bool>& value) {
  return value ? (*value ? "on" : "off") : "?";
}

template <typename T>
Json or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json or_null(const std::string& value) {
  return value.empty() ? Json(nullptr) : Json(value);
}

Json triple_json(const std::optional<Triple>& t) {
  if (!t) return nullptr;
  return Json{{"min", t->min}, {"default", t->def}, {"max", t->max}};
}

// What a container's or pod's network namespace cannot show, and where to look.
constexpr const char* kHostOnlyFacts[] = {
    "net.core.default_qdisc (exists only in the host's namespace)",
    "the node's NIC: speed, driver, offloads, IRQs (here the interface is the pod's end of a veth or "
    "similar)",
    "the node's conntrack table and its drops (NAT of pod traffic is tracked there, not here)",
};

std::string on_the_node(const std::string& target) {
  std::string host = target.empty() ? "" : " " + target;
  return fmt::format(
      "nperf --check{} on the node (or: kubectl -n nperf exec ds/nperf-server-host -- nperf --check{})", host,
      host);
}

void text_namespace(std::string& out, const HostFacts& facts) {
  if (!facts.own_network_namespace) return;
  out += "network namespace of a container or pod: these facts belong to the host and cannot be seen here\n";
  for (const char* fact : kHostOnlyFacts) out += fmt::format("  - {}\n", fact);
  out += fmt::format("  run: {}\n", on_the_node(facts.target));
}

void text_sysctls(std::string& out, const SysctlFacts& s, bool own_network_namespace) {
  out += "sysctl\n";
  row(out, "net.core.rmem_max", size_row(s.rmem_max));
  row(out, "net.core.wmem_max", size_row(s.wmem_max));
  row(out, "net.core.rmem_default", size_row(s.rmem_default));
  row(out, "net.core.wmem_default", size_row(s.wmem_default));
  row(out, "net.ipv4.tcp_rmem", triple_row(s.tcp_rmem));
  row(out, "net.ipv4.tcp_wmem", triple_row(s.tcp_wmem));
  row(out, "net.ipv4.tcp_congestion_control",
      s.congestion_control.empty() ? "unreadable"
                                   : fmt::format("{}  (available: {})", s.congestion_control,
                                                 fmt::join(s.available_congestion_control, " ")));
  row(out, "net.core.default_qdisc",
      !s.default_qdisc.empty() ? s.default_qdisc
      : own_network_namespace  ? "not visible from this network namespace (host only, see below)"
                               : "unreadable");
  row(out, "net.ipv4.tcp_mtu_probing", or_unknown(s.tcp_mtu_probing));
  row(out, "net.ipv4.tcp_window_scaling", or_unknown(s.tcp_window_scaling));
  row(out, "net.ipv4.tcp_timestamps", or_unknown(s.tcp_timestamps));
  row(out, "net.ipv4.tcp_sack", or_unknown(s.tcp_sack));
}

void text_conntrack(std::string& out, const ConntrackFacts& c) {
  if (!c.loaded) {
    out += fmt::format("{:<42} {}\n", "conntrack", "not loaded");
    return;
  }
  out += "conntrack\n";
  std::string fill = c.count && c.max && *c.max > 0 ? fmt::format(" ({}%)", *c.count * 100 / *c.max) : "";
  row(out, "entries", fmt::format("{} of {}{}", or_unknown(c.count), or_unknown(c.max), fill));
  row(out, "drops since boot",
      fmt::format("drop {}, insert_failed {}, early_drop {}", or_unknown(c.drop), or_unknown(c.insert_failed),
                  or_unknown(c.early_drop)));
}

void text_interface(std::string& out, const HostFacts& facts) {
  if (!facts.interface) {
    out += fmt::format("{:<42} {}\n", "interface", fmt::format("not found ({})", facts.interface_problem));
    return;
  }
  const InterfaceFacts& f = *facts.interface;
  std::string source = f.source_address.empty() ? "" : fmt::format(", source {}", f.source_address);
  out += fmt::format("interface {} ({}{})\n", f.name, f.found_by, source);
  row(out, "speed", f.speed_mbps ? fmt::format("{} Mbit/s", *f.speed_mbps) : "unknown");
  row(out, "mtu", or_unknown(f.mtu));
  row(out, "driver", f.driver.empty() ? "unknown" : f.driver);
  row(out, "numa node", f.numa_node ? std::to_string(*f.numa_node) : "none");
  const Offloads& o = f.offloads;
  row(out, "offloads",
      fmt::format("tso {}, gso {}, gro {}, rx-checksum {}, tx-checksum {}", on_off(o.tso), on_off(o.gso),
                  on_off(o.gro), on_off(o.rx_checksum), on_off(o.tx_checksum)));
  row(out, "irqs",
      f.irqs.empty() ? "none found"
                     : fmt::format("{} ({}) on CPUs {}", f.irqs.size(), fmt::join(f.irqs, " "),
                                   f.irq_cpus.empty() ? "?" : format_cpu_list(f.irq_cpus)));
}

void text_cpu_and_cgroup(std::string& out, const HostFacts& facts) {
  out += "cpu\n";
  const CpuFacts& c = facts.cpu;
  row(out, "online",
      c.online.empty() ? "unreadable" : fmt::format("{} ({})", c.online.size(), format_cpu_list(c.online)));
  row(out, "governor", summarize_governors(c.governors));
  const CgroupFacts& g = facts.cgroup;
  if (g.version == 0) {
    out += fmt::format("{:<42} {}\n", "cgroup", "no cpu controller found");
    return;
  }
  out += fmt::format("cgroup v{} {}\n", g.version, g.path);
  std::string quota = g.quota_cpus ? fmt::format("{:g} CPUs", *g.quota_cpus) : "none";
  // v1 has the same two numbers in cpu.cfs_quota_us and cpu.cfs_period_us.
  const char* source = g.version == 1 ? "cfs quota/period" : "cpu.max";
  row(out, "cpu quota", g.cpu_max.empty() ? quota : fmt::format("{}  ({} {})", quota, source, g.cpu_max));
  row(out, "throttled",
      g.nr_throttled ? fmt::format("{} times, {:.1f} s", *g.nr_throttled,
                                   static_cast<double>(g.throttled_usec.value_or(0)) / 1e6)
                     : "unreadable");
}

Json interface_json(const HostFacts& facts) {
  if (!facts.interface) return nullptr;
  const InterfaceFacts& f = *facts.interface;
  const Offloads& o = f.offloads;
  return Json{{"name", f.name},
              {"found_by", f.found_by},
              {"source_address", or_null(f.source_address)},
              {"speed_mbps", or_null(f.speed_mbps)},
              {"mtu", or_null(f.mtu)},
              {"driver", or_null(f.driver)},
              {"numa_node", or_null(f.numa_node)},
              {"offloads",
               {{"tso", or_null(o.tso)},
                {"gso", or_null(o.gso)},
                {"gro", or_null(o.gro)},
                {"rx_checksum", or_null(o.rx_checksum)},
                {"tx_checksum", or_null(o.tx_checksum)}}},
              {"irqs", f.irqs},
              {"irq_cpus", f.irq_cpus}};
}

}  // namespace

std::string summarize_governors(const std::map<std::string, std::vector<int>>& governors) {
  if (governors.empty()) return "unavailable";
  std::vector<std::string> parts;
  for (const auto& [name, cpus] : governors)
    parts.push_back(fmt::format("{} on {}", name, format_cpu_list(cpus)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

std::string render_text(const HostFacts& facts, const std::vector<Finding>& findings) {
  std::string out = fmt::format("nperf host check: {}\n",
                                facts.target.empty() ? "default route" : "route to " + facts.target);
  text_sysctls(out, facts.sysctl, facts.own_network_namespace);
  text_conntrack(out, facts.conntrack);
  text_interface(out, facts);
  text_cpu_and_cgroup(out, facts);
  text_namespace(out, facts);
  out += "findings\n";
  if (findings.empty()) out += "  none: nothing found that caps a test\n";
  for (const Finding& f : findings)
    out += fmt::format("  {:<5}  {}{}\n", severity_name(f.severity), f.message,
                       f.advice.empty() ? "" : "; " + f.advice);
  return out;
}

Json render_json(const HostFacts& facts, const std::vector<Finding>& findings) {
  const SysctlFacts& s = facts.sysctl;
  const ConntrackFacts& c = facts.conntrack;
  const CgroupFacts& g = facts.cgroup;
  Json findings_json = Json::array();
  for (const Finding& f : findings)
    findings_json.push_back(Json{{"severity", severity_name(f.severity)},
                                 {"key", f.key},
                                 {"message", f.message},
                                 {"advice", f.advice}});
  Json governors = Json::object();
  for (const auto& [name, cpus] : facts.cpu.governors) governors[name] = format_cpu_list(cpus);
  Json network_namespace = Json{{"own", facts.own_network_namespace}};
  if (facts.own_network_namespace) {
    network_namespace["host_only"] = kHostOnlyFacts;
    network_namespace["on_the_node"] = on_the_node(facts.target);
  }
  return Json{{"target", or_null(facts.target)},
              {"network_namespace", network_namespace},
              {"sysctl",
               {{"rmem_max", or_null(s.rmem_max)},
                {"wmem_max", or_null(s.wmem_max)},
                {"rmem_default", or_null(s.rmem_default)},
                {"wmem_default", or_null(s.wmem_default)},
                {"tcp_rmem", triple_json(s.tcp_rmem)},
                {"tcp_wmem", triple_json(s.tcp_wmem)},
                {"tcp_congestion_control", or_null(s.congestion_control)},
                {"tcp_available_congestion_control", s.available_congestion_control},
                {"default_qdisc", or_null(s.default_qdisc)},
                {"tcp_mtu_probing", or_null(s.tcp_mtu_probing)},
                {"tcp_window_scaling", or_null(s.tcp_window_scaling)},
                {"tcp_timestamps", or_null(s.tcp_timestamps)},
                {"tcp_sack", or_null(s.tcp_sack)}}},
              {"conntrack",
               {{"loaded", c.loaded},
                {"count", or_null(c.count)},
                {"max", or_null(c.max)},
                {"drop", or_null(c.drop)},
                {"insert_failed", or_null(c.insert_failed)},
                {"early_drop", or_null(c.early_drop)}}},
              {"interface", interface_json(facts)},
              {"interface_problem", or_null(facts.interface_problem)},
              {"cpu",
               {{"online", facts.cpu.online.size()},
                {"online_list", format_cpu_list(facts.cpu.online)},
                {"governor", summarize_governors(facts.cpu.governors)},
                {"governors", governors}}},
              {"cgroup",
               {{"version", g.version == 0 ? Json(nullptr) : Json(g.version)},
                {"path", or_null(g.path)},
                {"cpu_max", or_null(g.cpu_max)},
                {"quota_cpus", or_null(g.quota_cpus)},
                {"nr_throttled", or_null(g.nr_throttled)},
                {"throttled_usec", or_null(g.throttled_usec)}}},
              {"findings", findings_json}};
}

}  // namespace nperf::hostcheck
