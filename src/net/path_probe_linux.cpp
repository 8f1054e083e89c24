// The system half of net/path_probe.hpp: socket names, one rtnetlink
// round trip per question, and three /proc files.
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

#include "nperf/net/path_probe.hpp"

namespace nperf::net {

namespace {

protocol::Endpoint from_sockaddr(const sockaddr_storage& ss) {
  protocol::Endpoint e;
  char text[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    if (!inet_ntop(AF_INET, &a->sin_addr, text, sizeof text)) return e;
    e.port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    // A dual-stack listener sees IPv4 peers as ::ffff:a.b.c.d; the other end
    // knows itself as a.b.c.d, and the two must compare equal.
    if (IN6_IS_ADDR_V4MAPPED(&a->sin6_addr)) {
      if (!inet_ntop(AF_INET, &a->sin6_addr.s6_addr[12], text, sizeof text)) return e;
    } else if (!inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text)) {
      return e;
    }
    e.port = ntohs(a->sin6_port);
  } else {
    return e;
  }
  e.address = text;
  return e;
}

// A netlink socket closed on every path out.
class NetlinkSocket {
 public:
  NetlinkSocket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    if (fd_ < 0) return;
    timeval tv{1, 0};  // every wait has a timeout: the kernel answers at once or not at all
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NetlinkSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  // Sends one request and returns the first reply datagram (empty on failure).
  std::span<const uint8_t> ask(const void* request, size_t length) {
    if (fd_ < 0) return {};
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd_, request, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) !=
        static_cast<ssize_t>(length))
      return {};
    ssize_t n = ::recv(fd_, buffer_.data(), buffer_.size(), 0);
    if (n <= 0) return {};
    return {reinterpret_cast<const uint8_t*>(buffer_.data()), static_cast<size_t>(n)};
  }

 private:
  int fd_;
  alignas(nlmsghdr) std::array<char, 32768> buffer_{};
};

std::optional<std::string> read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

}  // namespace

protocol::Endpoint local_endpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd < 0 || ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return from_sockaddr(ss);
}

protocol::Endpoint peer_endpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (fd < 0 || ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
  return from_sockaddr(ss);
}

protocol::RouteDevice route_device(const protocol::Endpoint& peer) {
  struct {
    nlmsghdr header;
    rtmsg route;
    rtattr dst_attr;
    std::array<uint8_t, 16> dst;
  } route_request{};
  int family = AF_INET;
  size_t dst_len = 4;
  if (inet_pton(AF_INET, peer.address.c_str(), route_request.dst.data()) != 1) {
    if (inet_pton(AF_INET6, peer.address.c_str(), route_request.dst.data()) != 1) return {};
    family = AF_INET6;
    dst_len = 16;
  }
  route_request.route.rtm_family = static_cast<unsigned char>(family);
  route_request.route.rtm_dst_len = static_cast<unsigned char>(dst_len * 8);
  route_request.dst_attr.rta_type = RTA_DST;
  route_request.dst_attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(dst_len));
  route_request.header.nlmsg_type = RTM_GETROUTE;
  route_request.header.nlmsg_flags = NLM_F_REQUEST;
  route_request.header.nlmsg_seq = 1;
  const size_t route_length = NLMSG_LENGTH(sizeof(rtmsg)) + RTA_LENGTH(dst_len);
  route_request.header.nlmsg_len = static_cast<uint32_t>(route_length);

  NetlinkSocket socket;
  std::optional<int> oif = parse_route_reply(socket.ask(&route_request, route_length));
  if (!oif) return {};

  struct {
    nlmsghdr header;
    ifinfomsg link;
  } link_request{};
  link_request.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  link_request.header.nlmsg_type = RTM_GETLINK;
  link_request.header.nlmsg_flags = NLM_F_REQUEST;
  link_request.header.nlmsg_seq = 2;
  link_request.link.ifi_family = AF_UNSPEC;
  link_request.link.ifi_index = *oif;
  std::optional<protocol::RouteDevice> device =
      parse_link_reply(socket.ask(&link_request, link_request.header.nlmsg_len));
  return device ? *device : protocol::RouteDevice{};
}

protocol::ConntrackReading read_conntrack() {
  auto count = read_file("/proc/sys/net/netfilter/nf_conntrack_count");
  auto max = read_file("/proc/sys/net/netfilter/nf_conntrack_max");
  auto stat = read_file("/proc/net/stat/nf_conntrack");
  auto view = [](const std::optional<std::string>& s) {
    return s ? std::optional<std::string_view>(*s) : std::nullopt;
  };
  return conntrack_from_texts(view(count), view(max), view(stat));
}

}  // namespace nperf::net
