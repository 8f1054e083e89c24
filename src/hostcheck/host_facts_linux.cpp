// Gathers HostFacts. Every file is read under options.root so the unit tests
// can run this against a fake /proc and /sys; only kernel_probe_linux.cpp asks
// the running kernel, and only when options.query_kernel is set.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "nperf/hostcheck/host_facts.hpp"
#include "nperf/hostcheck/kernel_probe.hpp"

namespace nperf::hostcheck {
namespace {

namespace fs = std::filesystem;

class Tree {
 public:
  explicit Tree(std::string root) : root_(std::move(root)) {}

  fs::path at(std::string_view absolute) const {
    while (!absolute.empty() && absolute.front() == '/') absolute.remove_prefix(1);
    return fs::path(root_) / absolute;
  }
  std::optional<std::string> read(std::string_view absolute) const {
    std::ifstream in(at(absolute));
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return text.str();
  }
  std::optional<int64_t> read_int(std::string_view absolute) const {
    auto text = read(absolute);
    return text ? parse_int(*text) : std::nullopt;
  }
  bool exists(std::string_view absolute) const {
    std::error_code ec;
    return fs::exists(at(absolute), ec);
  }

 private:
  std::string root_;
};

SysctlFacts read_sysctls(const Tree& tree) {
  SysctlFacts s;
  s.rmem_max = tree.read_int("/proc/sys/net/core/rmem_max");
  s.wmem_max = tree.read_int("/proc/sys/net/core/wmem_max");
  s.rmem_default = tree.read_int("/proc/sys/net/core/rmem_default");
  s.wmem_default = tree.read_int("/proc/sys/net/core/wmem_default");
  if (auto t = tree.read("/proc/sys/net/ipv4/tcp_rmem")) s.tcp_rmem = parse_triple(*t);
  if (auto t = tree.read("/proc/sys/net/ipv4/tcp_wmem")) s.tcp_wmem = parse_triple(*t);
  if (auto t = tree.read("/proc/sys/net/ipv4/tcp_available_congestion_control"))
    s.available_congestion_control = split_words(*t);
  auto first_word = [&](std::string_view path) {
    auto t = tree.read(path);
    auto words = t ? split_words(*t) : std::vector<std::string>{};
    return words.empty() ? std::string() : words.front();
  };
  s.congestion_control = first_word("/proc/sys/net/ipv4/tcp_congestion_control");
  s.default_qdisc = first_word("/proc/sys/net/core/default_qdisc");
  s.tcp_mtu_probing = tree.read_int("/proc/sys/net/ipv4/tcp_mtu_probing");
  s.tcp_window_scaling = tree.read_int("/proc/sys/net/ipv4/tcp_window_scaling");
  s.tcp_timestamps = tree.read_int("/proc/sys/net/ipv4/tcp_timestamps");
  s.tcp_sack = tree.read_int("/proc/sys/net/ipv4/tcp_sack");
  return s;
}

ConntrackFacts read_conntrack(const Tree& tree) {
  ConntrackFacts c;
  c.max = tree.read_int("/proc/sys/net/netfilter/nf_conntrack_max");
  c.loaded = c.max.has_value();
  if (!c.loaded) return c;
  c.count = tree.read_int("/proc/sys/net/netfilter/nf_conntrack_count");
  auto text = tree.read("/proc/net/stat/nf_conntrack");
  auto sums = text ? parse_conntrack_stat(*text) : std::nullopt;
  if (!sums) return c;
  auto column = [&](const char* name) -> std::optional<uint64_t> {
    auto it = sums->find(name);
    if (it == sums->end()) return std::nullopt;
    return it->second;
  };
  c.drop = column("drop");
  c.insert_failed = column("insert_failed");
  c.early_drop = column("early_drop");
  return c;
}

// IRQs of the interface's device: its MSI vectors when the device lists them,
// plus /proc/interrupts lines naming the interface or the device (virtio
// names its vectors "virtio2-input.0", mlx5 "mlx5_comp0@pci:0000:3b:00.0").
void read_irqs(const Tree& tree, InterfaceFacts& f, const std::string& device_name) {
  std::vector<int> irqs;
  std::error_code ec;
  for (const auto& entry :
       fs::directory_iterator(tree.at(fmt::format("/sys/class/net/{}/device/msi_irqs", f.name)), ec))
    if (auto n = parse_int(entry.path().filename().string())) irqs.push_back(static_cast<int>(*n));
  if (auto text = tree.read("/proc/interrupts")) {
    for (int irq : irqs_naming(*text, f.name)) irqs.push_back(irq);
    if (!device_name.empty())
      for (int irq : irqs_naming(*text, device_name)) irqs.push_back(irq);
  }
  std::sort(irqs.begin(), irqs.end());
  irqs.erase(std::unique(irqs.begin(), irqs.end()), irqs.end());
  f.irqs = irqs;
  std::vector<int> cpus;
  for (int irq : irqs) {
    // effective_affinity_list is where the kernel really delivers it; older
    // kernels only have the requested smp_affinity_list.
    auto text = tree.read(fmt::format("/proc/irq/{}/effective_affinity_list", irq));
    if (!text || text->find_first_not_of(" \n") == std::string::npos)
      text = tree.read(fmt::format("/proc/irq/{}/smp_affinity_list", irq));
    if (!text) continue;
    if (auto list = parse_cpu_list(*text)) cpus.insert(cpus.end(), list->begin(), list->end());
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  f.irq_cpus = cpus;
}

InterfaceFacts read_interface(const Tree& tree, const std::string& name, bool query_kernel) {
  InterfaceFacts f;
  f.name = name;
  std::string dir = fmt::format("/sys/class/net/{}", name);
  if (auto speed = tree.read_int(dir + "/speed"); speed && *speed > 0) f.speed_mbps = speed;
  f.mtu = tree.read_int(dir + "/mtu");
  std::string device_name;
  std::error_code ec;
  if (!tree.exists(dir + "/device")) {
    f.driver = "virtual";  // lo, veth, bridges, tunnels, overlays
  } else {
    fs::path driver = fs::read_symlink(tree.at(dir + "/device/driver"), ec);
    if (!ec) f.driver = driver.filename().string();
    fs::path device = fs::read_symlink(tree.at(dir + "/device"), ec);
    if (!ec) device_name = device.filename().string();
    if (auto node = tree.read_int(dir + "/device/numa_node"); node && *node >= 0) f.numa_node = node;
    read_irqs(tree, f, device_name);
  }
  if (query_kernel) f.offloads = read_offloads(name);
  return f;
}

CpuFacts read_cpus(const Tree& tree) {
  CpuFacts c;
  if (auto text = tree.read("/sys/devices/system/cpu/online"))
    c.online = parse_cpu_list(*text).value_or(std::vector<int>{});
  for (int cpu : c.online) {
    auto text = tree.read(fmt::format("/sys/devices/system/cpu/cpu{}/cpufreq/scaling_governor", cpu));
    auto words = text ? split_words(*text) : std::vector<std::string>{};
    if (!words.empty()) c.governors[words.front()].push_back(cpu);
  }
  return c;
}

// The quota that binds us is the tightest one on the way from our cgroup up to
// the root: Kubernetes sets one on the pod and one on each container.
struct QuotaAt {
  std::string path;
  std::string cpu_max;
  std::optional<double> cpus;
};

template <typename ReadCpuMax>
QuotaAt tightest_quota(const Tree& tree, const std::string& mount, std::string path,
                       ReadCpuMax read_cpu_max) {
  // Inside a cgroup namespace the path may not exist under our mount; the
  // mount's root is then our own cgroup.
  if (!tree.exists(mount + path)) path = "/";
  QuotaAt best{path, "", std::nullopt};
  for (std::string p = path;;) {
    std::string dir = mount + (p == "/" ? "" : p);
    if (auto max = read_cpu_max(dir)) {
      if (best.cpu_max.empty())
        best.cpu_max =
            fmt::format("{} {}", max->quota_us ? std::to_string(*max->quota_us) : "max", max->period_us);
      auto cpus = max->cpus();
      if (cpus && (!best.cpus || *cpus < *best.cpus)) {
        best = {p, fmt::format("{} {}", *max->quota_us, max->period_us), cpus};
      }
    }
    if (p == "/" || p.empty()) break;
    size_t slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  return best;
}

CgroupFacts read_cgroup(const Tree& tree) {
  CgroupFacts g;
  auto self = tree.read("/proc/self/cgroup");
  if (!self) return g;
  CgroupMembership m = parse_proc_self_cgroup(*self);
  std::string mount;
  QuotaAt quota;
  bool v2 = tree.exists("/sys/fs/cgroup/cgroup.controllers") && m.v2_path;
  if (v2) {
    g.version = 2;
    mount = "/sys/fs/cgroup";
    quota = tightest_quota(tree, mount, *m.v2_path, [&](const std::string& dir) -> std::optional<CpuMax> {
      auto text = tree.read(dir + "/cpu.max");
      return text ? parse_cpu_max(*text) : std::nullopt;
    });
  } else if (m.v1_cpu_path) {
    // v1 mounts the cpu controller at /sys/fs/cgroup/cpu or at its joint name.
    mount = "/sys/fs/cgroup/" + m.v1_cpu_controllers;
    if (!tree.exists(mount)) mount = "/sys/fs/cgroup/cpu";
    if (!tree.exists(mount)) return g;
    g.version = 1;
    quota = tightest_quota(tree, mount, *m.v1_cpu_path, [&](const std::string& dir) -> std::optional<CpuMax> {
      auto q = tree.read(dir + "/cpu.cfs_quota_us"), p = tree.read(dir + "/cpu.cfs_period_us");
      return q && p ? cpu_max_from_v1(*q, *p) : std::nullopt;
    });
  } else {
    return g;
  }
  g.path = quota.path;
  g.cpu_max = quota.cpu_max;
  g.quota_cpus = quota.cpus;
  if (auto text = tree.read(mount + (quota.path == "/" ? "" : quota.path) + "/cpu.stat")) {
    auto stat = parse_key_values(*text);
    if (auto it = stat.find("nr_throttled"); it != stat.end()) g.nr_throttled = it->second;
    if (auto it = stat.find("throttled_usec"); it != stat.end()) g.throttled_usec = it->second;
    if (auto it = stat.find("throttled_time"); it != stat.end())
      g.throttled_usec = it->second / 1000;  // v1: ns
  }
  return g;
}

// Which interface to describe: the named one, the route to HOST, or the default route's.
bool pick_interface(const Tree& tree, const GatherOptions& options, HostFacts& facts, std::string* error) {
  std::string name = options.interface, found_by = "named", source;
  if (name.empty() && !options.host.empty() && options.query_kernel) {
    auto route = route_to_host(options.host, options.family, error);
    if (!route) return false;
    name = route->interface;
    source = route->source_address;
    found_by = fmt::format("route to {}", route->address);
    if (name.empty()) facts.interface_problem = route->problem;
  } else if (name.empty() && options.host.empty()) {
    found_by = "default route";
    if (options.family != AddressFamily::kIpv6)
      if (auto text = tree.read("/proc/net/route")) name = default_route_interface_v4(*text).value_or("");
    if (name.empty() && options.family != AddressFamily::kIpv4)
      if (auto text = tree.read("/proc/net/ipv6_route"))
        name = default_route_interface_v6(*text).value_or("");
    if (name.empty()) facts.interface_problem = "no default route";
  } else if (name.empty()) {
    facts.interface_problem = "route lookup is off";
  }
  if (name.empty()) return true;
  facts.interface = read_interface(tree, name, options.query_kernel);
  facts.interface->found_by = found_by;
  facts.interface->source_address = source;
  return true;
}

}  // namespace

std::optional<HostFacts> gather_host_facts(const GatherOptions& options, std::string* error) {
  Tree tree(options.root);
  HostFacts facts;
  facts.target = options.host;
  facts.sysctl = read_sysctls(tree);
  const SysctlFacts& s = facts.sysctl;
  if (!s.rmem_max && !s.wmem_max && !s.tcp_rmem && !s.tcp_wmem && s.congestion_control.empty()) {
    *error = fmt::format("cannot read any net.* sysctl under {}proc/sys/net (is /proc mounted?)",
                         options.root.ends_with('/') ? options.root : options.root + "/");
    return std::nullopt;
  }
  facts.own_network_namespace =
      tree.exists("/proc/sys/net/core/somaxconn") && !tree.exists("/proc/sys/net/core/default_qdisc");
  if (!pick_interface(tree, options, facts, error)) return std::nullopt;
  facts.conntrack = read_conntrack(tree);
  facts.cpu = read_cpus(tree);
  facts.cgroup = read_cgroup(tree);
  return facts;
}

}  // namespace nperf::hostcheck
