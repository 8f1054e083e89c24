#pragma once
// CPU placement of threads (Linux sched_setaffinity) and where they really ran.
#include <sys/types.h>

#include <string>
#include <vector>

#include "nperf/stats/evidence.hpp"

namespace nperf::net {

// Pins the calling thread to one core; returns false and sets *error on failure.
bool pin_current_thread(int cpu, std::string* error);
// Pins the whole process (every existing and future thread) to one core.
bool pin_process(int cpu, std::string* error);
// Allows the calling thread to run on every core again.
void unpin_current_thread();
int current_cpu();
// The one core the calling thread may run on (a process pinned with -A N, whose
// threads inherit that), or -1 when it may run on several.
int sole_allowed_cpu();
pid_t current_tid();
// The cores this process may run on (sched_getaffinity: in a container or
// pod, its cpuset), ascending; empty when unreadable.
std::vector<int> allowed_cpus();
// A thread's user and system CPU time and last core (/proc/self/task/TID/stat).
ThreadCpuSample read_thread_cpu(pid_t tid);
// Busy and total ticks of every core (/proc/stat); empty when unreadable.
CoreTimes read_core_times();

}  // namespace nperf::net
