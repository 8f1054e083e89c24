#pragma once
// Runs programs for end-to-end tests: every wait is bounded, every child is
// killed and reaped, output goes to files the test reads afterwards.
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace nperf::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  bool timed_out = false;
  std::string out, err;
};

class Process {
 public:
  explicit Process(std::vector<std::string> argv);
  ~Process();  // kills and reaps a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  // Waits up to `timeout`; kills the child (SIGKILL) when it is still running then.
  ProcessResult wait(std::chrono::milliseconds timeout);
  void signal(int sig);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  std::optional<ProcessResult> result_;
};

ProcessResult run_process(std::vector<std::string> argv, std::chrono::milliseconds timeout);
// A TCP port that was free a moment ago on loopback.
int free_port();
// Waits until something listens on TCP `port` (reads /proc/net/tcp{,6}; never connects).
bool wait_for_listener(int port, std::chrono::milliseconds timeout);
// Full path of a program on PATH, or "".
std::string find_program(const std::string& name);
// True when running under CI (CI=true): tests that need iperf3 must not skip there.
bool running_in_ci();

}  // namespace nperf::test
