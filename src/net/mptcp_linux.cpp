#include "nperf/net/mptcp.hpp"

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
  if (fd < 0)
    *error =
        fmt::format("this kernel refuses MPTCP sockets (socket(..., SOCK_STREAM, IPPROTO_MPTCP): {}; {})",
                    std::strerror(errno), mptcp_sysctl());
  return fd;
}

std::string mptcp_unavailable() {
  std::string error;
  int fd = open_mptcp_socket(AF_INET, &error);
  if (fd >= 0) ::close(fd);
  return error;
}

}  // namespace nperf::net
