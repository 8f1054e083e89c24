#pragma once
// -D and -I for a server: detach from the terminal, and say where we run.
#include <memory>
#include <string>

namespace nperf::session {

// Forks; the parent exits 0 at once, the child leaves the session, changes to
// / and points stdin/stdout/stderr at /dev/null (daemon(3), as iperf3).
// Must run before any thread starts. False with *error when it failed.
bool daemonize(std::string* error);

// The pid file of a running server: written at create(), removed when the
// object goes. A file naming a live process refuses the start (two servers on
// one pid file are a mistake); one naming a dead process is replaced.
class PidFile {
 public:
  static std::unique_ptr<PidFile> create(const std::string& path, std::string* error);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  explicit PidFile(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace nperf::session
