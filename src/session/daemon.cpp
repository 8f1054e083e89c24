#include "nperf/session/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace nperf::session {

bool daemonize(std::string* error) {
  if (::daemon(0, 0) != 0) {
    *error = fmt::format("unable to become a daemon: {}", std::strerror(errno));
    return false;
  }
  return true;
}

std::unique_ptr<PidFile> PidFile::create(const std::string& path, std::string* error) {
  {
    std::ifstream existing(path);
    long pid = 0;
    if (existing >> pid && pid > 0 && pid != ::getpid() && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM)) {
      *error = fmt::format("pid file {} names process {}, which is running: another server appears to be running", path, pid);
      return nullptr;
    }
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = fmt::format("unable to write pid file {}: {}", path, std::strerror(errno));
    return nullptr;
  }
  std::string text = fmt::format("{}\n", ::getpid());
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    *error = fmt::format("unable to write pid file {}: {}", path, std::strerror(saved));
    return nullptr;
  }
  return std::unique_ptr<PidFile>(new PidFile(path));
}

PidFile::~PidFile() { ::unlink(path_.c_str()); }

}  // namespace nperf::session
