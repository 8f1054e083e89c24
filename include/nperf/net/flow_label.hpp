#pragma once
// -L: an IPv6 flow label on a client's TCP data connection, as iperf3 sets it
// (iperf_tcp.c): the label is leased from the kernel's flow label manager
// (IPV6_FLOWLABEL_MGR) for the server's address, IPV6_FLOWINFO_SEND makes
// connect() take it from the address's sin6_flowinfo, and every packet of the
// connection then carries it.
#include <netinet/in.h>

#include <cstdint>
#include <string>

namespace nperf::net {

inline constexpr uint32_t kMaxFlowLabel = 0xFFFFF;  // 20 bits

// Before connect(): "" or why the kernel refused (the label is then not set).
std::string lease_flow_label(int fd, const in6_addr& destination, uint32_t label);
// The address to connect() to with the leased label.
void put_flow_label(sockaddr_in6* address, uint32_t label);

}  // namespace nperf::net
