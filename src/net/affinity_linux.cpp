#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

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

bool pin_current_thread(int cpu, std::string* error) { return set_affinity(0, cpu, error); }

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

int current_cpu() { return ::sched_getcpu(); }

pid_t current_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

int last_cpu_of_thread(pid_t tid) {
  std::ifstream in(fmt::format("/proc/self/task/{}/stat", tid));
  std::string line;
  if (!std::getline(in, line)) return -1;
  // Field 2 (comm) may contain spaces; count fields after its closing ')'.
  size_t close = line.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  // After comm, the state is field 3; "processor" is field 39.
  for (int i = 3; i <= 39 && rest >> field; ++i)
    if (i == 39) return std::stoi(field);
  return -1;
}

}  // namespace nperf::net
