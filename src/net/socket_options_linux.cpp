#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fstream>

#include <fmt/format.h>

#include "nperf/net/socket_options.hpp"

namespace nperf::net {
namespace {

void set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0)
    throw std::system_error(errno, std::generic_category(), fmt::format("cannot set {}", what));
}

int get_int(int fd, int level, int name) {
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, level, name, &value, &len) != 0) return 0;
  return value;
}

// -S/--dscp and --fq-rate, both protocols, applied after the other options so
// that a refusal here leaves them in place. A TOS that cannot be set throws
// (the client stops; a server warns and runs on, as for its other options); a
// pacing rate only warns, as iperf3.
void apply_ip_options(int fd, const TestSpec& spec, std::vector<std::string>* warnings) {
  if (spec.tos > 0) {
    int domain = get_int(fd, SOL_SOCKET, SO_DOMAIN);
    if (domain == AF_INET6) {
      set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, spec.tos, "IPV6_TCLASS (-S)");
      // A dual-stack socket sends IPv4-mapped peers IPv4 packets, which take
      // IP_TOS, not the traffic class (iperf3 sets only the latter there).
      ::setsockopt(fd, IPPROTO_IP, IP_TOS, &spec.tos, sizeof spec.tos);
    } else {
      set_int(fd, IPPROTO_IP, IP_TOS, spec.tos, "IP_TOS (-S)");
    }
  }
  // Below 8 bit/s the rate is 0 bytes/s, which would stall the socket; iperf3 skips it too.
  if (uint64_t bytes_per_second = spec.fq_rate_bps / 8; bytes_per_second > 0) {
    int rc = ::setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &bytes_per_second, sizeof bytes_per_second);
    if (rc != 0 && errno == EINVAL) {  // kernels before 64-bit rates take an unsigned int
      unsigned int narrow = static_cast<unsigned int>(std::min<uint64_t>(bytes_per_second, ~0u));
      rc = ::setsockopt(fd, SOL_SOCKET, SO_MAX_PACING_RATE, &narrow, sizeof narrow);
    }
    if (rc != 0)
      warnings->push_back(fmt::format("cannot set SO_MAX_PACING_RATE (--fq-rate {}): {}", spec.fq_rate_bps,
                                      std::strerror(errno)));
  }
}

}  // namespace

void apply_tcp_options(int fd, const TestSpec& spec, bool congestion_is_fatal,
                       std::vector<std::string>* warnings) {
  if (spec.nodelay) set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  if (spec.mss > 0) set_int(fd, IPPROTO_TCP, TCP_MAXSEG, spec.mss, "TCP_MAXSEG (-M)");
  if (spec.window > 0) {
    int window = static_cast<int>(spec.window);
    set_int(fd, SOL_SOCKET, SO_SNDBUF, window, "SO_SNDBUF (-w)");
    set_int(fd, SOL_SOCKET, SO_RCVBUF, window, "SO_RCVBUF (-w)");
    // Linux doubles the request and caps it at net.core.{r,w}mem_max. iperf3
    // aborts when the cap bites; we run with what we got and say so.
    BufferSizes got = read_buffer_sizes(fd);
    if (got.rcvbuf < window)
      warnings->push_back(fmt::format(
          "requested window {} but the receive buffer is {}: raise net.core.rmem_max to at least {}", window,
          got.rcvbuf, window));
    if (got.sndbuf < window)
      warnings->push_back(
          fmt::format("requested window {} but the send buffer is {}: raise net.core.wmem_max to at least {}",
                      window, got.sndbuf, window));
  }
  if (!spec.congestion.empty()) {
    if (::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, spec.congestion.data(),
                     static_cast<socklen_t>(spec.congestion.size())) != 0) {
      int err = errno;
      std::string msg =
          fmt::format("cannot set TCP congestion control '{}': {}", spec.congestion, std::strerror(err));
      if (congestion_is_fatal) throw std::system_error(err, std::generic_category(), msg);
      warnings->push_back(msg);
    }
  }
  apply_ip_options(fd, spec, warnings);
}

void apply_udp_options(int fd, const TestSpec& spec, std::vector<std::string>* warnings) {
  if (spec.dont_fragment) {
    int mode = IP_PMTUDISC_DO;
    // IPv4 only, as iperf3; an IPv6 socket refuses, and IPv6 never fragments in flight anyway.
    ::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &mode, sizeof mode);
  }
  if (spec.window > 0) {
    int window = static_cast<int>(spec.window);
    set_int(fd, SOL_SOCKET, SO_SNDBUF, window, "SO_SNDBUF (-w)");
    set_int(fd, SOL_SOCKET, SO_RCVBUF, window, "SO_RCVBUF (-w)");
    if (read_buffer_sizes(fd).rcvbuf < window)
      warnings->push_back(fmt::format(
          "requested window {} but the receive buffer is {}: raise net.core.rmem_max to at least {}", window,
          read_buffer_sizes(fd).rcvbuf, window));
  } else {
    constexpr int kReceiveBuffer = 4 << 20;
    // SO_RCVBUFFORCE needs CAP_NET_ADMIN; without it SO_RCVBUF is capped by rmem_max.
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof kReceiveBuffer) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof kReceiveBuffer);
    int send_buffer = std::max<int>(static_cast<int>(spec.block_len) * 64, 1 << 20);
    if (::setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &send_buffer, sizeof send_buffer) != 0)
      ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  }
  apply_ip_options(fd, spec, warnings);
}

bool bind_to_device(int fd, const std::string& device, std::string* error) {
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size())) ==
      0)
    return true;
  *error = fmt::format("unable to bind to device '{}': {}", device, std::strerror(errno));
  return false;
}

BufferSizes read_buffer_sizes(int fd) {
  return {get_int(fd, SOL_SOCKET, SO_SNDBUF), get_int(fd, SOL_SOCKET, SO_RCVBUF)};
}

std::string read_congestion(int fd) {
  char name[64] = {};
  socklen_t len = sizeof name - 1;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, name, &len) != 0) return "";
  return std::string(name, ::strnlen(name, len));
}

int read_mss(int fd) {
  return get_int(fd, IPPROTO_TCP, TCP_MAXSEG);
}

int unacknowledged_bytes(int fd) {
  int queued = 0;
  return ::ioctl(fd, SIOCOUTQ, &queued) == 0 ? queued : 0;
}

void set_user_timeout(int fd, int milliseconds) {
  if (milliseconds > 0)
    set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, milliseconds, "TCP_USER_TIMEOUT (--snd-timeout)");
}

void set_keepalive(int fd, int idle_s, int interval_s, int count) {
  set_int(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE (--cntl-ka)");
  if (idle_s > 0) set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, idle_s, "TCP_KEEPIDLE");
  if (interval_s > 0) set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL, interval_s, "TCP_KEEPINTVL");
  if (count > 0) set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, count, "TCP_KEEPCNT");
}

void set_io_timeouts(int fd, int milliseconds) {
  timeval tv{milliseconds / 1000, (milliseconds % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

SocketBuffers describe_buffers(int fd, int64_t requested) {
  auto read_max = [](const char* path) -> int64_t {
    std::ifstream in(path);
    int64_t v = 0;
    return in >> v ? v : 0;
  };
  BufferSizes got = read_buffer_sizes(fd);
  SocketBuffers b;
  b.known = true;
  b.requested = requested;
  b.sndbuf = got.sndbuf;
  b.rcvbuf = got.rcvbuf;
  b.wmem_max = read_max("/proc/sys/net/core/wmem_max");
  b.rmem_max = read_max("/proc/sys/net/core/rmem_max");
  return b;
}

}  // namespace nperf::net
