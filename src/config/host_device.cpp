#include "nperf/config/host_device.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string>

namespace nperf {
namespace {

// An IPv6 literal in fe80::/10, as iperf3 checks it (inet_pton + IN6_IS_ADDR_LINKLOCAL).
bool is_ipv6_link_local_literal(std::string_view host) {
  in6_addr address{};
  return ::inet_pton(AF_INET6, std::string(host).c_str(), &address) == 1 && IN6_IS_ADDR_LINKLOCAL(&address);
}

}  // namespace

HostAndDevice split_host_device(std::string_view spec) {
  size_t percent = spec.find('%');
  if (percent == std::string_view::npos) return {std::string(spec), ""};
  std::string_view host = spec.substr(0, percent);
  std::string_view device = spec.substr(percent + 1);
  if (is_ipv6_link_local_literal(host)) return {std::string(spec), ""};
  return {std::string(host), std::string(device)};
}

}  // namespace nperf
