#include "nperf/protocol/results_extension.hpp"

#include <cmath>

#include "nperf/protocol/json_access.hpp"

namespace nperf::protocol {

using Json = nlohmann::ordered_json;

// Half away from zero like std::round, which would pull in libm
// (CMakeLists.txt); values here are far below 2^63 / 1e4.
double round4(double v) {
  const double scaled = v * 1e4;
  if (!(std::fabs(scaled) < 9e18)) return v;
  return static_cast<double>(static_cast<int64_t>(scaled + (scaled < 0 ? -0.5 : 0.5))) / 1e4;
}

namespace {

// A peer's number, kept only when finite and inside [lo, hi].
double bounded(const Json& j, const char* key, double lo, double hi, double fallback) {
  std::optional<double> v = get_number(j, key);
  if (!v || !std::isfinite(*v) || *v < lo || *v > hi) return fallback;
  return *v;
}

int64_t bounded_int(const Json& j, const char* key, int64_t lo, int64_t hi, int64_t fallback) {
  std::optional<int64_t> v = get_int(j, key);
  if (!v || *v < lo || *v > hi) return fallback;
  return *v;
}

constexpr int64_t kMaxCount = int64_t{1} << 62;

}  // namespace

Json evidence_to_json(const StreamEvidence& e) {
  Json j = Json::object();
  j["seconds"] = round4(e.seconds);
  j["sender"] = e.sender;
  if (e.tcp_info && e.sender) {
    j["busy"] = round4(e.busy);
    j["rwnd_limited"] = round4(e.rwnd_limited);
    j["sndbuf_limited"] = round4(e.sndbuf_limited);
    j["delivery_rate_bps"] = e.delivery_rate_bps;
    j["pacing_rate_bps"] = e.pacing_rate_bps;
    j["notsent_bytes"] = e.notsent_bytes;
    j["rtt_us"] = e.rtt_us;
    j["min_rtt_us"] = e.min_rtt_us;
    j["snd_cwnd"] = e.snd_cwnd;
    j["snd_wnd"] = e.snd_wnd;
    if (e.mss > 0) j["mss"] = e.mss;
    j["retransmits"] = e.retransmits;
    j["retransmit_percent"] = round4(e.retransmit_ratio * 100);
  } else if (e.tcp_info) {
    j["rcv_space"] = e.rcv_space;
  }
  j["cpu_user_s"] = round4(e.cpu_user_s);
  j["cpu_system_s"] = round4(e.cpu_system_s);
  j["thread_cpu"] = round4(e.thread_cpu);
  j["thread_wait"] = round4(e.thread_wait);
  j["cpu"] = e.cpu;
  j["pinned"] = e.pinned;
  j["core_busy"] = round4(e.core_busy);
  if (e.host_busy >= 0) j["host_busy"] = round4(e.host_busy);
  if (e.host_drops >= 0) j["host_drops"] = e.host_drops;
  return j;
}

StreamEvidence evidence_from_json(const Json& j) {
  StreamEvidence e;
  if (!j.is_object()) return e;
  try {
    e.seconds = bounded(j, "seconds", 0, 1e7, 0);
    const Json* sender = find_key(j, "sender");
    e.sender = sender && sender->is_boolean() && sender->get<bool>();
    if (find_key(j, "busy")) {
      e.tcp_info = true;
      e.busy = bounded(j, "busy", 0, 1, 0);
      e.rwnd_limited = bounded(j, "rwnd_limited", 0, 1, 0);
      e.sndbuf_limited = bounded(j, "sndbuf_limited", 0, 1, 0);
      e.delivery_rate_bps = static_cast<uint64_t>(bounded_int(j, "delivery_rate_bps", 0, kMaxCount, 0));
      e.pacing_rate_bps = static_cast<uint64_t>(bounded_int(j, "pacing_rate_bps", 0, kMaxCount, 0));
      e.notsent_bytes = static_cast<uint64_t>(bounded_int(j, "notsent_bytes", 0, kMaxCount, 0));
      e.rtt_us = bounded_int(j, "rtt_us", -1, kMaxCount, -1);
      e.min_rtt_us = bounded_int(j, "min_rtt_us", -1, kMaxCount, -1);
      e.snd_cwnd = static_cast<uint64_t>(bounded_int(j, "snd_cwnd", 0, kMaxCount, 0));
      e.snd_wnd = static_cast<uint64_t>(bounded_int(j, "snd_wnd", 0, kMaxCount, 0));
      e.mss = bounded_int(j, "mss", -1, 1 << 20, -1);
      e.retransmits = bounded_int(j, "retransmits", 0, kMaxCount, 0);
      e.retransmit_ratio = bounded(j, "retransmit_percent", 0, 100, 0) / 100;
    } else if (find_key(j, "rcv_space")) {
      e.tcp_info = true;
      e.rcv_space = static_cast<uint64_t>(bounded_int(j, "rcv_space", 0, kMaxCount, 0));
    }
    e.cpu_user_s = bounded(j, "cpu_user_s", -1, 1e9, -1);
    e.cpu_system_s = bounded(j, "cpu_system_s", -1, 1e9, -1);
    e.thread_cpu = bounded(j, "thread_cpu", -1, 1, -1);
    e.thread_wait = bounded(j, "thread_wait", -1, 1, -1);
    e.cpu = static_cast<int>(bounded_int(j, "cpu", -1, 1 << 20, -1));
    const Json* pinned = find_key(j, "pinned");
    e.pinned = pinned && pinned->is_boolean() && pinned->get<bool>();
    e.core_busy = bounded(j, "core_busy", -1, 1, -1);
    e.host_busy = bounded(j, "host_busy", -1, 1, -1);
    e.host_drops = bounded_int(j, "host_drops", -1, kMaxCount, -1);
    e.known = true;
  } catch (const JsonFieldError&) {
    return StreamEvidence{};
  }
  return e;
}

Json buffers_to_json(const SocketBuffers& b) {
  Json j = Json::object();
  j["requested"] = b.requested;
  j["sndbuf"] = b.sndbuf;
  j["rcvbuf"] = b.rcvbuf;
  j["wmem_max"] = b.wmem_max;
  j["rmem_max"] = b.rmem_max;
  return j;
}

SocketBuffers buffers_from_json(const Json& j) {
  SocketBuffers b;
  if (!j.is_object()) return b;
  try {
    b.requested = bounded_int(j, "requested", 0, kMaxCount, 0);
    b.sndbuf = bounded_int(j, "sndbuf", 0, kMaxCount, 0);
    b.rcvbuf = bounded_int(j, "rcvbuf", 0, kMaxCount, 0);
    b.wmem_max = bounded_int(j, "wmem_max", 0, kMaxCount, 0);
    b.rmem_max = bounded_int(j, "rmem_max", 0, kMaxCount, 0);
    b.known = true;
  } catch (const JsonFieldError&) {
    return SocketBuffers{};
  }
  return b;
}

Json overlap_to_json(const TestOverlap& o) {
  Json j = Json::object();
  j["id"] = o.test_id;
  j["port"] = o.port;
  j["other_tests"] = o.other_tests;
  j["other_bits_per_second"] = round4(o.other_bits_per_second);
  j["cores_shared"] = o.cores_shared;
  j["cores"] = o.cores;
  return j;
}

std::optional<TestOverlap> overlap_from_json(const Json& j) {
  if (!j.is_object()) return std::nullopt;
  const Json* id = find_key(j, "id");
  if (!id || !id->is_number_integer()) return std::nullopt;
  TestOverlap o;
  try {
    o.test_id = static_cast<int>(bounded_int(j, "id", 0, kMaxCount, 0));
    o.port = static_cast<uint16_t>(bounded_int(j, "port", 0, 65535, 0));
    o.other_tests = static_cast<int>(bounded_int(j, "other_tests", 0, 1 << 20, 0));
    o.other_bits_per_second = bounded(j, "other_bits_per_second", 0, 1e15, 0);
    const Json* shared = find_key(j, "cores_shared");
    o.cores_shared = shared && shared->is_boolean() && shared->get<bool>();
    if (const Json* cores = find_key(j, "cores"); cores && cores->is_array())
      for (const Json& c : *cores)
        if (c.is_number_integer() && c.get<int64_t>() >= 0 && c.get<int64_t>() < (1 << 20) &&
            o.cores.size() < 1024)
          o.cores.push_back(c.get<int>());
  } catch (const JsonFieldError&) {
    return std::nullopt;
  }
  return o;
}

Json encode_results_extension(const ResultsExtension& ext) {
  Json j = Json::object();
  j["buffers"] = buffers_to_json(ext.buffers);
  if (!ext.boot_id.empty()) j["boot_id"] = ext.boot_id;
  if (ext.path.known()) j["path"] = path_to_json(ext.path);
  j["streams"] = Json::array();
  for (const ExtensionStream& s : ext.streams)
    j["streams"].push_back({{"id", s.id}, {"evidence", evidence_to_json(s.evidence)}});
  if (ext.server_test) j["server_test"] = overlap_to_json(*ext.server_test);
  return j;
}

ResultsExtension decode_results_extension(const Json& j) {
  ResultsExtension ext;
  if (!j.is_object()) return ext;
  if (const Json* b = find_key(j, "buffers")) ext.buffers = buffers_from_json(*b);
  // A UUID (36 characters); anything else is not a boot id.
  if (const Json* id = find_key(j, "boot_id");
      id && id->is_string() && id->get_ref<const std::string&>().size() <= 64)
    ext.boot_id = id->get<std::string>();
  if (const Json* t = find_key(j, "server_test")) ext.server_test = overlap_from_json(*t);
  if (const Json* path = find_key(j, "path")) ext.path = path_from_json(*path);
  const Json* list = find_key(j, "streams");
  if (!list || !list->is_array()) return ext;
  for (const Json& x : *list) {
    const Json* id = x.is_object() ? find_key(x, "id") : nullptr;
    const Json* ev = x.is_object() ? find_key(x, "evidence") : nullptr;
    if (id && id->is_number_integer() && ev) ext.streams.push_back({id->get<int>(), evidence_from_json(*ev)});
  }
  return ext;
}

}  // namespace nperf::protocol
