#include "nperf/hostcheck/proc_parse.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>

namespace nperf::hostcheck {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

template <typename T>
std::optional<T> number(std::string_view text, int base = 10) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

bool names_token(std::string_view haystack, std::string_view name) {
  for (size_t at = haystack.find(name); at != std::string_view::npos; at = haystack.find(name, at + 1)) {
    bool starts = at == 0 || !is_name_char(haystack[at - 1]);
    size_t after = at + name.size();
    bool ends = after == haystack.size() || !is_name_char(haystack[after]);
    if (starts && ends) return true;
  }
  return false;
}

}  // namespace

std::optional<int64_t> parse_int(std::string_view text) {
  return number<int64_t>(trim(text));
}

std::optional<Triple> parse_triple(std::string_view text) {
  auto words = words_of(text);
  if (words.size() != 3) return std::nullopt;
  auto a = number<int64_t>(words[0]), b = number<int64_t>(words[1]), c = number<int64_t>(words[2]);
  if (!a || !b || !c) return std::nullopt;
  return Triple{*a, *b, *c};
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  for (auto w : words_of(text)) out.emplace_back(w);
  return out;
}

std::optional<std::map<std::string, uint64_t>> parse_conntrack_stat(std::string_view text) {
  auto lines = lines_of(text);
  if (lines.empty()) return std::nullopt;
  auto header = words_of(lines[0]);
  if (header.empty() || number<uint64_t>(header[0], 16))
    return std::nullopt;  // a header names, it does not count
  std::map<std::string, uint64_t> sums;
  for (auto name : header) sums[std::string(name)] = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto cells = words_of(lines[i]);
    if (cells.empty()) continue;
    if (cells.size() != header.size()) return std::nullopt;
    for (size_t col = 0; col < cells.size(); ++col) {
      auto value = number<uint64_t>(cells[col], 16);
      if (!value) return std::nullopt;
      sums[std::string(header[col])] += *value;
    }
  }
  return sums;
}

std::optional<double> CpuMax::cpus() const {
  if (!quota_us || period_us <= 0) return std::nullopt;
  return static_cast<double>(*quota_us) / static_cast<double>(period_us);
}

std::optional<CpuMax> parse_cpu_max(std::string_view text) {
  auto words = words_of(text);
  if (words.empty() || words.size() > 2) return std::nullopt;
  CpuMax out;
  if (words.size() == 2) {
    auto period = number<int64_t>(words[1]);
    if (!period || *period <= 0) return std::nullopt;
    out.period_us = *period;
  }
  if (words[0] == "max") return out;
  auto quota = number<int64_t>(words[0]);
  if (!quota || *quota <= 0) return std::nullopt;
  out.quota_us = *quota;
  return out;
}

std::optional<CpuMax> cpu_max_from_v1(std::string_view cfs_quota_us, std::string_view cfs_period_us) {
  auto quota = parse_int(cfs_quota_us);
  auto period = parse_int(cfs_period_us);
  if (!quota || !period || *period <= 0) return std::nullopt;
  CpuMax out;
  out.period_us = *period;
  if (*quota > 0) out.quota_us = *quota;  // v1 writes -1 for "no quota"
  return out;
}

std::map<std::string, uint64_t> parse_key_values(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (auto line : lines_of(text)) {
    auto words = words_of(line);
    if (words.size() != 2) continue;
    if (auto value = number<uint64_t>(words[1])) out[std::string(words[0])] = *value;
  }
  return out;
}

CgroupMembership parse_proc_self_cgroup(std::string_view text) {
  CgroupMembership out;
  for (auto line : lines_of(text)) {
    // "hierarchy-id:controller-list:path"; the path may itself contain ':'.
    size_t first = line.find(':');
    if (first == std::string_view::npos) continue;
    size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    std::string_view id = line.substr(0, first);
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string path(trim(line.substr(second + 1)));
    if (id == "0" && controllers.empty()) {
      out.v2_path = path;
      continue;
    }
    std::string_view rest = controllers;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      if (rest.substr(0, comma) == "cpu") {
        out.v1_cpu_path = path;
        out.v1_cpu_controllers = std::string(controllers);
        break;
      }
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return out;
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  text = trim(text);
  if (text.empty()) return cpus;  // an empty list is a valid answer (e.g. "offline" with none)
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    size_t dash = item.find('-');
    auto first = number<int>(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : number<int>(item.substr(dash + 1));
    if (!first || !last || *first < 0 || *last < *first || *last - *first > 65536) return std::nullopt;
    for (int cpu = *first; cpu <= *last; ++cpu) cpus.push_back(cpu);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& input) {
  std::vector<int> cpus = input;
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::optional<std::string> default_route_interface_v4(std::string_view proc_net_route) {
  constexpr unsigned kRtfUp = 0x1;
  std::optional<std::string> best;
  int64_t best_metric = INT64_MAX;
  auto lines = lines_of(proc_net_route);
  for (size_t i = 1; i < lines.size(); ++i) {  // line 0 is the header
    auto f = words_of(lines[i]);
    // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
    if (f.size() < 8) continue;
    auto dest = number<uint32_t>(f[1], 16), flags = number<uint32_t>(f[3], 16),
         mask = number<uint32_t>(f[7], 16);
    auto metric = number<int64_t>(f[6]);
    if (!dest || !flags || !mask || !metric || *dest != 0 || *mask != 0 || !(*flags & kRtfUp)) continue;
    if (*metric < best_metric) {
      best_metric = *metric;
      best = std::string(f[0]);
    }
  }
  return best;
}

std::optional<std::string> default_route_interface_v6(std::string_view proc_net_ipv6_route) {
  constexpr unsigned kRtfUp = 0x1, kRtfReject = 0x200;
  std::optional<std::string> best;
  int64_t best_metric = INT64_MAX;
  for (auto line : lines_of(proc_net_ipv6_route)) {
    auto f = words_of(line);
    // dest plen src srcplen nexthop metric refcnt use flags iface (no header)
    if (f.size() < 10) continue;
    auto plen = number<uint32_t>(f[1], 16), metric = number<uint32_t>(f[5], 16),
         flags = number<uint32_t>(f[8], 16);
    if (!plen || !metric || !flags || *plen != 0 || f[0].find_first_not_of('0') != std::string_view::npos)
      continue;
    if (!(*flags & kRtfUp) || (*flags & kRtfReject) || f[9] == "lo") continue;
    if (static_cast<int64_t>(*metric) < best_metric) {
      best_metric = *metric;
      best = std::string(f[9]);
    }
  }
  return best;
}

std::vector<int> irqs_naming(std::string_view proc_interrupts, std::string_view name) {
  std::vector<int> irqs;
  if (name.empty()) return irqs;
  for (auto line : lines_of(proc_interrupts)) {
    std::string_view rest = trim(line);
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) continue;
    auto irq = number<int>(rest.substr(0, colon));  // skips NMI, LOC, ... which have no /proc/irq/N
    if (!irq) continue;
    if (names_token(rest.substr(colon + 1), name)) irqs.push_back(*irq);
  }
  return irqs;
}

}  // namespace nperf::hostcheck
