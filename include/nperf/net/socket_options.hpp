#pragma once
// Socket options applied to data sockets, on plain file descriptors so the
// engine, the client and the server share one implementation.
#include <string>
#include <vector>

#include "nperf/config/test_spec.hpp"
#include "nperf/stats/evidence.hpp"
#include "nperf/stats/tcp_info.hpp"

namespace nperf::net {

struct BufferSizes {
  int sndbuf = 0;
  int rcvbuf = 0;
};

// Applies -w, -M, -N, -C, -S and --fq-rate from the spec. Problems that do not stop a test
// (a clamped window, an unknown congestion algorithm on the server) are
// appended to *warnings; fatal ones throw std::system_error.
void apply_tcp_options(int fd, const TestSpec& spec, bool congestion_is_fatal,
                       std::vector<std::string>* warnings);
// UDP data sockets: -S and --fq-rate; -w when given; otherwise a receive buffer sized for line
// rate (4 MiB, forced past net.core.rmem_max when we may) and a send buffer of
// at least a few datagrams.
void apply_udp_options(int fd, const TestSpec& spec, std::vector<std::string>* warnings);
BufferSizes read_buffer_sizes(int fd);
// Requested (-w, 0 = none) and granted buffer sizes with the sysctl caps.
SocketBuffers describe_buffers(int fd, int64_t requested);
std::string read_congestion(int fd);  // "" when unknown
int read_mss(int fd);                 // TCP_MAXSEG, 0 when unknown
TcpInfoSample read_tcp_info(int fd);
// Bytes written to a TCP socket that the peer has not acknowledged yet (SIOCOUTQ).
int unacknowledged_bytes(int fd);
// --snd-timeout: TCP_USER_TIMEOUT (ms); 0 leaves the OS default.
void set_user_timeout(int fd, int milliseconds);
// --cntl-ka: SO_KEEPALIVE plus the optional idle/interval/count (0 = OS default).
void set_keepalive(int fd, int idle_s, int interval_s, int count);
// --bind-dev / HOST%DEV: SO_BINDTODEVICE (needs CAP_NET_RAW). False with *error
// ("unable to bind to device 'eth9': No such device") when refused.
bool bind_to_device(int fd, const std::string& device, std::string* error);
// Timeouts that let a blocked send/recv wake up to check the stop flag.
void set_io_timeouts(int fd, int milliseconds);

}  // namespace nperf::net
