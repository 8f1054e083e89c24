#include "nperf/protocol/results.hpp"
#include <fmt/format.h>

#include "nperf/protocol/json_access.hpp"
#include "nperf/protocol/params.hpp"

namespace nperf::protocol {

using nlohmann::ordered_json;

std::string encode_results(const TestResults& r) {
  ordered_json j;
  j["cpu_util_total"] = r.cpu_total;
  j["cpu_util_user"] = r.cpu_user;
  j["cpu_util_system"] = r.cpu_system;
  j["sender_has_retransmits"] = r.sender_has_retransmits;
  if (!r.congestion_used.empty()) j["congestion_used"] = r.congestion_used;
  if (r.server_output_json) j["server_output_json"] = *r.server_output_json;
  if (r.server_output_text) j["server_output_text"] = *r.server_output_text;
  ordered_json streams = ordered_json::array();
  for (const StreamResult& s : r.streams) {
    ordered_json o;
    o["id"] = s.id;
    o["bytes"] = s.bytes;
    o["retransmits"] = s.retransmits;
    o["jitter"] = s.jitter_s;
    o["errors"] = s.errors;
    o["omitted_errors"] = s.omitted_errors.value_or(0);
    o["packets"] = s.packets;
    o["omitted_packets"] = s.omitted_packets.value_or(0);
    o["start_time"] = s.start_time;
    o["end_time"] = s.end_time;
    streams.push_back(std::move(o));
  }
  j["streams"] = std::move(streams);
  if (r.nperf) j["nperf"] = encode_results_extension(*r.nperf);
  return j.dump();
}

namespace {

template <class T>
T require(std::optional<T> v, std::string_view key) {
  if (!v) throw JsonFieldError(fmt::format("missing '{}'", key));
  return *v;
}

StreamResult decode_stream(const nlohmann::ordered_json& o) {
  if (!o.is_object()) throw JsonFieldError("a stream entry is not an object");
  StreamResult s;
  s.id = static_cast<int>(require(get_int(o, "id"), "id"));
  int64_t bytes = require(get_int(o, "bytes"), "bytes");
  if (bytes < 0) throw JsonFieldError("'bytes' must not be negative");
  s.bytes = static_cast<uint64_t>(bytes);
  s.retransmits = require(get_int(o, "retransmits"), "retransmits");
  s.jitter_s = require(get_number(o, "jitter"), "jitter");
  s.errors = require(get_int(o, "errors"), "errors");
  s.packets = require(get_int(o, "packets"), "packets");
  s.omitted_errors = get_int(o, "omitted_errors");
  s.omitted_packets = get_int(o, "omitted_packets");
  if (s.omitted_errors.has_value() != s.omitted_packets.has_value())
    throw JsonFieldError("'omitted_errors' and 'omitted_packets' must come together");
  s.start_time = get_number(o, "start_time").value_or(0);
  s.end_time = get_number(o, "end_time").value_or(0);
  return s;
}

}  // namespace

DecodedResults decode_results(std::string_view text) {
  DecodedResults out;
  // Results may embed the server's whole -J output, hence the deeper limit.
  auto j = parse_json_object(text, 2 * kMaxJsonDepth, &out.error);
  if (!j) return out;
  try {
    TestResults r;
    r.cpu_total = require(get_number(*j, "cpu_util_total"), "cpu_util_total");
    r.cpu_user = require(get_number(*j, "cpu_util_user"), "cpu_util_user");
    r.cpu_system = require(get_number(*j, "cpu_util_system"), "cpu_util_system");
    r.sender_has_retransmits =
        static_cast<int>(require(get_int(*j, "sender_has_retransmits"), "sender_has_retransmits"));
    r.congestion_used = get_string(*j, "congestion_used").value_or("");
    const nlohmann::ordered_json* streams = find_key(*j, "streams");
    if (!streams || !streams->is_array()) throw JsonFieldError("missing 'streams' array");
    if (streams->size() > 2 * 128) throw JsonFieldError("too many streams");
    for (const auto& s : *streams) r.streams.push_back(decode_stream(s));
    if (const auto* out_json = find_key(*j, "server_output_json"); out_json && out_json->is_object())
      r.server_output_json = *out_json;
    r.server_output_text = get_string(*j, "server_output_text");
    if (const auto* ext = find_key(*j, "nperf"); ext && ext->is_object())
      r.nperf = decode_results_extension(*ext);
    out.results = std::move(r);
  } catch (const JsonFieldError& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace nperf::protocol
