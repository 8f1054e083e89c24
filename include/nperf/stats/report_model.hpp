#pragma once
// Immutable data handed to reporters: what happened, never how to print it.
// Units: bytes, seconds, bits per second, microseconds for RTTs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nperf/config/test_spec.hpp"
#include "nperf/stats/evidence.hpp"
#include "nperf/stats/overlap.hpp"
#include "nperf/stats/path_facts.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {

// One data stream as both reporters name it. `socket` is the local file
// descriptor (iperf3 prints it as the [ ID] column and the JSON "socket").
struct StreamInfo {
  int socket = -1;
  int id = 0;           // protocol stream id: 1, 3, 4, 5, ...
  bool sender = false;  // this host sends on it
  bool forward = true;  // client -> server direction (false: server -> client)
  std::string local_host;
  int local_port = 0;
  std::string remote_host;
  int remote_port = 0;
};

// Printed once at the start of a test (-V lines, -J "start").
struct TestStartInfo {
  bool is_server = false;
  std::string version;       // kVersionString (config/version.hpp)
  std::string system_info;   // uname
  std::string time_rfc1123;  // "Wed, 25 Nov 2026 19:24:01 GMT"
  int64_t timesecs = 0;
  int64_t timemillisecs = 0;  // the same moment in ms (iperf3 >= 3.20's "timemillisecs")
  std::string host;           // client: host as given; server: control peer address
  int port = 0;               // client: server port; server: control peer port
  int control_mss = 0;        // client: TCP_MAXSEG of the control connection
  std::string cookie;
  int tcp_mss = 0;          // -M when given
  int tcp_mss_default = 0;  // otherwise: control connection MSS (client), 0 on the server
  int sock_bufsize = 0;
  int sndbuf_actual = 0;
  int rcvbuf_actual = 0;
  TestSpec spec;
  double interval_s = 1;
};

struct IntervalStream {
  int socket = -1;
  double start = 0, end = 0, seconds = 0;
  uint64_t bytes = 0;
  double bits_per_second = 0;
  bool sender = false;
  bool omitted = false;
  bool has_tcp_info = false;  // TCP sender with TCP_INFO: the fields below are meaningful
  int64_t retransmits = 0;
  uint64_t snd_cwnd = 0, snd_wnd = 0;
  int64_t rtt = -1, rttvar = -1, pmtu = -1, reorder = -1;
  int cpu = -1;  // core the worker thread last ran on (nperf extension)
  // UDP (udp == true): sender: datagrams sent; receiver: packets = sequence
  // advance in the interval, lost, jitter (current estimate), lost percent.
  bool udp = false;
  uint64_t packets = 0;
  int64_t lost_packets = 0;
  double jitter_ms = 0;
  double lost_percent = 0;
  // nperf: this end's evidence for the interval (TCP_INFO limits, thread CPU).
  StreamEvidence evidence;
};

struct IntervalSum {
  double start = 0, end = 0, seconds = 0;
  uint64_t bytes = 0;
  double bits_per_second = 0;
  bool has_retransmits = false;
  int64_t retransmits = 0;
  bool omitted = false;
  bool sender = false;
  // UDP: as in IntervalStream; jitter is the mean over the streams.
  bool udp = false;
  uint64_t packets = 0;
  int64_t lost_packets = 0;
  double jitter_ms = 0;
  double lost_percent = 0;
};

// Streams are listed client->server streams first. `sum` covers the
// client->server streams and `sum_reverse` the server->client ones; outside
// --bidir all streams go one way and only `sum` is used.
struct IntervalReport {
  std::vector<IntervalStream> streams;
  IntervalSum sum;
  std::optional<IntervalSum> sum_reverse;  // --bidir only
};

struct EndStream {
  StreamInfo info;
  // Sender half (local if info.sender, else from the peer's results).
  bool sender_known = false;
  uint64_t sent_bytes = 0;
  double sender_seconds = 0;
  bool has_retransmits = false;
  int64_t retransmits = 0;
  uint64_t max_snd_cwnd = 0, max_snd_wnd = 0;
  int64_t max_rtt = 0, min_rtt = 0, mean_rtt = 0;
  // Receiver half.
  bool receiver_known = false;
  uint64_t received_bytes = 0;
  double receiver_seconds = 0;
  // UDP (udp == true), after the omit period. packets: the sender's count
  // when known, else the receiver's; lost/jitter/out_of_order: the receiver's.
  bool udp = false;
  uint64_t sender_packets = 0;
  uint64_t receiver_packets = 0;
  int64_t lost_packets = 0;  // -1: unknown (a pre-3.14 peer with omit)
  int64_t out_of_order = 0;
  double jitter_ms = 0;
  // Local UDP receiver: of lost_packets, how many this host's socket buffer
  // dropped (the rest were lost on the way); -1 when not measured.
  int64_t host_dropped = -1;
  // nperf extension: where the local worker thread ran.
  std::vector<int> cpus_seen;
  int pinned_cpu = -1;
  // nperf: the evidence of both ends over the measured period (remote: from
  // the peer's results; unknown with an iperf3 peer or before the exchange)
  // and the verdict drawn from it.
  StreamEvidence local_evidence, remote_evidence;
  std::optional<Verdict> verdict;
};

struct EndSum {
  double sender_seconds = 0, receiver_seconds = 0;
  uint64_t sent_bytes = 0, received_bytes = 0;
  bool has_retransmits = false;
  int64_t retransmits = 0;
  bool sender_known = false, receiver_known = false;
  // UDP.
  bool udp = false;
  uint64_t sender_packets = 0, receiver_packets = 0;
  int64_t lost_packets = 0, out_of_order = 0;
  double jitter_ms = 0;  // mean over the streams
};

struct CpuUtilization {
  double host_total = 0, host_user = 0, host_system = 0;
  double remote_total = 0, remote_user = 0, remote_system = 0;
};

// -F: this end's file, as iperf3 reports it after the stream it fed or took
// ("Sent X / Y (P%) of FILE", -J end.streams[i].diskfile).
struct DataFileFigures {
  std::string name;  // as given on the command line
  int64_t size = 0;  // at the end: the file sent, or what the receiver wrote
};

struct EndReport {
  bool is_server = false;
  Direction direction = Direction::kForward;
  std::vector<EndStream> streams;     // client->server streams first
  EndSum sum;                         // client->server streams
  std::optional<EndSum> sum_reverse;  // --bidir: server->client streams
  CpuUtilization cpu;
  // TCP congestion control of the client->server direction's ends: the
  // client's algorithm and the server's ("" when unknown).
  std::string sender_congestion, receiver_congestion;
  // nperf: socket buffers of both ends, and the test's verdict (absent when
  // no stream carried data).
  SocketBuffers local_buffers, remote_buffers;
  std::optional<Verdict> verdict;
  // nperf: what each end saw of the path (addresses, route device, conntrack); absent
  // when this end recorded nothing.
  std::optional<PathReport> path;
  std::string server_output_text;                 // client with --get-server-output
  std::optional<std::string> server_output_json;  // serialized JSON
  // A server that runs tests at once: this test's id and port, and what ran
  // beside it (stats/overlap.hpp). Absent from a one-test-at-a-time server.
  std::optional<TestOverlap> overlap;
  std::optional<DataFileFigures> data_file;  // -F on this end
};

// Sums the streams whose direction is `forward`, taking durations from the
// first such stream as iperf3 does.
EndSum sum_streams(const std::vector<EndStream>& streams, bool forward);

}  // namespace nperf
