#include "nperf/net/mptcp.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

namespace nperf::net {
namespace {

std::string mptcp_sysctl() {
  std::ifstream in("/proc/sys/net/mptcp/enabled");
  std::string value;
  if (!(in >> value)) return "net.mptcp.enabled does not exist (a kernel without MPTCP)";
  return fmt::format("sysctl net.mptcp.enabled = {}", value);
}

}  // namespace

int open_mptcp_socket(int family, std::string* error) {
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, kIpprotoMptcp);
  if (fd < 0) {
    const int refused = errno;
    *error =
        fmt::format("this kernel refuses MPTCP sockets (socket(..., SOCK_STREAM, IPPROTO_MPTCP): {}; {})",
                    std::strerror(refused), mptcp_sysctl());
    errno = refused;  // for callers that turn it into an error code
  }
  return fd;
}

std::optional<bool> mptcp_active(int fd) {
  constexpr int kTcpIsMptcp = 43;  // TCP_IS_MPTCP, which older libc headers lack
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, IPPROTO_TCP, kTcpIsMptcp, &value, &length) != 0) return std::nullopt;
  return value == 1;
}

std::string mptcp_unavailable() {
  std::string error;
  int fd = open_mptcp_socket(AF_INET, &error);
  if (fd >= 0) ::close(fd);
  return error;
}

}  // namespace nperf::net
