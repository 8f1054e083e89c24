#pragma once
// Everything the command line decides. The server uses the common part; the
// client adds the test it asks for (TestSpec) and how to reach the server.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nperf/config/affinity_spec.hpp"
#include "nperf/config/auth_settings.hpp"
#include "nperf/config/test_spec.hpp"

namespace nperf {

enum class Role { kClient, kServer };
enum class AddressFamily { kAny, kIpv4, kIpv6 };

struct Config {
  Role role = Role::kClient;
  // Common.
  uint16_t port = 5201;         // -p (the server's first port)
  std::vector<uint16_t> ports;  // server -p list/range (config/port_list.hpp); empty: {port}
  std::string bind_address;     // -B (without a %DEV suffix)
  std::string data_file;        // -F: send from / receive into this file (TCP; spec.data_file on a client)
  std::string bind_device;      // --bind-dev, or the DEV of -B HOST%DEV / -c HOST%DEV: SO_BINDTODEVICE
  AddressFamily family = AddressFamily::kAny;  // -4 / -6
  double interval_s = 1;                       // -i; 0 disables interval reports
  char format = 'a';                           // -f
  bool verbose = false;                        // -V
  bool json = false;                           // -J (also set by --json-stream)
  bool json_stream_full = false;               // --json-stream-full-output: the lines, then the document
  bool json_stream = false;                    // --json-stream: one JSON line per event (iperf3 >= 3.17)
  int debug = 0;                               // -d[=LEVEL]: trace the control connection on stderr
  bool csv = false;                            // --csv: rows for spreadsheets (report/csv_reporter.hpp)
  AffinitySpec affinity;                       // -A
  // Output plumbing (report/output_target.hpp).
  std::string logfile;                          // --logfile: append all output (errors too) to this file
  std::optional<std::string> timestamp_format;  // --timestamps[=FORMAT]: strftime prefix of text lines
  // Deadlines and keepalive (docs/robustness.md).
  int rcv_timeout_ms = 120'000;  // --rcv-timeout: receiving side, no data for this long ends the test
  int snd_timeout_ms = 0;        // --snd-timeout: TCP_USER_TIMEOUT on control and data sockets (0 = OS)
  struct Keepalive {
    bool enabled = false;
    int idle_s = 0, interval_s = 0, count = 0;  // 0 = the OS default
  } control_keepalive;                          // --cntl-ka[=idle/intv/cnt]
  // Server.
  bool one_off = false;               // -1
  int idle_timeout_s = 0;             // --idle-timeout: with -1, exit after this long without a client
  int server_max_duration_s = 0;      // --server-max-duration: reject longer tests (0 = no limit)
  uint64_t server_bitrate_limit = 0;  // --server-bitrate-limit bit/s over all streams (0 = none)
  double server_bitrate_window_s =
      5;                        // its /SECS: UDP to the server is averaged over this (0 = one -i interval)
  bool daemon = false;          // -D: detach (fork, setsid, stdio to /dev/null) before serving
  std::string pidfile;          // -I: write the server's pid here, remove it at exit (absolute path)
  std::string metrics;          // --metrics [ADDR:]PORT: OpenMetrics over HTTP ("" = off)
  int max_tests = 1;            // --max-tests: tests one port serves at once (iperf3: 1)
  bool mptcp_listener = false;  // -m on a server: listen with IPPROTO_MPTCP (plain TCP clients still connect)
  // Client.
  std::string host;                 // -c
  uint16_t cport = 0;               // --cport: stream i binds cport + i
  int connect_timeout_ms = 10'000;  // --connect-timeout (iperf3: OS default; we never wait forever)
  double busy_retry_s = 0;          // --busy-retry: on "busy", retry with backoff for this long (0 = no)
  bool block_len_given = false;     // -l given; else UDP uses the control connection's MSS, as iperf3
  TestSpec spec;
  AuthSettings auth;  // --username, --rsa-*-key-path, --allow ... (issue #18)
};

}  // namespace nperf
