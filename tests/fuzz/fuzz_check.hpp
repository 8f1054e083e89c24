#pragma once
// Shared helper for the libFuzzer targets: a property check that reports what
// failed and then traps, so libFuzzer records the input as a crash.
#include <cmath>
#include <cstdio>
#include <cstdlib>

#define NPERF_FUZZ_CHECK(cond)                                                                  \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      std::fprintf(stderr, "NPERF_FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
      std::fflush(stderr);                                                                      \
      __builtin_trap();                                                                         \
    }                                                                                           \
  } while (0)

namespace nperf_fuzz {

// Doubles that came out of JSON: equal, or both NaN (JSON cannot carry NaN, but be safe).
inline bool same_double(double a, double b) {
  return a == b || (std::isnan(a) && std::isnan(b));
}

// NPERF_FUZZ_SKIP_KNOWN=1 (scripts/fuzz.sh: FUZZ_SKIP_KNOWN=1): step around
// findings already reported, so that a run can look for new ones.
inline bool skip_known() {
  static const bool skip = [] {
    const char* v = std::getenv("NPERF_FUZZ_SKIP_KNOWN");
    return v && *v && *v != '0';
  }();
  return skip;
}

}  // namespace nperf_fuzz
