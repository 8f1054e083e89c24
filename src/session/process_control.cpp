#include "nperf/session/process_control.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace nperf::session {
namespace {

long pid_in(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  return in >> pid ? pid : 0;
}

void set_termination_signals(int how) {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(how, &set, nullptr);
}

}  // namespace

std::string daemonize() {
  if (::daemon(0, 0) != 0) return fmt::format("unable to become a daemon: {}", std::strerror(errno));
  return "";
}

void hold_termination_signals() {
  set_termination_signals(SIG_BLOCK);
}
void release_termination_signals() {
  set_termination_signals(SIG_UNBLOCK);
}

std::string PidFile::held_by_another(const std::string& path) {
  long pid = pid_in(path);
  if (pid <= 0 || pid == ::getpid()) return "";
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return "";  // stale
  return fmt::format("pid file {} names process {}, which is running: another server appears to be running",
                     path, pid);
}

PidFile::Created PidFile::create(const std::string& path) {
  if (std::string refusal = held_by_another(path); !refusal.empty()) return {nullptr, refusal};
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return {nullptr, fmt::format("unable to write pid file {}: {}", path, std::strerror(errno))};
  std::string text = fmt::format("{}\n", ::getpid());
  bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(path.c_str());
    return {nullptr, fmt::format("unable to write pid file {}: {}", path, std::strerror(saved))};
  }
  return {std::unique_ptr<PidFile>(new PidFile(path)), ""};
}

PidFile::~PidFile() {
  // Someone may have replaced it meanwhile (a second server started with the
  // file removed by hand): theirs is not ours to delete.
  if (pid_in(path_) == ::getpid()) ::unlink(path_.c_str());
}

}  // namespace nperf::session
