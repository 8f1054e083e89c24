#include "nperf/protocol/params.hpp"
#include <algorithm>

#include <nlohmann/json.hpp>

#include "nperf/config/affinity_spec.hpp"
#include "nperf/protocol/json_access.hpp"

namespace nperf::protocol {

using nlohmann::ordered_json;

std::string encode_params(const TestSpec& s) {
  ordered_json j;
  j[s.protocol == Protocol::kUdp ? "udp" : "tcp"] = true;
  j["omit"] = s.omit_s;
  if (s.server_affinity >= 0) j["server_affinity"] = s.server_affinity;
  // iperf3 sends integral seconds; keep fractions only when the user asked for them.
  if (s.duration_s == static_cast<double>(static_cast<int64_t>(s.duration_s)))
    j["time"] = static_cast<int64_t>(s.duration_s);
  else
    j["time"] = s.duration_s;
  j["num"] = s.bytes;
  j["blockcount"] = s.blocks;
  if (s.mss > 0) j["MSS"] = s.mss;
  if (s.nodelay) j["nodelay"] = true;
  j["parallel"] = s.parallel;
  if (s.direction == Direction::kReverse) j["reverse"] = true;
  if (s.direction == Direction::kBidir) j["bidirectional"] = true;
  if (s.mptcp) j["mptcp"] = true;  // iperf3 >= 3.19; a presence flag, never false
  if (s.window > 0) j["window"] = s.window;
  j["len"] = s.block_len;
  if (s.rate_bps > 0 || s.protocol == Protocol::kUdp) j["bandwidth"] = s.rate_bps;
  if (s.fq_rate_bps > 0) j["fqrate"] = s.fq_rate_bps;
  j["pacing_timer"] = s.pacing_timer_us;
  if (s.burst > 0) j["burst"] = s.burst;  // only when -b RATE/BURST was given, as iperf3
  if (s.tos > 0) j["TOS"] = s.tos;
  if (s.flowlabel > 0) j["flowlabel"] = s.flowlabel;
  if (!s.title.empty()) j["title"] = s.title;
  if (!s.extra_data.empty()) j["extra_data"] = s.extra_data;
  if (!s.congestion.empty()) j["congestion"] = s.congestion;
  if (s.protocol == Protocol::kUdp && (s.gso || s.gro)) {
    // iperf3 >= 3.21's keys (older servers ignore them); left out otherwise so
    // a plain UDP request is byte for byte what iperf3 3.12 sends.
    j["gso"] = s.gso ? 1 : 0;
    j["gso_dg_size"] = s.gso ? s.block_len : 0;
    j["gso_bf_size"] = 65507;
    j["gro"] = s.gro ? 1 : 0;
    j["gro_bf_size"] = 65507;
  }
  if (s.get_server_output) j["get_server_output"] = 1;
  if (s.udp_counters_64bit) j["udp_counters_64bit"] = 1;
  if (s.repeating_payload) j["repeating_payload"] = 1;
  if (s.zerocopy) j["zerocopy"] = 1;
  if (s.dont_fragment) j["dont_fragment"] = 1;
  if (s.skip_rx_copy) j["skip_rx_copy"] = 1;  // iperf3 >= 3.19's key; older servers ignore it
  j["client_version"] = kNperfVersion;
  if (!s.server_stream_cpus.empty()) j["nperf"]["server_stream_cpus"] = format_cpu_list(s.server_stream_cpus);
  if (s.call_len > 0 && s.protocol == Protocol::kTcp) j["nperf"]["tcp_call_len"] = s.call_len;
  return j.dump();
}

namespace {

template <class T>
void set_if(std::optional<int64_t> v, T& out) {
  if (v) out = static_cast<T>(*v);
}

// Sizes must not be negative; the range checks in validate() do the rest.
uint64_t non_negative(std::string_view key, int64_t v) {
  if (v < 0) throw JsonFieldError(std::string(key) + " must not be negative");
  return static_cast<uint64_t>(v);
}

}  // namespace

DecodedParams decode_params(std::string_view text) {
  DecodedParams out;
  auto j = parse_json_object(text, kMaxJsonDepth, &out.error);
  if (!j) return out;
  try {
    TestSpec s;
    bool tcp = get_presence_flag(*j, "tcp");
    bool udp = get_presence_flag(*j, "udp");
    if (get_presence_flag(*j, "sctp")) throw JsonFieldError("SCTP is not supported");
    if (udp && !tcp) s.protocol = Protocol::kUdp;
    if (auto v = get_int(*j, "omit")) {
      if (*v < 0 || *v > 100000) throw JsonFieldError("omit out of range");
      s.omit_s = static_cast<int>(*v);
    }
    if (auto v = get_number(*j, "time")) {
      // Found by fuzzing: a huge "time" overflowed when re-encoded. Ranges
      // are validate()'s job, but a value must at least be a sane number.
      if (!(*v >= 0 && *v <= 1e9)) throw JsonFieldError("time out of range");
      s.duration_s = *v;
    }
    if (auto v = get_int(*j, "num")) s.bytes = non_negative("num", *v);
    if (auto v = get_int(*j, "blockcount")) s.blocks = non_negative("blockcount", *v);
    if (auto v = get_int(*j, "MSS")) s.mss = static_cast<int>(std::clamp<int64_t>(*v, -1, 1 << 30));
    s.nodelay = get_presence_flag(*j, "nodelay");
    if (auto v = get_int(*j, "parallel")) s.parallel = static_cast<int>(std::clamp<int64_t>(*v, -1, 1 << 20));
    if (get_presence_flag(*j, "reverse")) s.direction = Direction::kReverse;
    if (get_presence_flag(*j, "bidirectional")) s.direction = Direction::kBidir;  // bidir wins, as iperf3
    s.mptcp = get_presence_flag(*j, "mptcp");
    if (auto v = get_int(*j, "window")) s.window = non_negative("window", *v);
    if (auto v = get_int(*j, "len")) {
      if (*v < 0 || *v > (int64_t{1} << 31)) throw JsonFieldError("len out of range");
      s.block_len = static_cast<uint32_t>(*v);
    }
    if (auto v = get_int(*j, "bandwidth")) s.rate_bps = non_negative("bandwidth", *v);
    if (auto v = get_int(*j, "fqrate")) s.fq_rate_bps = non_negative("fqrate", *v);
    if (auto v = get_int(*j, "TOS")) s.tos = static_cast<int>(std::clamp<int64_t>(*v, -1, 1 << 20));
    if (auto v = get_int(*j, "flowlabel"))  // the client sets it; kept for the record
      s.flowlabel = static_cast<uint32_t>(std::clamp<int64_t>(*v, 0, 0xFFFFF));
    if (auto v = get_int(*j, "burst")) s.burst = static_cast<int>(std::clamp<int64_t>(*v, -1, 1 << 20));
    if (auto v = get_int(*j, "server_affinity"))
      s.server_affinity = static_cast<int>(std::clamp<int64_t>(*v, -2, 1 << 20));
    if (auto v = get_string(*j, "congestion")) s.congestion = *v;
    if (auto v = get_string(*j, "title")) s.title = *v;
    if (auto v = get_string(*j, "extra_data")) s.extra_data = *v;
    s.get_server_output = get_presence_flag(*j, "get_server_output");
    s.udp_counters_64bit = get_presence_flag(*j, "udp_counters_64bit");
    s.repeating_payload = get_presence_flag(*j, "repeating_payload");
    s.dont_fragment = get_int(*j, "dont_fragment").value_or(0) != 0;  // by value, as iperf3
    s.zerocopy = get_int(*j, "zerocopy").value_or(0) != 0;            // by value, as iperf3
    s.skip_rx_copy = get_int(*j, "skip_rx_copy").value_or(0) != 0;    // by value, as iperf3 >= 3.19
    // Unlike the presence flags, iperf3 reads these two by value (0 = off).
    s.gso = get_int(*j, "gso").value_or(0) != 0;
    s.gro = get_int(*j, "gro").value_or(0) != 0;
    if (auto v = get_string(*j, "client_version")) s.client_version = *v;
    if (const auto* ext = find_key(*j, "nperf"); ext && ext->is_object()) {
      if (auto cpus = get_string(*ext, "server_stream_cpus")) {
        std::string err;
        auto placement = parse_cpu_placement(*cpus, &err);
        if (!placement) throw JsonFieldError(err);
        s.server_stream_cpus = placement->cpus;
      }
      if (auto v = get_int(*ext, "tcp_call_len")) {
        if (*v < 0 || *v > kMaxTcpCallLen) throw JsonFieldError("tcp_call_len out of range");
        s.call_len = static_cast<uint32_t>(*v);
      }
    }
    out.spec = s;
  } catch (const JsonFieldError& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace nperf::protocol
