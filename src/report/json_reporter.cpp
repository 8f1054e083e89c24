#include "nperf/report/json_reporter.hpp"

#include <cstdint>
#include <utility>
#include <vector>

#include "nperf/engine/tcp_calls.hpp"
#include "nperf/report/json_end.hpp"
#include "nperf/stats/evidence_json.hpp"

// iperf3 3.12's -J document (iperf3-protocol.md §7). Key order follows iperf3;
// nperf-only data lives under "nperf" keys. Numbers: a double that is a whole
// number is written as an integer, as cJSON does; signed values stay signed.

namespace nperf::report {
namespace {

using Json = nlohmann::ordered_json;

// cJSON's number rule (json_end.hpp), for the many fields below.
constexpr auto num = &cjson_number;

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
  ts["timemillisecs"] = start.timemillisecs;  // iperf3 >= 3.20; older readers ignore it
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
  if (spec.protocol == Protocol::kTcp) {
    // nperf: bytes per send/recv call (several blocks when -l was not given; engine/tcp_calls.hpp).
    const uint32_t call = engine::tcp_call_len(spec.block_len, spec.call_len, spec.rate_bps, spec.burst);
    t["nperf"] =
        Json{{"tcp_call_bytes", call}, {"blocks_per_call", spec.block_len ? call / spec.block_len : 0}};
  }
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
    if (!options_.full_output) return;
  }
  doc_["intervals"].push_back(std::move(i));
}

void JsonReporter::on_end(const EndReport& end) {
  doc_["end"] = json_end(end, udp_, Side{options_.role}.is_server(), version_);
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
    if (!options_.full_output) {
      reset();
      return;
    }
  }
  std::string text = doc_.dump(1, '\t', false, Json::error_handler_t::replace);
  text += '\n';
  if (out_) out_(text);
  reset();
}

}  // namespace nperf::report
