#include "nperf/session/server_load.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nperf::session {

std::vector<int> least_used_cores(const std::vector<int>& allowed, std::map<int, int> in_use, int streams) {
  std::vector<int> placed;
  if (allowed.empty()) return placed;
  for (int i = 0; i < streams; ++i) {
    // min_element keeps the first of equals: the earlier core wins a tie.
    int core = *std::min_element(allowed.begin(), allowed.end(),
                                 [&in_use](int a, int b) { return in_use[a] < in_use[b]; });
    ++in_use[core];
    placed.push_back(core);
  }
  return placed;
}

SlotDecision ServerLoad::claim(int id, const TestClaim& claim) {
  SlotDecision d;
  if (running_on(claim.port) >= limits_.max_tests_per_port) {
    d.outcome = SlotDecision::Outcome::kBusy;
    d.message = fmt::format("port {} is running {} test(s), --max-tests {}", claim.port,
                            running_on(claim.port), limits_.max_tests_per_port);
    return d;
  }
  if (streams_held() + claim.streams > limits_.max_streams) {
    d.outcome = SlotDecision::Outcome::kBusy;
    d.message = fmt::format("{} streams are running and {} more would pass the server's {}", streams_held(),
                            claim.streams, limits_.max_streams);
    return d;
  }
  Held held{claim.port, claim.streams, 0, {}};
  if (limits_.bitrate_limit) {
    uint64_t committed = 0;
    for (const auto& [other, h] : held_) committed += h.committed_bps;
    const uint64_t room = limits_.bitrate_limit > committed ? limits_.bitrate_limit - committed : 0;
    // An unlimited test takes an equal part of the room left for the slots
    // not yet taken, so later tests find room too; alone, it gets it all.
    const int slots = limits_.max_tests_per_port * limits_.ports;
    const uint64_t free_slots = static_cast<uint64_t>(std::max(1, slots - running()));
    const uint64_t wanted = claim.asked_bps ? claim.asked_bps : room / free_slots;
    if (wanted > room || wanted < static_cast<uint64_t>(claim.streams)) {
      d.outcome = SlotDecision::Outcome::kRefused;
      d.code = protocol::kIeTotalRate;
      d.message = fmt::format(
          "refused a test: --server-bitrate-limit {} bit/s has {} bit/s left beside {} running test(s)",
          limits_.bitrate_limit, room, running());
      return d;
    }
    d.stream_rate_cap = wanted / static_cast<uint64_t>(claim.streams);
    held.committed_bps = d.stream_rate_cap * static_cast<uint64_t>(claim.streams);
  }
  held_[id] = held;
  return d;
}

std::vector<int> ServerLoad::place_streams(int id, const std::vector<int>& allowed, int streams) {
  auto it = held_.find(id);
  if (it == held_.end()) return {};
  it->second.cores.clear();  // a test is placed once; placing again replaces
  std::vector<int> cores = least_used_cores(allowed, streams_per_core(), streams);
  it->second.cores = cores;
  return cores;
}

void ServerLoad::release(int id) {
  held_.erase(id);
}

int ServerLoad::running_on(uint16_t port) const {
  return static_cast<int>(
      std::count_if(held_.begin(), held_.end(), [port](const auto& h) { return h.second.port == port; }));
}

int ServerLoad::streams_held() const {
  int n = 0;
  for (const auto& [id, h] : held_) n += h.streams;
  return n;
}

std::map<int, int> ServerLoad::streams_per_core() const {
  std::map<int, int> use;
  for (const auto& [id, h] : held_)
    for (int core : h.cores) ++use[core];
  return use;
}

}  // namespace nperf::session
