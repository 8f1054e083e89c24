#pragma once
// Process CPU utilisation over a test, as iperf3 reports it (percent of one
// core; above 100 with several busy threads).
#include "nperf/stats/report_model.hpp"

namespace nperf {

class CpuUsage {
 public:
  void start();
  // Fills the host_* fields for the time since start().
  void finish(CpuUtilization* out) const;

 private:
  double wall_ = 0, user_ = 0, system_ = 0;
};

}  // namespace nperf
