#include "nperf/session/session_common.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include <cstring>
#include <ctime>

#include <algorithm>

#include <fmt/format.h>
#include <asio/use_awaitable.hpp>

#include "nperf/session/test_run.hpp"

namespace nperf::session {

std::string format_address(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  return address.to_string();
}

int stream_id(int index) {
  return index == 0 ? 1 : index + 2;
}

bool stream_is_forward(const TestSpec& spec, int index) {
  switch (spec.direction) {
    case Direction::kForward:
      return true;
    case Direction::kReverse:
      return false;
    case Direction::kBidir:
      return index < spec.parallel;  // the client's sending streams come first
  }
  return true;
}

void fill_host_facts(TestStartInfo* info) {
  info->version = kVersionString;
  utsname u{};
  if (::uname(&u) == 0)
    info->system_info = fmt::format("{} {} {} {} {}", u.sysname, u.nodename, u.release, u.version, u.machine);
  std::time_t now = std::time(nullptr);
  std::tm gmt{};
  ::gmtime_r(&now, &gmt);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &gmt);
  info->time_rfc1123 = text;
  info->timesecs = static_cast<int64_t>(now);
  timespec wall{};
  ::clock_gettime(CLOCK_REALTIME, &wall);
  info->timemillisecs = static_cast<int64_t>(now) * 1000 + wall.tv_nsec / 1'000'000;
}

void make_blocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
}

namespace {

void endpoint_of(int fd, bool peer, std::string* host, int* port) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc != 0) return;
  asio::ip::tcp::endpoint ep;
  ep.resize(len);
  std::memcpy(ep.data(), &ss, len);
  *host = format_address(ep.address());
  *port = ep.port();
}

}  // namespace

StreamInfo describe_stream(int fd, int index, const Side& side, const TestSpec& spec) {
  StreamInfo info;
  info.socket = fd;
  info.id = stream_id(index);
  info.forward = stream_is_forward(spec, index);
  info.sender = side.local_sends(info.forward);
  endpoint_of(fd, false, &info.local_host, &info.local_port);
  endpoint_of(fd, true, &info.remote_host, &info.remote_port);
  return info;
}

asio::awaitable<void> sleep_until(asio::steady_timer& timer, double wake) {
  const double now = monotonic_now();
  timer.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(std::max(0.0, wake - now))));
  co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace nperf::session
