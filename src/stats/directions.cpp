#include "nperf/stats/directions.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nperf {

namespace {

double achieved_of(const Verdict& v) {
  for (const Figure& f : v.figures)
    if (f.name == "achieved_bps") return f.value;
  return 0;
}

std::string rate(double bps) {
  if (bps >= 1e9) return fmt::format("{:.2f} Gbit/s", bps / 1e9);
  return fmt::format("{:.1f} Mbit/s", bps / 1e6);
}

// The verdict sentence's first clause: the ceiling and its figure.
std::string first_clause(const std::string& reason) {
  return reason.substr(0, reason.find("; "));
}

}  // namespace

void compare_directions(const std::vector<Verdict>& streams, Verdict* test) {
  std::vector<Verdict> way[2];  // [0] client to server, [1] server to client
  double total[2] = {0, 0};
  for (const Verdict& v : streams) {
    if (v.direction == 0) continue;
    const int i = v.direction > 0 ? 0 : 1;
    way[i].push_back(v);
    total[i] += achieved_of(v);
  }
  if (way[0].empty() || way[1].empty()) return;
  const Verdict forward = diagnose_test(way[0]);
  const Verdict reverse = diagnose_test(way[1]);
  // A factor of 1.5 between the directions is past what two runs of the
  // same direction differ by on a quiet host.
  const double hi = std::max(total[0], total[1]), lo = std::min(total[0], total[1]);
  const bool differ = forward.cause != reverse.cause || (lo > 0 && hi / lo >= 1.5) || (lo <= 0 && hi > 0);
  test->reason += fmt::format("; {}: client to server {} at {} ({}), server to client {} at {} ({})",
                              differ ? "the directions differ" : "both directions alike",
                              bottleneck_name(forward.cause), rate(total[0]), first_clause(forward.reason),
                              bottleneck_name(reverse.cause), rate(total[1]), first_clause(reverse.reason));
  test->figures.push_back({"forward_achieved_bps", total[0]});
  test->figures.push_back({"reverse_achieved_bps", total[1]});
}

}  // namespace nperf
