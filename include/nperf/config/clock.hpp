#pragma once
// The one clock every timer and rate in nperf reads: CLOCK_MONOTONIC in
// seconds (never jumps with the wall clock, so rates and deadlines stay sane).
#include <time.h>

namespace nperf {

inline double monotonic_now() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace nperf
