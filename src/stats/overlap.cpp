#include "nperf/stats/overlap.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nperf/stats/report_model.hpp"

namespace nperf {

namespace {

uint64_t bytes_of(const std::map<int, uint64_t>& bytes, int id) {
  auto it = bytes.find(id);
  return it == bytes.end() ? 0 : it->second;
}

bool share_a_core(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.empty() || b.empty()) return true;  // not placed: the scheduler decides
  return std::any_of(a.begin(), a.end(), [&b](int core) { return std::count(b.begin(), b.end(), core) > 0; });
}

}  // namespace

void attach_overlap(EndReport* report, const TestOverlap& overlap) {
  report->overlap = overlap;
  if (!report->verdict || !overlap.cores_shared) return;
  report->verdict->reason +=
      fmt::format("; the server's cores were shared with {} other test{} running beside this one",
                  overlap.other_tests, overlap.other_tests == 1 ? "" : "s");
}

void OverlapLedger::begin(int id, uint16_t port, double now, std::vector<int> cores,
                          const std::map<int, uint64_t>& bytes_now) {
  Open mine;
  mine.port = port;
  mine.start = now;
  mine.cores = std::move(cores);
  for (auto& [other, open] : open_) {
    mine.others_at_start[other] = bytes_of(bytes_now, other);
    open.others_at_start[id] = bytes_of(bytes_now, id);
    if (share_a_core(mine.cores, open.cores)) {
      mine.cores_shared = true;
      open.cores_shared = true;
    }
  }
  open_[id] = std::move(mine);
}

TestOverlap OverlapLedger::end(int id, double now, const std::map<int, uint64_t>& bytes_now) {
  TestOverlap out;
  out.test_id = id;
  auto it = open_.find(id);
  if (it == open_.end()) return out;
  Open mine = std::move(it->second);
  open_.erase(it);
  uint64_t moved = 0;
  for (const auto& [other, at_start] : mine.others_at_start) {
    auto ended = mine.others_at_end.find(other);
    uint64_t at_end =
        ended != mine.others_at_end.end() ? ended->second : std::max(at_start, bytes_of(bytes_now, other));
    moved += at_end > at_start ? at_end - at_start : 0;
  }
  for (auto& [other, open] : open_)
    if (open.others_at_start.count(id)) open.others_at_end[id] = bytes_of(bytes_now, id);
  out.port = mine.port;
  out.other_tests = static_cast<int>(mine.others_at_start.size());
  const double seconds = now - mine.start;
  out.other_bits_per_second = seconds > 0 ? static_cast<double>(moved) * 8 / seconds : 0;
  out.cores_shared = out.other_tests > 0 && mine.cores_shared;
  out.cores = std::move(mine.cores);
  return out;
}

}  // namespace nperf
