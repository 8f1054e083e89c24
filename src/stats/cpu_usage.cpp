#include "nperf/stats/cpu_usage.hpp"

#include "nperf/config/clock.hpp"

#include <sys/resource.h>
#include <time.h>

namespace nperf {
namespace {

double to_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

}  // namespace

void CpuUsage::start() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  wall_ = monotonic_now();
  user_ = to_seconds(ru.ru_utime);
  system_ = to_seconds(ru.ru_stime);
}

void CpuUsage::finish(CpuUtilization* out) const {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  double wall = monotonic_now() - wall_;
  if (wall <= 0) return;
  out->host_user = 100.0 * (to_seconds(ru.ru_utime) - user_) / wall;
  out->host_system = 100.0 * (to_seconds(ru.ru_stime) - system_) / wall;
  out->host_total = out->host_user + out->host_system;
}

}  // namespace nperf
