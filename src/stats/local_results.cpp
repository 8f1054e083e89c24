#include "nperf/stats/end_report.hpp"

namespace nperf {

namespace {

protocol::StreamResult stream_result(const LocalStreamTotals& s, const std::map<int, double>& peer_jitter_s) {
  const StreamTracker& t = *s.tracker;
  protocol::StreamResult r;
  r.id = t.info().id;
  r.bytes = t.measured_bytes();
  r.retransmits = t.has_tcp_info() ? t.retransmits() : -1;
  r.omitted_errors = 0;
  r.omitted_packets = 0;
  r.end_time = t.measured_seconds();
  if (!t.udp()) return r;
  const UdpCounters& start = t.udp_at_start();
  const UdpCounters& end = t.udp_at_end();
  r.packets = static_cast<int64_t>(end.packets);
  r.omitted_packets = static_cast<int64_t>(start.packets);
  if (t.info().sender) {
    // A sender echoes what the receiving peer told it (nothing yet on the client).
    auto it = peer_jitter_s.find(r.id);
    r.jitter_s = it != peer_jitter_s.end() ? it->second : 0;
  } else {
    r.jitter_s = end.jitter_s;
    r.errors = static_cast<int64_t>(end.lost);
    r.omitted_errors = static_cast<int64_t>(start.lost);
  }
  return r;
}

}  // namespace

protocol::TestResults local_results(const LocalTestTotals& local) {
  protocol::TestResults r;
  r.cpu_total = local.cpu.host_total;
  r.cpu_user = local.cpu.host_user;
  r.cpu_system = local.cpu.host_system;
  bool any_sender = false, tcp_info = false;
  // nperf's extension: this end's evidence, so the peer can draw a verdict
  // from both halves (iperf3 ignores the key).
  protocol::ResultsExtension ext;
  ext.buffers = local.buffers;
  ext.boot_id = local.boot_id;
  ext.path = local.path;
  for (const LocalStreamTotals& s : local.streams) {
    any_sender = any_sender || s.tracker->info().sender;
    tcp_info = tcp_info || s.tracker->has_tcp_info();
    r.streams.push_back(stream_result(s, local.peer_jitter_s));
    ext.streams.push_back({s.tracker->info().id, s.evidence});
  }
  r.nperf = std::move(ext);
  r.sender_has_retransmits = !any_sender ? -1 : (tcp_info ? 1 : 0);
  if (local.protocol == Protocol::kUdp && any_sender) r.sender_has_retransmits = 0;
  if (local.protocol == Protocol::kTcp && !local.congestion.empty()) r.congestion_used = local.congestion;
  return r;
}

}  // namespace nperf
