#include "nperf/hostcheck/kernel_probe.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

namespace nperf::hostcheck {
namespace {

// Closes a descriptor on every path out.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};

std::string numeric_address(const sockaddr* sa) {
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, text, sizeof text);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, text, sizeof text);
  return text;
}

// The interface holding `address` (numeric), from getifaddrs; "" when none does.
std::string interface_owning(const std::string& address) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::unique_ptr<ifaddrs, void (*)(ifaddrs*)> guard(list, freeifaddrs);
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || (it->ifa_addr->sa_family != AF_INET && it->ifa_addr->sa_family != AF_INET6))
      continue;
    if (numeric_address(it->ifa_addr) == address) return it->ifa_name;
  }
  return "";
}

int to_af(AddressFamily family) {
  switch (family) {
    case AddressFamily::kIpv4:
      return AF_INET;
    case AddressFamily::kIpv6:
      return AF_INET6;
    case AddressFamily::kAny:
      break;
  }
  return AF_UNSPEC;
}

}  // namespace

std::optional<RouteToHost> route_to_host(const std::string& host, AddressFamily family, std::string* error) {
  addrinfo hints{};
  hints.ai_family = to_af(family);
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), "9", &hints, &found); rc != 0) {  // any port: nothing is sent
    *error = fmt::format("unable to resolve host '{}': {}", host, gai_strerror(rc));
    return std::nullopt;
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(found, freeaddrinfo);
  RouteToHost out;
  out.address = numeric_address(found->ai_addr);
  Fd sock(::socket(found->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) {
    out.problem = fmt::format("cannot open a UDP socket: {}", std::strerror(errno));
    return out;
  }
  // connect() on UDP only picks the route and our source address: no packet leaves.
  if (::connect(sock.fd, found->ai_addr, found->ai_addrlen) != 0) {
    out.problem = fmt::format("no route to {}: {}", out.address, std::strerror(errno));
    return out;
  }
  sockaddr_storage local{};
  socklen_t len = sizeof local;
  if (::getsockname(sock.fd, reinterpret_cast<sockaddr*>(&local), &len) != 0) {
    out.problem = fmt::format("cannot read the source address: {}", std::strerror(errno));
    return out;
  }
  out.source_address = numeric_address(reinterpret_cast<sockaddr*>(&local));
  // Traffic to one of our own addresses never leaves the host, whichever
  // interface holds the address; the kernel sends it through loopback.
  if (!interface_owning(out.address).empty()) {
    out.interface = "lo";
    return out;
  }
  out.interface = interface_owning(out.source_address);
  if (out.interface.empty())
    out.problem = fmt::format("no interface holds the source address {}", out.source_address);
  return out;
}

Offloads read_offloads(const std::string& interface) {
  Offloads out;
  if (interface.empty() || interface.size() >= IFNAMSIZ) return out;
  Fd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (sock.fd < 0) return out;
  auto query = [&](uint32_t command) -> std::optional<bool> {
    ethtool_value value{};
    value.cmd = command;
    ifreq request{};
    std::memcpy(request.ifr_name, interface.c_str(), interface.size() + 1);
    request.ifr_data = reinterpret_cast<char*>(&value);
    if (::ioctl(sock.fd, SIOCETHTOOL, &request) != 0) return std::nullopt;
    return value.data != 0;
  };
  out.tso = query(ETHTOOL_GTSO);
  out.gso = query(ETHTOOL_GGSO);
  out.gro = query(ETHTOOL_GGRO);
  out.rx_checksum = query(ETHTOOL_GRXCSUM);
  out.tx_checksum = query(ETHTOOL_GTXCSUM);
  return out;
}

}  // namespace nperf::hostcheck
