#pragma once
// -m: Multipath TCP data connections (iperf3 >= 3.19), sockets opened with
// IPPROTO_MPTCP. The kernel decides whether there is MPTCP at all
// (net.mptcp.enabled); these say what it answered.
#include <optional>
#include <string>

namespace nperf::net {

// IPPROTO_MPTCP (262), which older libc headers lack.
inline constexpr int kIpprotoMptcp = 262;

// A TCP-type socket of `family` with IPPROTO_MPTCP; -1 with *error set (and errno
// still the kernel's answer) when the kernel refuses.
int open_mptcp_socket(int family, std::string* error);
// "" when this kernel opens MPTCP sockets, else why not (its errno text and net.mptcp.enabled).
std::string mptcp_unavailable();

// Whether the connected socket `fd` speaks MPTCP with its peer: an MPTCP
// socket whose peer did not accept MPTCP falls back to plain TCP, and the
// kernel's TCP_IS_MPTCP then reads 0, as on any TCP socket. nullopt where
// the kernel cannot say (TCP_IS_MPTCP is Linux >= 5.16; MPTCP is >= 5.6).
std::optional<bool> mptcp_active(int fd);

}  // namespace nperf::net
