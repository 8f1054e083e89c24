#include "nperf/auth/source_limits.hpp"

#include <algorithm>

namespace nperf::auth {
namespace {

// Drops the entry with the smallest key(entry) when the table is full.
template <class Map, class Key>
void make_room(Map& map, size_t max, Key key) {
  if (map.size() < max || map.empty()) return;
  auto oldest = std::min_element(map.begin(), map.end(),
                                 [&](const auto& a, const auto& b) { return key(a.second) < key(b.second); });
  map.erase(oldest);
}

}  // namespace

bool FailureLimiter::blocked(const std::string& source, double now) const {
  auto it = sources_.find(source);
  if (it == sources_.end()) return false;
  return now - it->second.window_start < window_s_ && it->second.failures >= max_failures_;
}

void FailureLimiter::record_failure(const std::string& source, double now) {
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    make_room(sources_, max_sources_, [](const Entry& e) { return e.window_start; });
    it = sources_.emplace(source, Entry{now, 0}).first;
  }
  if (now - it->second.window_start >= window_s_) it->second = Entry{now, 0};
  ++it->second.failures;
}

std::optional<long> RefusalLog::refused(const std::string& source, double now) {
  ++total_;
  auto it = sources_.find(source);
  if (it == sources_.end()) {
    make_room(sources_, max_sources_, [](const Entry& e) { return e.last_logged; });
    sources_.emplace(source, Entry{now, 0});
    return 1;
  }
  ++it->second.unlogged;
  if (now - it->second.last_logged < interval_s_) return std::nullopt;
  long count = it->second.unlogged;
  it->second = Entry{now, 0};
  return count;
}

}  // namespace nperf::auth
