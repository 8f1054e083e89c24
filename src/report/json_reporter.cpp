#include "nperf/report/json_reporter.hpp"

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "nperf/report/end_figures.hpp"
#include "nperf/stats/evidence_json.hpp"

// iperf3 3.12's -J document (iperf3-protocol.md §7). Key order follows iperf3;
// nperf-only data lives under "nperf" keys. Numbers: a double that is a whole
// number is written as an integer, as cJSON does; signed values stay signed.

namespace nperf::report {
namespace {

using Json = nlohmann::ordered_json;

// cJSON prints a double equal to its int64 conversion as an integer.
Json num(double d) {
  if (!std::isfinite(d)) return nullptr;  // cJSON: NaN/Inf -> null
  if (d >= -9.2e18 && d <= 9.2e18) {
    const auto i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d) return i;
  }
  return d;
}

// §7.4: UDP senders print their datagram count, receivers jitter and loss.
void add_udp_interval(Json& j, bool sender, uint64_t packets, double jitter_ms, int64_t lost,
                      double lost_pct) {
  if (sender) {
    j["packets"] = packets;
    return;
  }
  j["jitter_ms"] = num(jitter_ms);
  j["lost_packets"] = lost;
  j["packets"] = packets;
  j["lost_percent"] = num(lost_pct);
}

Json interval_stream(const IntervalStream& s, bool udp) {
  Json j = Json::object();
  j["socket"] = s.socket;
  j["start"] = num(s.start);
  j["end"] = num(s.end);
  j["seconds"] = num(s.seconds);
  j["bytes"] = s.bytes;
  j["bits_per_second"] = num(s.bits_per_second);
  if (udp || s.udp) {
    add_udp_interval(j, s.sender, s.packets, s.jitter_ms, s.lost_packets, s.lost_percent);
  } else if (s.has_tcp_info && s.sender) {
    j["retransmits"] = s.retransmits;
    j["snd_cwnd"] = s.snd_cwnd;
    j["snd_wnd"] = s.snd_wnd;
    j["rtt"] = s.rtt;
    j["rttvar"] = s.rttvar;
    j["pmtu"] = s.pmtu;
  }
  j["omitted"] = s.omitted;
  j["sender"] = s.sender;
  // nperf: this end's evidence for the interval (iperf3 readers skip the key).
  if (s.evidence.known) j["nperf"] = evidence_to_json(s.evidence);
  return j;
}

Json interval_sum(const IntervalSum& s, bool udp) {
  Json j = Json::object();
  j["start"] = num(s.start);
  j["end"] = num(s.end);
  j["seconds"] = num(s.seconds);
  j["bytes"] = s.bytes;
  j["bits_per_second"] = num(s.bits_per_second);
  if (udp || s.udp) {
    add_udp_interval(j, s.sender, s.packets, s.jitter_ms, s.lost_packets, s.lost_percent);
  } else if (s.has_retransmits && s.sender) {
    j["retransmits"] = s.retransmits;
  }
  j["omitted"] = s.omitted;
  j["sender"] = s.sender;
  return j;
}

// end.streams[i]: {"sender": {...}, "receiver": {...}}. `own_seconds` is the
// first stream's duration as measured on this host: iperf3 prints it as the
// receiver's "seconds" for every stream (§7.5 quirk).
Json end_stream(const EndStream& s, double own_seconds) {
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
  snd["bits_per_second"] = num(rate(sent, st));
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
  rcv["bits_per_second"] = num(rate(received, rt));
  rcv["sender"] = s.info.sender;

  Json j = Json::object();
  j["sender"] = std::move(snd);
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
  j["bits_per_second"] = num(rate(bytes, st));
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
  j["bits_per_second"] = num(rate(bytes, rt));
  j["sender"] = sender;
  return j;
}

bool sum_is_empty(const EndSum& s) {
  return !s.sender_known && !s.receiver_known && s.sent_bytes == 0 && s.received_bytes == 0;
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
  u["bits_per_second"] = num(rate(sent, st));
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

// One direction's UDP totals. EndSum counts an unknown loss (-1) as 0; a sum
// over such a stream prints -1 as well.
struct UdpTotals {
  EndSum sum;
  int64_t lost = 0;
};

UdpTotals udp_totals(const EndSum& sum, const std::vector<const EndStream*>& streams) {
  UdpTotals t{sum, sum.lost_packets};
  for (const EndStream* s : streams)
    if (s->lost_packets < 0) t.lost = -1;
  return t;
}

// end.sum / sum_bidir_reverse: receiver duration, sent bytes over the sender
// duration, mean jitter, loss over the packets.
Json udp_sum(const UdpTotals& t, bool sender) {
  const EndSum& s = t.sum;
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const double rt = receiver_time(st, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  const uint64_t packets = udp_packets(s.sender_packets, s.receiver_packets);
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(rt);
  j["seconds"] = num(rt);
  j["bytes"] = sent;
  j["bits_per_second"] = num(rate(sent, st));
  j["jitter_ms"] = num(s.jitter_ms);
  j["lost_packets"] = t.lost;
  j["packets"] = packets;
  j["lost_percent"] = num(lost_percent(t.lost, packets));
  j["sender"] = sender;
  return j;
}

// sum_sent: the sender's view; iperf3 always prints "sender": true here.
Json udp_sum_sent(const UdpTotals& t) {
  const EndSum& s = t.sum;
  const double st = sender_time(s.sender_seconds, s.receiver_seconds);
  const uint64_t sent = s.sender_known ? s.sent_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(st);
  j["seconds"] = num(st);
  j["bytes"] = sent;
  j["bits_per_second"] = num(rate(sent, st));
  j["jitter_ms"] = 0;
  j["lost_packets"] = 0;
  j["packets"] = s.sender_packets;
  j["lost_percent"] = 0;
  j["sender"] = true;
  return j;
}

// sum_received: the receiver's view; iperf3 always prints "sender": false here.
Json udp_sum_received(const UdpTotals& t) {
  const EndSum& s = t.sum;
  const double rt = receiver_time(sender_time(s.sender_seconds, s.receiver_seconds), s.receiver_seconds);
  const uint64_t received = s.receiver_known ? s.received_bytes : 0;
  Json j = Json::object();
  j["start"] = 0;
  j["end"] = num(rt);
  j["seconds"] = num(rt);
  j["bytes"] = received;
  j["bits_per_second"] = num(rate(received, rt));
  j["jitter_ms"] = num(s.jitter_ms);
  j["lost_packets"] = t.lost;
  j["packets"] = s.receiver_packets;
  j["lost_percent"] = num(lost_percent(t.lost, s.receiver_packets));
  j["sender"] = false;
  return j;
}

}  // namespace

JsonReporter::JsonReporter(JsonOptions options, std::function<void(std::string_view)> out)
    : options_(std::move(options)), out_(std::move(out)) {
  reset();
}

void JsonReporter::reset() {
  doc_ = Json::object();
  doc_["start"] = Json::object();
  doc_["start"]["connected"] = Json::array();
  doc_["intervals"] = Json::array();
  doc_["end"] = Json::object();
  header_done_ = false;
  test_started_ = false;
  udp_ = false;
  version_.clear();
  spec_title_.clear();
  if (!options_.title.empty()) put_top("title", options_.title);
}

void JsonReporter::put_top(const char* key, Json value) {
  // Rebuild the top level so that late keys still come out in iperf3's order:
  // start, intervals, end, error, title, extra_data, server_output_json,
  // server_output_text, then nperf's own.
  static constexpr const char* kOrder[] = {
      "start", "intervals", "end", "error", "title", "extra_data", "server_output_json", "server_output_text",
      "nperf"};
  doc_[key] = std::move(value);
  Json ordered = Json::object();
  for (const char* k : kOrder) {
    auto it = doc_.find(k);
    if (it != doc_.end()) ordered[k] = std::move(*it);
  }
  for (auto it = doc_.begin(); it != doc_.end(); ++it) {
    if (!ordered.contains(it.key())) ordered[it.key()] = std::move(it.value());
  }
  doc_ = std::move(ordered);
}

Json& JsonReporter::nperf_top() {
  if (!doc_.contains("nperf")) put_top("nperf", Json::object());
  return doc_["nperf"];
}

void JsonReporter::on_server_listening(int, int) {}

void JsonReporter::add_start_header(const TestStartInfo& start) {
  if (header_done_) return;
  header_done_ = true;
  version_ = start.version;
  const TestSpec& spec = start.spec;
  const bool tcp = spec.protocol == Protocol::kTcp;
  udp_ = spec.protocol == Protocol::kUdp;
  Json& s = doc_["start"];
  s["version"] = start.version;
  s["system_info"] = start.system_info;
  if (start.is_server) {
    // 3.12 prints these before the timestamp on the server; target_bitrate
    // only when non-zero (it is repeated, always, further down).
    if (spec.rate_bps != 0) s["target_bitrate"] = spec.rate_bps;
    if (tcp) {
      s["sock_bufsize"] = start.sock_bufsize;
      s["sndbuf_actual"] = start.sndbuf_actual;
      s["rcvbuf_actual"] = start.rcvbuf_actual;
    }
  }
  Json ts = Json::object();
  ts["time"] = start.time_rfc1123;
  ts["timesecs"] = start.timesecs;
  s["timestamp"] = std::move(ts);
  Json peer = Json::object();
  peer["host"] = start.host;
  peer["port"] = start.port;
  s[start.is_server ? "accepted_connection" : "connecting_to"] = std::move(peer);
  s["cookie"] = start.cookie;
  if (tcp) {
    if (spec.mss > 0) {
      s["tcp_mss"] = start.tcp_mss > 0 ? start.tcp_mss : spec.mss;
    } else {
      s["tcp_mss_default"] = start.tcp_mss_default;
    }
  }
  s["target_bitrate"] = spec.rate_bps;
  if (!spec.title.empty()) spec_title_ = spec.title;
  if (options_.title.empty() && !spec_title_.empty()) put_top("title", spec_title_);
  if (!spec.extra_data.empty()) put_top("extra_data", spec.extra_data);  // both ends, as iperf3
}

void JsonReporter::on_connected(const TestStartInfo& start) {
  add_start_header(start);
}

void JsonReporter::on_stream_connected(const StreamInfo& stream) {
  Json c = Json::object();
  c["socket"] = stream.socket;
  c["local_host"] = stream.local_host;
  c["local_port"] = stream.local_port;
  c["remote_host"] = stream.remote_host;
  c["remote_port"] = stream.remote_port;
  doc_["start"]["connected"].push_back(std::move(c));
}

void JsonReporter::on_test_start(const TestStartInfo& start) {
  add_start_header(start);
  if (test_started_) return;
  test_started_ = true;
  const TestSpec& spec = start.spec;
  Json& s = doc_["start"];
  // Client (and UDP server): appended here; TCP server: updates the values
  // printed before the timestamp in place.
  s["sock_bufsize"] = start.sock_bufsize;
  s["sndbuf_actual"] = start.sndbuf_actual;
  s["rcvbuf_actual"] = start.rcvbuf_actual;

  Json t = Json::object();
  t["protocol"] = spec.protocol == Protocol::kTcp ? "TCP" : "UDP";
  t["num_streams"] = spec.parallel;
  t["blksize"] = spec.block_len;
  t["omit"] = spec.omit_s;
  t["duration"] = num(spec.duration_s);
  t["bytes"] = spec.bytes;
  t["blocks"] = spec.blocks;
  t["reverse"] = spec.direction == Direction::kReverse ? 1 : 0;
  t["tos"] = spec.tos;
  t["target_bitrate"] = spec.rate_bps;
  t["bidir"] = spec.direction == Direction::kBidir ? 1 : 0;
  t["fqrate"] = spec.fq_rate_bps;
  t["interval"] = num(start.interval_s);
  s["test_start"] = std::move(t);
  if (options_.stream) emit_event("start", s);
}

void JsonReporter::on_interval(const IntervalReport& interval) {
  Json i = Json::object();
  Json streams = Json::array();
  for (const IntervalStream& s : interval.streams) streams.push_back(interval_stream(s, udp_));
  i["streams"] = std::move(streams);
  i["sum"] = interval_sum(interval.sum, udp_);
  if (interval.sum_reverse) i["sum_bidir_reverse"] = interval_sum(*interval.sum_reverse, udp_);
  if (options_.stream) {
    emit_event("interval", i);  // not kept: a long streamed test holds no history
    return;
  }
  doc_["intervals"].push_back(std::move(i));
}

void JsonReporter::on_end(const EndReport& end) {
  Json e = Json::object();

  double own_seconds = 0;
  if (!end.streams.empty()) {
    const EndStream& first = end.streams.front();
    const double st = sender_time(first.sender_seconds, first.receiver_seconds);
    own_seconds = first.info.sender ? st : receiver_time(st, first.receiver_seconds);
  }
  bool udp = udp_ || end.sum.udp || (end.sum_reverse && end.sum_reverse->udp);
  for (const EndStream& s : end.streams) udp = udp || s.udp;

  Json streams = Json::array();
  for (const EndStream& s : end.streams)
    streams.push_back(udp ? udp_end_stream(s) : end_stream(s, own_seconds));
  e["streams"] = std::move(streams);

  // Whether this host sends in a direction: as its streams say, else by its
  // role (the client sends client->server).
  const bool server = options_.is_server || end.is_server;
  auto local_sender = [&](bool forward) {
    for (const EndStream& s : end.streams)
      if (s.info.forward == forward) return s.info.sender;
    return forward != server;
  };
  auto streams_of = [&](bool all, bool forward) {
    std::vector<const EndStream*> out;
    for (const EndStream& s : end.streams)
      if (all || s.info.forward == forward) out.push_back(&s);
    return out;
  };

  if (end.direction == Direction::kBidir) {
    // `sum` is client->server on both ends, `sum_reverse` server->client.
    const bool fwd_sender = local_sender(true);
    const EndSum rev = end.sum_reverse.value_or(EndSum{});
    if (udp) {
      const UdpTotals f = udp_totals(end.sum, streams_of(false, true));
      const UdpTotals r = udp_totals(rev, streams_of(false, false));
      e["sum"] = udp_sum(f, fwd_sender);
      e["sum_sent"] = udp_sum_sent(f);
      e["sum_received"] = udp_sum_received(f);
      e["sum_bidir_reverse"] = udp_sum(r, !fwd_sender);
      e["sum_sent_bidir_reverse"] = udp_sum_sent(r);
      e["sum_received_bidir_reverse"] = udp_sum_received(r);
    } else {
      e["sum_sent"] = sum_sent(end.sum, fwd_sender);
      e["sum_received"] = sum_received(end.sum, fwd_sender);
      e["sum_sent_bidir_reverse"] = sum_sent(rev, !fwd_sender);
      e["sum_received_bidir_reverse"] = sum_received(rev, !fwd_sender);
    }
  } else {
    // One direction: all streams go the same way.
    const bool forward =
        end.streams.empty() ? end.direction == Direction::kForward : end.streams.front().info.forward;
    const bool sender = local_sender(forward);
    const EndSum& sum = (sum_is_empty(end.sum) && end.sum_reverse) ? *end.sum_reverse : end.sum;
    if (udp) {
      const UdpTotals t = udp_totals(sum, streams_of(true, forward));
      e["sum"] = udp_sum(t, sender);
      e["sum_sent"] = udp_sum_sent(t);
      e["sum_received"] = udp_sum_received(t);
    } else {
      e["sum_sent"] = sum_sent(sum, sender);
      e["sum_received"] = sum_received(sum, sender);
    }
  }

  Json cpu = Json::object();
  cpu["host_total"] = num(end.cpu.host_total);
  cpu["host_user"] = num(end.cpu.host_user);
  cpu["host_system"] = num(end.cpu.host_system);
  cpu["remote_total"] = num(end.cpu.remote_total);
  cpu["remote_user"] = num(end.cpu.remote_user);
  cpu["remote_system"] = num(end.cpu.remote_system);
  e["cpu_utilization_percent"] = std::move(cpu);
  // iperf3 names the algorithms by who sends the data: in -R the server does.
  bool reverse = end.direction == Direction::kReverse;
  const std::string& sending = reverse ? end.receiver_congestion : end.sender_congestion;
  const std::string& receiving = reverse ? end.sender_congestion : end.receiver_congestion;
  if (!sending.empty()) e["sender_tcp_congestion"] = sending;
  if (!receiving.empty()) e["receiver_tcp_congestion"] = receiving;

  // nperf extension: where each local worker ran.
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
  ext["version"] = version_;
  e["nperf"] = std::move(ext);

  doc_["end"] = std::move(e);

  if (end.server_output_json) {
    Json parsed = Json::parse(*end.server_output_json, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_discarded()) {
      nperf_top()["warnings"].push_back("server output is not valid JSON");
    } else {
      put_top("server_output_json", std::move(parsed));
    }
  }
  if (!end.server_output_text.empty()) put_top("server_output_text", end.server_output_text);
}

void JsonReporter::on_warning(const std::string& message) {
  Json& ext = nperf_top();
  if (!ext.contains("warnings")) ext["warnings"] = Json::array();
  ext["warnings"].push_back(message);
}

void JsonReporter::on_error(const std::string& message) {
  if (!doc_.contains("error")) {
    put_top("error", message);
    return;
  }
  // iperf3 has room for one message; later ones are kept as nperf data.
  Json& ext = nperf_top();
  if (!ext.contains("errors")) ext["errors"] = Json::array();
  ext["errors"].push_back(message);
}

void JsonReporter::emit_event(const char* name, const Json& data) {
  Json event = Json::object();
  event["event"] = name;
  event["data"] = data;
  if (out_) out_(event.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
}

void JsonReporter::on_finish() {
  if (options_.stream) {
    // iperf3's order at the end: error, server output, then end. nperf's
    // top-level extras (warnings, further errors) come just before end.
    for (const char* key : {"error", "server_output_json", "server_output_text", "nperf"})
      if (doc_.contains(key)) emit_event(key, doc_[key]);
    emit_event("end", doc_["end"]);
    reset();
    return;
  }
  std::string text = doc_.dump(1, '\t', false, Json::error_handler_t::replace);
  text += '\n';
  if (out_) out_(text);
  reset();
}

}  // namespace nperf::report
