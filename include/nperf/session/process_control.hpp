#pragma once
// The process around a session: -D (detach), -I (pid file), and when the
// termination signals may arrive.
#include <memory>
#include <string>

namespace nperf::session {

// Forks; the parent exits 0 at once, the child leaves the session, changes to
// / and points stdin/stdout/stderr at /dev/null (daemon(3), as iperf3).
// Must run before any thread starts. Returns why it failed ("" when it did not).
std::string daemonize();

// SIGINT, SIGTERM and SIGHUP end a test cleanly once a session's asio
// signal_set exists. main() holds them (blocks them) before it writes a pid
// file, each session releases them right after creating its signal_set and
// holds them again before the signal_set goes: one that arrives outside the
// handler's lifetime waits (and is moot: the process is ending) instead of
// killing it with the pid file left behind.
void hold_termination_signals();
void release_termination_signals();

// The pid file of a running server: written at create(), removed when the
// object goes if it still names this process. A file naming a live process
// refuses the start (two servers on one pid file are a mistake); one naming a
// dead process is replaced.
class PidFile {
 public:
  struct Created {
    std::unique_ptr<PidFile> file;  // null when it could not be written
    std::string error;              // why not
  };
  // The refusal alone ("" when there is none), for -D to say it before
  // detaching (after, nobody sees the exit code).
  static std::string held_by_another(const std::string& path);
  static Created create(const std::string& path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace nperf::session
