#pragma once
// Which kernel this process runs on: both ends of a test on one kernel
// (loopback, network namespaces, containers) share its CPU, and the verdict
// then counts the whole host's CPU (stats/ceilings.hpp).
#include <string>

namespace nperf::net {

// /proc/sys/kernel/random/boot_id: random per boot, the same in every
// namespace and container of that kernel; "" when unreadable.
std::string boot_id();

}  // namespace nperf::net
