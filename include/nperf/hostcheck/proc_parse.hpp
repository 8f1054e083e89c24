#pragma once
// Text of /proc, /sys and cgroup files -> values, for `nperf --check`. Pure:
// every function takes the file's contents, so the tests feed them strings and
// host_facts_linux.cpp only opens files. Malformed text gives std::nullopt (or
// an empty result), never an exception: these files differ between kernels.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::hostcheck {

// tcp_rmem / tcp_wmem: "min default max" in bytes.
struct Triple {
  int64_t min = 0, def = 0, max = 0;
  bool operator==(const Triple&) const = default;
};

// One decimal integer, surrounding whitespace allowed ("4194304\n").
std::optional<int64_t> parse_int(std::string_view text);
// Exactly three integers separated by blanks or tabs.
std::optional<Triple> parse_triple(std::string_view text);
// Words separated by any whitespace ("reno bbr cubic\n").
std::vector<std::string> split_words(std::string_view text);

// /proc/net/stat/nf_conntrack: a header line naming the columns, then one line
// per CPU of hexadecimal counters. Returns column name -> sum over CPUs;
// std::nullopt when there is no header or a row does not fit it.
std::optional<std::map<std::string, uint64_t>> parse_conntrack_stat(std::string_view text);

// cgroup v2 cpu.max: "max 100000" (no quota) or "200000 100000" (quota and
// period in microseconds). v1 gives the same two numbers in two files, quota
// -1 meaning none; cpu_max_from_v1() builds the same value from them.
struct CpuMax {
  std::optional<int64_t> quota_us;  // nullopt: no quota ("max")
  int64_t period_us = 100000;
  // CPUs' worth of time per period, or nullopt without a quota.
  std::optional<double> cpus() const;
};
std::optional<CpuMax> parse_cpu_max(std::string_view text);
std::optional<CpuMax> cpu_max_from_v1(std::string_view cfs_quota_us, std::string_view cfs_period_us);

// "key value" lines (cgroup cpu.stat). Lines that do not fit are skipped.
std::map<std::string, uint64_t> parse_key_values(std::string_view text);

// /proc/self/cgroup. v2: the "0::PATH" line. v1: the line whose controller
// list contains "cpu" ("4:cpu,cpuacct:/kubepods/..."), with that list kept
// because it names the v1 mount directory.
struct CgroupMembership {
  std::optional<std::string> v2_path;
  std::optional<std::string> v1_cpu_path;
  std::string v1_cpu_controllers;  // e.g. "cpu,cpuacct"
};
CgroupMembership parse_proc_self_cgroup(std::string_view text);

// CPU lists as the kernel writes them: "0-3,8,10-11". Sorted and unique on return.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);
std::string format_cpu_list(const std::vector<int>& cpus);

// Interface of the default route with the lowest metric, or nullopt. IPv4 from
// /proc/net/route (hex, host byte order), IPv6 from /proc/net/ipv6_route
// (reject routes such as the "unreachable" defaults of the local table skipped).
std::optional<std::string> default_route_interface_v4(std::string_view proc_net_route);
std::optional<std::string> default_route_interface_v6(std::string_view proc_net_ipv6_route);

// Numbers of the IRQs in /proc/interrupts whose description names `name` as a
// whole token ("eth0-TxRx-3", "virtio2-input.0", "mlx5_comp0@pci:0000:3b:00.0"),
// so "eth1" does not match "eth10" nor "veth1".
std::vector<int> irqs_naming(std::string_view proc_interrupts, std::string_view name);

}  // namespace nperf::hostcheck
