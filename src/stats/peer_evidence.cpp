// Both ends' evidence side by side, and the verdicts drawn from it.
#include <map>

#include "nperf/stats/end_report.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {

namespace {

// The facts diagnose_stream reads, oriented sender/receiver.
StreamFacts stream_facts(const EndStream& e, const EndReport& end, const LocalTestTotals& local,
                         bool same_host, bool peer_results_follow) {
  const bool local_sends = e.info.sender;
  StreamFacts f;
  f.udp = e.udp;
  f.seconds = e.receiver_known && e.receiver_seconds > 0 ? e.receiver_seconds : e.sender_seconds;
  f.sent_known = e.sender_known;
  f.sent_bytes = e.sent_bytes;
  f.received_known = e.receiver_known;
  f.received_bytes = e.received_bytes;
  f.target_bps = local.rate_bps;
  f.fq_rate_bps = local.fq_rate_bps;
  f.same_host = same_host;
  f.peer_half_pending = peer_results_follow;
  f.sender = local_sends ? e.local_evidence : e.remote_evidence;
  f.receiver = local_sends ? e.remote_evidence : e.local_evidence;
  f.sender_buffers = local_sends ? end.local_buffers : end.remote_buffers;
  f.receiver_buffers = local_sends ? end.remote_buffers : end.local_buffers;
  if (e.udp) {
    f.packets = static_cast<int64_t>(e.receiver_packets ? e.receiver_packets : e.sender_packets);
    f.lost = e.lost_packets;
    f.host_drops = e.host_dropped;
  }
  return f;
}

}  // namespace

void attach_evidence(EndReport* end, const LocalTestTotals& local, const protocol::TestResults* peer,
                     bool peer_results_follow) {
  end->local_buffers = local.buffers;
  // The peer's half (nperf peers only); what it sent malformed is simply unknown.
  std::map<int, StreamEvidence> remote;
  bool same_host = false;
  if (peer && peer->nperf) {
    same_host = !local.boot_id.empty() && peer->nperf->boot_id == local.boot_id;
    end->remote_buffers = peer->nperf->buffers;
    for (const auto& s : peer->nperf->streams) remote[s.id] = s.evidence;
  }
  std::vector<Verdict> verdicts;
  for (size_t i = 0; i < end->streams.size() && i < local.streams.size(); ++i) {
    EndStream& e = end->streams[i];
    e.local_evidence = local.streams[i].evidence;
    if (auto it = remote.find(e.info.id); it != remote.end()) e.remote_evidence = it->second;
    if (e.udp && e.info.sender && e.remote_evidence.known) e.host_dropped = e.remote_evidence.host_drops;
    StreamFacts f = stream_facts(e, *end, local, same_host, peer_results_follow);
    if (f.seconds <= 0 || (f.sent_bytes == 0 && f.received_bytes == 0)) continue;
    e.verdict = diagnose_stream(f);
    if (local.direction == Direction::kBidir) e.verdict->direction = e.info.forward ? 1 : -1;
    verdicts.push_back(*e.verdict);
  }
  if (!verdicts.empty()) end->verdict = diagnose_test(verdicts);
}

}  // namespace nperf
