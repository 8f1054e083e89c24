#pragma once
// --bidir: both directions' verdicts side by side. The two directions share
// the hosts and the path but not the roles: each end sends one way and
// receives the other, so a limit on one host or one direction of the path
// shows as asymmetry. Pure; tests/unit/verdict_test.cpp.
#include <vector>

#include "nperf/stats/verdict.hpp"

namespace nperf {

// When `streams` hold both directions (Verdict::direction), appends to the
// test's reason each direction's verdict, its ceiling and its rate, says when
// they differ, and adds forward_/reverse_achieved_bps to its figures.
void compare_directions(const std::vector<Verdict>& streams, Verdict* test);

}  // namespace nperf
