#pragma once
// What a test is: the part of the configuration both ends agree on. The client
// builds it from its command line; the server rebuilds it from the parameters
// JSON. validate() checks it in both cases, so every range is written once.
#include <cstdint>
#include <string>
#include <vector>

namespace nperf {

enum class Protocol { kTcp, kUdp };
enum class Direction { kForward, kReverse, kBidir };

inline constexpr uint32_t kDefaultTcpBlockLen = 128 * 1024;
inline constexpr int kMaxStreams = 128;
inline constexpr uint64_t kDefaultUdpRate = 1024 * 1024;  // iperf3's "1 Mbit/s"
// TCP bytes per send/recv when -l was not given (engine/tcp_calls.hpp): the
// best of 256 KiB .. 2 MiB measured on loopback (docs/architecture.md).
inline constexpr uint32_t kDefaultTcpCallLen = 1024 * 1024;
inline constexpr uint32_t kMaxTcpCallLen = 16 * 1024 * 1024;  // what a peer may ask for

struct TestSpec {
  Protocol protocol = Protocol::kTcp;
  Direction direction = Direction::kForward;
  int parallel = 1;                          // streams per direction, 1..128
  double duration_s = 10;                    // 0 when bytes/blocks end the test
  uint64_t bytes = 0;                        // -n, total over all streams; 0 = unused
  uint64_t blocks = 0;                       // -k, total over all streams; 0 = unused
  int omit_s = 0;                            // -O
  uint32_t block_len = kDefaultTcpBlockLen;  // -l
  // nperf extension: TCP bytes per send/recv call, several blocks, when -l was
  // not given (an explicit -l is one block per call); 0 = one block per call.
  uint32_t call_len = 0;
  uint64_t rate_bps = 0;   // -b per stream; 0 = unlimited
  int burst = 0;           // -b RATE/BURST: blocks sent back-to-back per rate check; 0 = not given
  uint64_t window = 0;     // -w: SO_SNDBUF/SO_RCVBUF; 0 = autotune
  int mss = 0;             // -M: TCP_MAXSEG; 0 = OS default
  bool nodelay = false;    // -N
  std::string congestion;  // -C
  std::string title;       // -T
  bool get_server_output = false;
  bool udp_counters_64bit = false;  // --udp-counters-64bit
  bool repeating_payload = false;   // --repeating-payload
  bool dont_fragment = false;       // --dont-fragment: IPv4 UDP with DF set
  bool gso = false;                 // UDP sender uses GSO (iperf3 >= 3.21 "gso", --gsro)
  bool gro = false;                 // UDP receiver uses GRO (iperf3 >= 3.21 "gro", --gsro)
  bool zerocopy = false;            // -Z: a TCP sender uses sendfile() (iperf3 "zerocopy"; UDP ignores it)
  bool skip_rx_copy = false;        // --skip-rx-copy: a TCP receiver discards with MSG_TRUNC (iperf3 >= 3.19)
  int tos = 0;                      // -S / --dscp: IP_TOS / IPV6_TCLASS of the data sockets (iperf3 "TOS")
  uint32_t pacing_timer_us = 1000;  // --pacing-timer: sent as "pacing_timer" for iperf3 <= 3.15 senders;
                                    // nperf's pacer keeps its own schedule
  uint64_t fq_rate_bps = 0;         // --fq-rate: SO_MAX_PACING_RATE per data socket, bit/s (iperf3 "fqrate")
  bool mptcp = false;               // -m: the client's data connections are MPTCP (iperf3 >= 3.19 "mptcp")
  uint32_t flowlabel = 0;           // -L: IPv6 flow label of the client's TCP data connections (iperf3
                                    // "flowlabel", informational for the server); 0 = none
  std::string extra_data;           // --extra-data: echoed in both ends' -J (iperf3 "extra_data")
  int server_affinity = -1;         // iperf3 "server_affinity": one core for the whole server test
  std::vector<int> server_stream_cpus;  // nperf extension: per-stream cores on the server
  std::string client_version;           // informational
  // -F: this side's file (local, never sent): TCP senders read it, receivers write it.
  std::string data_file;

  int total_streams() const { return direction == Direction::kBidir ? 2 * parallel : parallel; }
};

}  // namespace nperf
