#include "nperf/config/affinity_spec.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "nperf/config/validate.hpp"

namespace nperf {
namespace {

std::optional<int> parse_cpu(std::string_view text) {
  int value = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > Limits::kMaxCpu)
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<CpuPlacement> parse_cpu_placement(std::string_view text, std::string* error) {
  CpuPlacement placement;
  bool list_form = text.find_first_of(":-") != std::string_view::npos;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t next = text.find(':', pos);
    std::string_view item = text.substr(pos, next == std::string_view::npos ? text.npos : next - pos);
    size_t dash = item.find('-');
    auto first = parse_cpu(item.substr(0, dash));
    auto last = dash == item.npos ? first : parse_cpu(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last - *first > Limits::kMaxCpu) {
      *error = fmt::format("bad CPU list '{}': expected a core number, 'a-b' ranges or ':' lists", text);
      return std::nullopt;
    }
    for (int cpu = *first; cpu <= *last; ++cpu) placement.cpus.push_back(cpu);
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  placement.kind = list_form ? CpuPlacement::Kind::kPerStream : CpuPlacement::Kind::kWholeProcess;
  return placement;
}

std::optional<AffinitySpec> parse_affinity(std::string_view text, std::string* error) {
  AffinitySpec spec;
  size_t comma = text.find(',');
  auto local = parse_cpu_placement(text.substr(0, comma), error);
  if (!local) return std::nullopt;
  spec.local = *local;
  if (comma != std::string_view::npos) {
    auto remote = parse_cpu_placement(text.substr(comma + 1), error);
    if (!remote) return std::nullopt;
    spec.remote = *remote;
  }
  return spec;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  return fmt::format("{}", fmt::join(cpus, ":"));
}

std::string format_cpu_ranges(const std::vector<int>& cpus) {
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string cpus_not_allowed(const CpuPlacement& placement, const std::vector<int>& allowed) {
  if (allowed.empty()) return "";
  std::vector<int> outside;
  for (int cpu : placement.cpus)
    if (std::find(allowed.begin(), allowed.end(), cpu) == allowed.end() &&
        std::find(outside.begin(), outside.end(), cpu) == outside.end())
      outside.push_back(cpu);
  if (outside.empty()) return "";
  return fmt::format(
      "cannot pin to CPU {}: not in this process's allowed CPUs {} (a container's or pod's cpuset, or "
      "taskset, limits them); choose -A among {}",
      format_cpu_ranges(outside), format_cpu_ranges(allowed), format_cpu_ranges(allowed));
}

}  // namespace nperf
