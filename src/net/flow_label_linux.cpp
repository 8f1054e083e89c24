#include "nperf/net/flow_label.hpp"

#include <arpa/inet.h>
#include <linux/in6.h>  // struct in6_flowlabel_req, IPV6_FL_* (glibc's netinet/in.h lacks them)
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace nperf::net {

std::string lease_flow_label(int fd, const in6_addr& destination, uint32_t label) {
  in6_flowlabel_req request{};
  std::memcpy(&request.flr_dst, &destination, sizeof destination);
  request.flr_label = htonl(label & kMaxFlowLabel);
  request.flr_action = IPV6_FL_A_GET;
  request.flr_flags = IPV6_FL_F_CREATE;
  // iperf3 asks for IPV6_FL_S_EXCL; then the second stream of -P 2 is refused
  // (EPERM) the label the first holds. Any socket of this process may share it.
  request.flr_share = IPV6_FL_S_PROCESS;
  if (::setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWLABEL_MGR, &request, sizeof request) != 0)
    return fmt::format("unable to set IPv6 flow label {:#x} (IPV6_FLOWLABEL_MGR): {}", label,
                       std::strerror(errno));
  int on = 1;
  if (::setsockopt(fd, IPPROTO_IPV6, IPV6_FLOWINFO_SEND, &on, sizeof on) != 0)
    return fmt::format("unable to set IPv6 flow label {:#x} (IPV6_FLOWINFO_SEND): {}", label,
                       std::strerror(errno));
  return "";
}

void put_flow_label(sockaddr_in6* address, uint32_t label) {
  address->sin6_flowinfo = htonl(label & kMaxFlowLabel);
}

}  // namespace nperf::net
