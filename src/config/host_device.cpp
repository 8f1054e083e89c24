#include "nperf/config/host_device.hpp"

#include <cctype>

namespace nperf {
namespace {

// fe80::/10 written as an IPv6 literal: "fe8x:", "fe9x:", "feax:", "febx:" (any case).
bool is_ipv6_link_local_literal(std::string_view host) {
  if (host.size() < 5 || host.find(':') == std::string_view::npos) return false;
  auto lower = [&](size_t i) { return static_cast<char>(std::tolower(static_cast<unsigned char>(host[i]))); };
  return lower(0) == 'f' && lower(1) == 'e' && std::string_view("89ab").find(lower(2)) != std::string_view::npos &&
         (host[3] == ':' || (std::isxdigit(static_cast<unsigned char>(host[3])) && host[4] == ':'));
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
