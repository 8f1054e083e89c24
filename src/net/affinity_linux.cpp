#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include <fmt/format.h>

#include "nperf/net/affinity.hpp"

namespace nperf::net {
namespace {

bool set_affinity(pid_t pid, int cpu, std::string* error) {
  if (cpu < 0 || cpu >= CPU_SETSIZE) {
    *error = fmt::format("CPU {} is out of range", cpu);
    return false;
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (::sched_setaffinity(pid, sizeof set, &set) != 0) {
    *error = fmt::format("cannot pin to CPU {}: {}", cpu, std::strerror(errno));
    return false;
  }
  return true;
}

}  // namespace

bool pin_current_thread(int cpu, std::string* error) {
  return set_affinity(0, cpu, error);
}

bool pin_process(int cpu, std::string* error) {
  // sched_setaffinity(0) affects only the calling thread; new threads inherit it.
  // Called before any stream thread exists, that pins the whole process.
  return set_affinity(0, cpu, error);
}

void unpin_current_thread() {
  cpu_set_t set;
  CPU_ZERO(&set);
  long n = ::sysconf(_SC_NPROCESSORS_CONF);
  for (long i = 0; i < n && i < CPU_SETSIZE; ++i) CPU_SET(i, &set);
  ::sched_setaffinity(0, sizeof set, &set);
}

int current_cpu() {
  return ::sched_getcpu();
}

int sole_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) != 1) return -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) return cpu;
  return -1;
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  return cpus;
}

pid_t current_tid() {
  return static_cast<pid_t>(::syscall(SYS_gettid));
}

namespace {

// The fields of /proc/self/task/TID/stat after "comm" (field 2, which may
// hold spaces and parentheses): element 0 is field 3.
std::vector<std::string> thread_stat_fields(pid_t tid) {
  std::ifstream in(fmt::format("/proc/self/task/{}/stat", tid));
  std::string line;
  if (!std::getline(in, line)) return {};
  size_t close = line.rfind(')');
  if (close == std::string::npos || close + 2 > line.size()) return {};
  std::istringstream rest(line.substr(close + 2));
  std::vector<std::string> fields;
  for (std::string f; rest >> f;) fields.push_back(f);
  return fields;
}

constexpr size_t kField(int n) {
  return static_cast<size_t>(n - 3);
}

}  // namespace

ThreadCpuSample read_thread_cpu(pid_t tid) {
  ThreadCpuSample s;
  std::vector<std::string> f = thread_stat_fields(tid);
  if (f.size() <= kField(39)) return s;
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  s.user_s = static_cast<double>(std::strtoull(f[kField(14)].c_str(), nullptr, 10)) / ticks;
  s.system_s = static_cast<double>(std::strtoull(f[kField(15)].c_str(), nullptr, 10)) / ticks;
  s.cpu = std::atoi(f[kField(39)].c_str());
  s.valid = true;
  // "run_ns wait_ns timeslices": wait is time runnable on a run queue.
  std::ifstream sched(fmt::format("/proc/self/task/{}/schedstat", tid));
  uint64_t run_ns = 0, wait_ns = 0;
  if (sched >> run_ns >> wait_ns) s.wait_s = static_cast<double>(wait_ns) * 1e-9;
  return s;
}

CoreTimes read_core_times() {
  std::ifstream in("/proc/stat");
  CoreTimes cores;
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  const bool known = ::sched_getaffinity(0, sizeof(allowed), &allowed) == 0;
  std::string line;
  while (std::getline(in, line)) {
    // "cpuN user nice system idle iowait irq softirq steal ..."; the first
    // line ("cpu ") is the total and is skipped.
    if (line.size() < 4 || line.compare(0, 3, "cpu") != 0 || line[3] == ' ') continue;
    std::istringstream fields(line.substr(3));
    size_t index = 0;
    fields >> index;
    uint64_t v[8] = {};
    for (uint64_t& x : v) fields >> x;
    CoreTime t;
    for (int i = 0; i < 8; ++i) t.total += v[i];
    t.busy = t.total - v[3] - v[4];  // idle and iowait are not busy
    t.allowed = !known || index >= CPU_SETSIZE || CPU_ISSET(index, &allowed);
    if (index >= cores.size()) cores.resize(index + 1);
    cores[index] = t;
  }
  return cores;
}

}  // namespace nperf::net
