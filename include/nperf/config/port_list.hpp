#pragma once
// The server's -p: one port, a range (5101-5103), a list (5101,5105) or both
// (5101-5103,5200). One listener per port; the client connects to one port.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nperf {

// A server listens on at most this many ports: each one is a listening socket
// (two with separate IPv4/IPv6) and a share of --max-tests.
inline constexpr size_t kMaxServerPorts = 256;

struct PortListParse {
  std::vector<uint16_t> ports;  // in the order given, no duplicates; empty on error
  std::string error;
};

PortListParse parse_port_list(std::string_view text);

// "5101-5103,5200" for a banner: consecutive ports fold into ranges.
std::string describe_ports(const std::vector<uint16_t>& ports);

}  // namespace nperf
