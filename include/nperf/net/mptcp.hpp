#pragma once
// -m: Multipath TCP data connections (iperf3 >= 3.19), sockets opened with
// IPPROTO_MPTCP. The kernel decides whether there is MPTCP at all
// (net.mptcp.enabled); these say what it answered.
#include <string>

namespace nperf::net {

// IPPROTO_MPTCP (262), which older libc headers lack.
inline constexpr int kIpprotoMptcp = 262;

// A TCP-type socket of `family` with IPPROTO_MPTCP; -1 with *error set when the kernel refuses.
int open_mptcp_socket(int family, std::string* error);
// "" when this kernel opens MPTCP sockets, else why not (its errno text and net.mptcp.enabled).
std::string mptcp_unavailable();

}  // namespace nperf::net
