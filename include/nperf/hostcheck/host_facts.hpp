#pragma once
// What `nperf --check` learns about this host: the settings that bound
// throughput. Plain data, gathered by gather_host_facts(), judged by
// findings.hpp and printed by host_report.hpp (docs/hostcheck.md).
// A value that could not be read is std::nullopt or empty, never a guess.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nperf/config/config.hpp"
#include "nperf/hostcheck/proc_parse.hpp"

namespace nperf::hostcheck {

struct SysctlFacts {
  std::optional<int64_t> rmem_max, wmem_max, rmem_default, wmem_default;  // net.core.*, bytes
  std::optional<Triple> tcp_rmem, tcp_wmem;                               // net.ipv4.*, bytes
  std::vector<std::string> available_congestion_control;                  // empty: unreadable
  std::string congestion_control;                                         // "": unreadable
  std::string default_qdisc;                                              // "": unreadable
  std::optional<int64_t> tcp_mtu_probing, tcp_window_scaling, tcp_timestamps, tcp_sack;
};

struct ConntrackFacts {
  bool loaded = false;  // /proc/sys/net/netfilter/nf_conntrack_max exists
  std::optional<int64_t> count, max;
  // Summed over CPUs from /proc/net/stat/nf_conntrack; nullopt when that file
  // or the column is missing (the column set changed across kernels).
  std::optional<uint64_t> drop, insert_failed, early_drop;
};

// NIC offloads from the legacy ethtool ioctls; nullopt when the ioctl failed.
struct Offloads {
  std::optional<bool> tso, gso, gro, rx_checksum, tx_checksum;
};

struct InterfaceFacts {
  std::string name;
  std::string found_by;               // "route to 10.0.0.3" or "default route"
  std::string source_address;         // our address on the route; "" when not looked up
  std::optional<int64_t> speed_mbps;  // nullopt: unknown (down, virtual, -1)
  std::optional<int64_t> mtu;
  std::string driver;                // "virtual" without a device; "" unknown
  std::optional<int64_t> numa_node;  // nullopt: none (-1) or unreadable
  Offloads offloads;
  std::vector<int> irqs;      // IRQs of its device (msi_irqs and /proc/interrupts)
  std::vector<int> irq_cpus;  // union of their affinity lists
};

struct CpuFacts {
  std::vector<int> online;  // /sys/devices/system/cpu/online
  // cpufreq governor -> CPUs using it; empty when no CPU exposes one.
  std::map<std::string, std::vector<int>> governors;
};

struct CgroupFacts {
  int version = 0;                   // 1 or 2; 0 when no cpu controller was found
  std::string path;                  // the cgroup whose quota applies (or our own)
  std::string cpu_max;               // "200000 100000" / "max 100000"; v1 spelled the same way
  std::optional<double> quota_cpus;  // nullopt: no quota anywhere up the tree
  std::optional<uint64_t> nr_throttled, throttled_usec;
};

struct HostFacts {
  std::string target;  // HOST as given; "" for the default route
  // This process is in a network namespace of its own (a container's or a
  // pod's): net.core.default_qdisc exists only in the host's, so its absence
  // beside net.core.somaxconn tells. Host-only facts are then not visible.
  bool own_network_namespace = false;
  SysctlFacts sysctl;
  ConntrackFacts conntrack;
  std::optional<InterfaceFacts> interface;  // nullopt: no route / no default route
  std::string interface_problem;            // why interface is nullopt
  CpuFacts cpu;
  CgroupFacts cgroup;
};

struct GatherOptions {
  std::string root = "/";                      // prefix of every file read; tests point it at a fake tree
  std::string host;                            // interface of the route to this host; "" = the default route
  AddressFamily family = AddressFamily::kAny;  // -4 / -6 when resolving host
  std::string interface;                       // names the interface outright (tests); skips the route lookup
  // Route lookup through a UDP socket, getifaddrs and ethtool ioctls ask the
  // running kernel, whatever `root` says; tests with a fake tree turn them off.
  bool query_kernel = true;
};

// Reads everything it can; what it cannot read stays empty. Returns nullopt and
// sets *error only when the check cannot run at all: HOST does not resolve, or
// no net.* sysctl is readable under root (no /proc).
std::optional<HostFacts> gather_host_facts(const GatherOptions& options, std::string* error);

}  // namespace nperf::hostcheck
