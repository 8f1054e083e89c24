#include "e2e/process.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace nperf::test {
namespace {

// Under scripts/sanitize.sh the nperf children are sanitized too and inherit
// the *_OPTIONS from the environment. Their reports go to stderr; a test that
// does not look at a child's exit code (a server stopped with SIGTERM, say)
// must still fail when one shows up.
const char* sanitizer_report(const std::string& err) {
  for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "WARNING: ThreadSanitizer",
                             "ThreadSanitizer: reported", "runtime error: "})
    if (err.find(marker) != std::string::npos) return marker;
  return nullptr;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool listening_in(const std::string& table, int port) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state;
    fields >> slot >> local >> remote >> state;
    auto colon = local.rfind(':');
    if (colon == std::string::npos) continue;
    if (std::stoi(local.substr(colon + 1), nullptr, 16) == port && state == "0A") return true;
  }
  return false;
}

}  // namespace

Process::Process(std::vector<std::string> argv) {
  static int counter = 0;
  std::string base = fmt::format("/tmp/nperf-e2e-{}-{}", ::getpid(), counter++);
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  pid_ = ::fork();
  if (pid_ == 0) {
    int out = ::open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::setpgid(0, 0);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    _exit(127);
  }
}

Process::~Process() {
  if (!result_ && pid_ > 0) wait(std::chrono::milliseconds(0));
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
}

void Process::signal(int sig) {
  if (!result_ && pid_ > 0) ::kill(pid_, sig);
}

ProcessResult Process::wait(std::chrono::milliseconds timeout) {
  if (result_) return *result_;
  ProcessResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      r.timed_out = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  r.exit_code = (!r.timed_out && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out_path_);
  r.err = slurp(err_path_);
  if (const char* marker = sanitizer_report(r.err))
    ADD_FAILURE() << "sanitizer report (" << marker << ") from child " << pid_ << ":\n" << r.err;
  result_ = r;
  return r;
}

ProcessResult run_process(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  Process p(std::move(argv));
  return p.wait(timeout);
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_for_listener(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (listening_in("/proc/net/tcp", port) || listening_in("/proc/net/tcp6", port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

}  // namespace nperf::test
