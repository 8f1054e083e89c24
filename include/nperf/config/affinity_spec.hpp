#pragma once
// The -A option. iperf3's forms keep iperf3's meaning:
//   -A n        pin this process (every stream thread) to core n
//   -A n,m      ... and ask the server to pin its test to core m
// nperf adds a per-stream form on either side of the comma: a list of cores
// separated by ':' and/or ranges 'a-b', e.g. "-A 0-3" or "-A 0:2:4:6,1:3:5:7".
// Stream i then runs on the i-th listed core (wrapping around).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nperf {

struct CpuPlacement {
  enum class Kind { kNone, kWholeProcess, kPerStream };
  Kind kind = Kind::kNone;
  std::vector<int> cpus;  // one entry for kWholeProcess

  bool empty() const { return kind == Kind::kNone; }
  // Core for stream index i (0-based) or -1 when this placement does not pin streams.
  int cpu_for_stream(int i) const {
    return kind == Kind::kPerStream && !cpus.empty() ? cpus[static_cast<size_t>(i) % cpus.size()] : -1;
  }
};

struct AffinitySpec {
  CpuPlacement local;
  CpuPlacement remote;  // client only: what the server should do
};

// Parses the -A argument; on failure returns nullopt and sets *error.
std::optional<AffinitySpec> parse_affinity(std::string_view text, std::string* error);
// Parses one side ("3", "0-3", "0:2:5-7").
std::optional<CpuPlacement> parse_cpu_placement(std::string_view text, std::string* error);
// "0:1:2" form used on the wire in nperf's extension key.
std::string format_cpu_list(const std::vector<int>& cpus);
// "0-3,6" (as /sys and cpuset files write a CPU set) of sorted, distinct cores.
std::string format_cpu_ranges(const std::vector<int>& cpus);
// Empty when every core of `placement` is in `allowed` (the process's own
// affinity: in a container or pod, its cpuset); otherwise the message that
// names the cores it may use. `allowed` empty means unknown: nothing is refused.
std::string cpus_not_allowed(const CpuPlacement& placement, const std::vector<int>& allowed);

}  // namespace nperf
