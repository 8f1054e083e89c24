#include "nperf/stats/end_report.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace nperf {

namespace {

const protocol::StreamResult* peer_stream(const protocol::TestResults* peer, int id) {
  if (!peer) return nullptr;
  const protocol::StreamResult* found = nullptr;
  for (const auto& r : peer->streams)
    if (r.id == id) found = &r;  // the last one, should the peer repeat an id
  if (!found) throw UnknownPeerStream(fmt::format("the peer's results have no stream with id {}", id));
  return found;
}

// Packets the peer counted after its omit period (never negative).
uint64_t peer_packets(const protocol::StreamResult& remote) {
  return static_cast<uint64_t>(std::max<int64_t>(0, remote.packets - remote.omitted_packets.value_or(0)));
}

// The sender's half is this end's when it sends, else the peer's; so is the receiver's.
void fill_halves(const StreamTracker& t, const protocol::TestResults* peer,
                 const protocol::StreamResult* remote, EndStream* e) {
  if (e->info.sender) {
    e->sender_known = true;
    e->sent_bytes = t.measured_bytes();
    e->sender_seconds = t.measured_seconds();
    e->has_retransmits = t.has_tcp_info();
    e->retransmits = t.retransmits();
    e->max_snd_cwnd = t.max_snd_cwnd();
    e->max_snd_wnd = t.max_snd_wnd();
    e->max_rtt = t.max_rtt();
    e->min_rtt = t.min_rtt();
    e->mean_rtt = t.mean_rtt();
    if (remote) {
      e->receiver_known = true;
      e->received_bytes = remote->bytes;
      e->receiver_seconds = remote->end_time - remote->start_time;
    }
  } else {
    e->receiver_known = true;
    e->received_bytes = t.measured_bytes();
    e->receiver_seconds = t.measured_seconds();
    if (remote) {
      e->sender_known = true;
      e->sent_bytes = remote->bytes;
      e->sender_seconds = remote->end_time - remote->start_time;
      e->has_retransmits = peer->sender_has_retransmits == 1 && remote->retransmits >= 0;
      e->retransmits = e->has_retransmits ? remote->retransmits : 0;
    }
  }
}

// iperf3 uses the first stream's durations for every stream of a direction.
void share_first_durations(std::vector<EndStream>* streams) {
  for (bool forward : {true, false}) {
    const EndStream* first = nullptr;
    for (auto& e : *streams) {
      if (e.info.forward != forward) continue;
      if (!first) {
        first = &e;
        continue;
      }
      e.sender_seconds = first->sender_seconds;
      e.receiver_seconds = first->receiver_seconds;
    }
  }
}

}  // namespace

void fill_udp_figures(const StreamTracker& t, const protocol::StreamResult* remote, double omit_s,
                      EndStream* e) {
  e->udp = true;
  const UdpCounters& start = t.udp_at_start();
  const UdpCounters& end = t.udp_at_end();
  if (e->info.sender) {
    e->sender_packets = end.packets - start.packets;
    if (remote) {
      e->receiver_packets = peer_packets(*remote);
      // A pre-3.14 peer sends no omitted counts: with omit, its loss after omit is unknown.
      e->lost_packets = remote->omitted_errors ? remote->errors - *remote->omitted_errors
                                               : (omit_s > 0 && remote->errors > 0 ? -1 : remote->errors);
      e->jitter_ms = remote->jitter_s * 1000;
    }
  } else {
    e->receiver_packets = end.packets - start.packets;
    e->lost_packets = static_cast<int64_t>(end.lost - start.lost);
    e->out_of_order = static_cast<int64_t>(end.out_of_order - start.out_of_order);
    e->jitter_ms = end.jitter_s * 1000;
    e->host_dropped = static_cast<int64_t>(end.host_drops - start.host_drops);
    if (remote) e->sender_packets = peer_packets(*remote);
  }
}

EndReport end_report(const LocalTestTotals& local, const protocol::TestResults* peer,
                     bool peer_results_follow) {
  EndReport end;
  end.is_server = local.is_server;
  end.direction = local.direction;
  end.cpu = local.cpu;
  if (peer) {
    end.cpu.remote_total = peer->cpu_total;
    end.cpu.remote_user = peer->cpu_user;
    end.cpu.remote_system = peer->cpu_system;
  }
  for (const LocalStreamTotals& s : local.streams) {
    const StreamTracker& t = *s.tracker;
    EndStream e;
    e.info = t.info();
    e.pinned_cpu = s.pinned_cpu;
    e.cpus_seen = s.cpus_seen;
    const protocol::StreamResult* remote = peer_stream(peer, e.info.id);
    fill_halves(t, peer, remote, &e);
    if (t.udp()) fill_udp_figures(t, remote, local.omit_s, &e);
    end.streams.push_back(e);
  }
  share_first_durations(&end.streams);
  // Outside --bidir every stream goes one way and `sum` covers them all.
  end.sum = sum_streams(end.streams, local.direction != Direction::kReverse);
  if (local.direction == Direction::kBidir) end.sum_reverse = sum_streams(end.streams, false);
  // A stream's direction matches its local role exactly on the client.
  const auto& first = local.streams;
  bool local_is_client =
      !first.empty() && first.front().tracker->info().forward == first.front().tracker->info().sender;
  std::string remote_cc = peer ? peer->congestion_used : "";
  if (local.protocol == Protocol::kTcp) {
    end.sender_congestion = local_is_client ? local.congestion : remote_cc;
    end.receiver_congestion = local_is_client ? remote_cc : local.congestion;
  }
  attach_evidence(&end, local, peer, peer_results_follow);
  // A concurrent nperf server says what ran beside the test (the client prints it too).
  if (peer && peer->nperf && peer->nperf->server_test) attach_overlap(&end, *peer->nperf->server_test);
  attach_path(&end, local, peer);
  return end;
}

}  // namespace nperf
