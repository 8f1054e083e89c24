#pragma once
// The rules of `nperf --check`: HostFacts -> findings, one line each. Pure.
// Every rule, its threshold and its advice is listed in docs/hostcheck.md;
// change both together.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "nperf/hostcheck/host_facts.hpp"

namespace nperf::hostcheck {

enum class Severity {
  kLimit,  // caps what a test can reach (a buffer, a quota, window scaling off)
  kWarn,   // likely to cost throughput or stability (drops, powersave, offloads off)
  kInfo,   // worth knowing (link speed, a non-default choice)
};
std::string_view severity_name(Severity severity);  // "limit", "warn", "info"

struct Finding {
  Severity severity = Severity::kInfo;
  std::string key;      // stable identifier, e.g. "rmem_max", "cgroup_quota"
  std::string message;  // what caps what, with numbers
  std::string advice;   // what to change; may be empty
};

// Thresholds, as in docs/hostcheck.md.
struct Rules {
  static constexpr double kReferenceRttS = 0.010;     // a buffer cap is turned into a rate at this RTT
  static constexpr int64_t kBufferWanted = 16 << 20;  // caps below 16 MiB are reported
  static constexpr int64_t kBufferAdvice = 64 << 20;  // the value suggested instead
  static constexpr int kConntrackFullPercent = 80;
  static constexpr int64_t kStandardMtu = 1500;
};

// Findings in a fixed order: TCP buffers and options, qdisc, conntrack,
// interface, CPUs, cgroup.
std::vector<Finding> evaluate(const HostFacts& facts);

// "208 KiB", "4 MiB", "1.5 GiB" (binary units, as the kernel counts buffers).
std::string format_size(int64_t bytes);
// "~170 Mbit/s", "~3.4 Gbit/s" (decimal units, as link speeds are quoted).
std::string format_bitrate(double bits_per_second);

}  // namespace nperf::hostcheck
