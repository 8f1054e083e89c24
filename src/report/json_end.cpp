#include "nperf/report/json_end.hpp"

#include <utility>
#include <vector>

#include "nperf/protocol/results_extension.hpp"
#include "nperf/report/end_figures.hpp"
#include "nperf/stats/end_groups.hpp"
#include "nperf/stats/evidence_json.hpp"

namespace nperf::report {
namespace {

using Json = nlohmann::ordered_json;
constexpr auto num = &cjson_number;

// end.streams[i]: {"sender": {...}, "receiver": {...}}. `own_seconds` is the
// first stream's duration as measured on this host: iperf3 prints it as the
// receiver's "seconds" for every stream (§7.5 quirk).
Json end_stream(const EndStream& s, double own_seconds, const std::optional<DataFileFigures>& file) {
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const double rt = receiver_time(st, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  const uint64_t received = s.receiver_known ? s.received_bytes : 0;

  Json snd = Json::object();
  snd["socket"] = s.info.socket;
  snd["start"] = 0;
  snd["end"] = num(st);
  snd["seconds"] = num(st);
  snd["bytes"] = sent;
  snd["bits_per_second"] = num(bits_per_second(sent, st));
  if (s.sender_known && s.has_retransmits) {
    snd["retransmits"] = s.retransmits;
    snd["max_snd_cwnd"] = s.max_snd_cwnd;
    snd["max_snd_wnd"] = s.max_snd_wnd;
    snd["max_rtt"] = s.max_rtt;
    snd["min_rtt"] = s.min_rtt;
    snd["mean_rtt"] = s.mean_rtt;
  }
  snd["sender"] = s.info.sender;

  Json rcv = Json::object();
  rcv["socket"] = s.info.socket;
  rcv["start"] = 0;
  rcv["end"] = num(rt);
  rcv["seconds"] = num(own_seconds);
  rcv["bytes"] = received;
  rcv["bits_per_second"] = num(bits_per_second(received, rt));
  rcv["sender"] = s.info.sender;

  Json j = Json::object();
  j["sender"] = std::move(snd);
  // -F: iperf3 puts the file's figures between the two halves.
  if (file)
    j["diskfile"] = Json{{"sent", sent},
                         {"received", received},
                         {"size", file->size},
                         {"percent_sent", file_percent(sent, file->size)},
                         {"percent_received", file_percent(received, file->size)},
                         {"filename", file->name}};
  j["receiver"] = std::move(rcv);
  return j;
}

Json sum_sent(const EndSum& s, bool sender) {
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const uint64_t bytes = s.sender_known ? s.sent_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(st);
  j["seconds"] = num(st);
  j["bytes"] = bytes;
  j["bits_per_second"] = num(bits_per_second(bytes, st));
  if (s.sender_known && s.has_retransmits) j["retransmits"] = s.retransmits;
  j["sender"] = sender;
  return j;
}

Json sum_received(const EndSum& s, bool sender) {
  const double rt = receiver_time(sender_time(s.sender_seconds, s.receiver_seconds), s.receiver_seconds);
  const uint64_t bytes = s.receiver_known ? s.received_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(rt);
  j["seconds"] = num(rt);
  j["bytes"] = bytes;
  j["bits_per_second"] = num(bits_per_second(bytes, rt));
  j["sender"] = sender;
  return j;
}

// ---- UDP end objects (§7.5). One JSON object per stream ("udp") mixes the
// sender's and the receiver's figures; `sum` likewise, next to `sum_sent` and
// `sum_received`.

// Packets of a stream or sum: the sender's count when known, else the receiver's.
uint64_t udp_packets(uint64_t sender_packets, uint64_t receiver_packets) {
  return sender_packets ? sender_packets : receiver_packets;
}

// end.streams[i]: {"udp": {...}}. bytes/bits_per_second are the sent ones
// (0 where the sender's half is unknown, e.g. on a receiving server).
Json udp_end_stream(const EndStream& s) {
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  const uint64_t packets = udp_packets(s.sender_packets, s.receiver_packets);
  Json u = Json::object();
  u["socket"] = s.info.socket;
  u["start"] = 0;
  u["end"] = num(st);
  u["seconds"] = num(st);
  u["bytes"] = sent;
  u["bits_per_second"] = num(bits_per_second(sent, st));
  u["jitter_ms"] = num(s.jitter_ms);
  u["lost_packets"] = s.lost_packets;
  u["packets"] = packets;
  u["lost_percent"] = num(lost_percent(s.lost_packets, packets));
  u["out_of_order"] = s.out_of_order;
  u["sender"] = s.info.sender;
  Json j = Json::object();
  j["udp"] = std::move(u);
  return j;
}

// A direction's loss: EndSum counts an unknown loss (-1) as 0; a sum over
// such a stream prints -1 as well.
int64_t group_lost(const EndGroup& g) {
  return g.loss_known ? g.sum.lost_packets : -1;
}

// end.sum / sum_bidir_reverse: receiver duration, sent bytes over the sender
// duration, mean jitter, loss over the packets.
Json udp_sum(const EndGroup& g, bool sender) {
  const EndSum& s = g.sum;
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const double rt = receiver_time(st, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  const uint64_t packets = udp_packets(s.sender_packets, s.receiver_packets);
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(rt);
  j["seconds"] = num(rt);
  j["bytes"] = sent;
  j["bits_per_second"] = num(bits_per_second(sent, st));
  j["jitter_ms"] = num(s.jitter_ms);
  j["lost_packets"] = group_lost(g);
  j["packets"] = packets;
  j["lost_percent"] = num(lost_percent(group_lost(g), packets));
  j["sender"] = sender;
  return j;
}

// sum_sent: the sender's view; iperf3 always prints "sender": true here.
Json udp_sum_sent(const EndGroup& g) {
  const EndSum& s = g.sum;
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(st);
  j["seconds"] = num(st);
  j["bytes"] = sent;
  j["bits_per_second"] = num(bits_per_second(sent, st));
  j["jitter_ms"] = 0;
  j["lost_packets"] = 0;
  j["packets"] = s.sender_packets;
  j["lost_percent"] = 0;
  j["sender"] = true;
  return j;
}

// sum_received: the receiver's view; iperf3 always prints "sender": false here.
Json udp_sum_received(const EndGroup& g) {
  const EndSum& s = g.sum;
  const double rt = receiver_time(sender_time(s.sender_seconds, s.receiver_seconds), s.receiver_seconds);
  const uint64_t received = s.receiver_known ? s.received_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(rt);
  j["seconds"] = num(rt);
  j["bytes"] = received;
  j["bits_per_second"] = num(bits_per_second(received, rt));
  j["jitter_ms"] = num(s.jitter_ms);
  j["lost_packets"] = group_lost(g);
  j["packets"] = s.receiver_packets;
  j["lost_percent"] = num(lost_percent(group_lost(g), s.receiver_packets));
  j["sender"] = false;
  return j;
}

// --bidir: `sum` is client->server on both ends, `sum_reverse` server->client.
void add_bidir_sums(Json& e, const EndGroup& f, const EndGroup& r) {
  if (f.udp) {
    e["sum"] = udp_sum(f, f.local_sends);
    e["sum_sent"] = udp_sum_sent(f);
    e["sum_received"] = udp_sum_received(f);
    e["sum_bidir_reverse"] = udp_sum(r, r.local_sends);
    e["sum_sent_bidir_reverse"] = udp_sum_sent(r);
    e["sum_received_bidir_reverse"] = udp_sum_received(r);
  } else {
    e["sum_sent"] = sum_sent(f.sum, f.local_sends);
    e["sum_received"] = sum_received(f.sum, f.local_sends);
    e["sum_sent_bidir_reverse"] = sum_sent(r.sum, r.local_sends);
    e["sum_received_bidir_reverse"] = sum_received(r.sum, r.local_sends);
  }
}

// One direction: all streams go the same way.
void add_one_way_sums(Json& e, const EndGroup& g) {
  if (g.udp) {
    e["sum"] = udp_sum(g, g.local_sends);
    e["sum_sent"] = udp_sum_sent(g);
    e["sum_received"] = udp_sum_received(g);
  } else {
    e["sum_sent"] = sum_sent(g.sum, g.local_sends);
    e["sum_received"] = sum_received(g.sum, g.local_sends);
  }
}

Json cpu_utilization(const CpuUtilization& c) {
  Json cpu = Json::object();
  cpu["host_total"] = num(c.host_total);
  cpu["host_user"] = num(c.host_user);
  cpu["host_system"] = num(c.host_system);
  cpu["remote_total"] = num(c.remote_total);
  cpu["remote_user"] = num(c.remote_user);
  cpu["remote_system"] = num(c.remote_system);
  return cpu;
}

// end.nperf.path: each end's record as it sent it, the conntrack changes, and
// the NAT finding (null without both ends' views: an iperf3 peer that sent no
// server output, or the server before the results exchange).
Json path_json(const PathReport& p) {
  Json j = Json::object();
  j["local"] = protocol::path_to_json(p.local);
  if (p.remote) j["remote"] = protocol::path_to_json(*p.remote);
  // Where `remote` came from: the peer's nperf record, or an iperf3 server's output.
  j["remote_source"] =
      !p.remote ? Json(nullptr) : Json(p.remote_from_server_output ? "server_output" : "nperf");
  auto change = [](const protocol::PathRecord& r) {
    ConntrackChange c = conntrack_change(r.conntrack_before, r.conntrack_after);
    if (!c.known) return Json(nullptr);
    return Json{{"count", c.count},
                {"max", c.max},
                {"drop", c.drop},
                {"insert_failed", c.insert_failed},
                {"early_drop", c.early_drop},
                {"trouble", conntrack_trouble(c)}};
  };
  j["conntrack_change"] =
      Json{{"local", change(p.local)}, {"remote", p.remote ? change(*p.remote) : Json(nullptr)}};
  if (!p.remote) {
    j["nat"] = nullptr;
  } else if (auto n = find_nat(p)) {
    j["nat"] = Json{{"source", n->source},
                    {"destination", n->destination},
                    {"client", protocol::format_endpoint(n->client_own)},
                    {"client_seen_as", protocol::format_endpoint(n->client_seen)},
                    {"server_reached_at", protocol::format_endpoint(n->server_reached)},
                    {"server", protocol::format_endpoint(n->server_own)},
                    {"text", nat_sentence(*n)}};
  } else {
    j["nat"] = false;
  }
  return j;
}

// end.nperf: where each local worker ran, both ends' evidence and buffers, the verdicts.
Json nperf_end(const EndReport& end, const std::string& version) {
  Json ext = Json::object();
  Json ext_streams = Json::array();
  for (const EndStream& s : end.streams) {
    Json x = Json::object();
    x["socket"] = s.info.socket;
    x["id"] = s.info.id;
    x["pinned_cpu"] = s.pinned_cpu;
    x["cpus_seen"] = s.cpus_seen;
    if (s.udp && s.host_dropped >= 0) x["host_dropped"] = s.host_dropped;
    Json evidence = Json::object();
    if (s.local_evidence.known) evidence["local"] = evidence_to_json(s.local_evidence);
    if (s.remote_evidence.known) evidence["remote"] = evidence_to_json(s.remote_evidence);
    x["evidence"] = std::move(evidence);
    if (s.verdict) x["verdict"] = verdict_to_json(*s.verdict);
    ext_streams.push_back(std::move(x));
  }
  ext["streams"] = std::move(ext_streams);
  Json buffers = Json::object();
  if (end.local_buffers.known) buffers["local"] = buffers_to_json(end.local_buffers);
  if (end.remote_buffers.known) buffers["remote"] = buffers_to_json(end.remote_buffers);
  ext["buffers"] = std::move(buffers);
  if (end.verdict) ext["verdict"] = verdict_to_json(*end.verdict);
  if (end.overlap) ext["server_test"] = protocol::overlap_to_json(*end.overlap);
  if (end.path) ext["path"] = path_json(*end.path);
  ext["version"] = version;
  return ext;
}

}  // namespace

Json json_end(const EndReport& end, bool udp_test, bool is_server, const std::string& version) {
  Json e = Json::object();
  double own_seconds = 0;
  if (!end.streams.empty()) {
    const EndStream& first = end.streams.front();
    const double st = sender_time(first.sender_seconds, first.receiver_seconds);
    own_seconds = first.info.sender ? st : receiver_time(st, first.receiver_seconds);
  }
  const std::vector<EndGroup> groups = end_groups(end, is_server, udp_test);
  const bool udp = groups.front().udp;

  Json streams = Json::array();
  for (const EndStream& s : end.streams)
    streams.push_back(udp ? udp_end_stream(s) : end_stream(s, own_seconds, end.data_file));
  e["streams"] = std::move(streams);

  if (groups.size() == 2)
    add_bidir_sums(e, groups[0], groups[1]);
  else
    add_one_way_sums(e, groups.front());

  e["cpu_utilization_percent"] = cpu_utilization(end.cpu);
  // iperf3 names the algorithms by who sends the data: in -R the server does.
  bool reverse = end.direction == Direction::kReverse;
  const std::string& sending = reverse ? end.receiver_congestion : end.sender_congestion;
  const std::string& receiving = reverse ? end.sender_congestion : end.receiver_congestion;
  if (!sending.empty()) e["sender_tcp_congestion"] = sending;
  if (!receiving.empty()) e["receiver_tcp_congestion"] = receiving;

  e["nperf"] = nperf_end(end, version);
  return e;
}

}  // namespace nperf::report
