#include "nperf/protocol/path_record.hpp"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "nperf/protocol/json_access.hpp"

namespace nperf::protocol {

using Json = nlohmann::ordered_json;

namespace {

constexpr int64_t kMaxCount = int64_t{1} << 62;

// An address from the peer is printed to the user: only the characters of an
// IPv4 or IPv6 literal, at most INET6_ADDRSTRLEN, anything else is unknown.
bool looks_like_address(const std::string& s) {
  if (s.empty() || s.size() > 45) return false;
  bool colon = false, dot = false;
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (c == ':')
      colon = true;
    else if (c == '.')
      dot = true;
    else if (!hex)
      return false;
  }
  return colon || dot;
}

// Interface names are at most 15 characters (IFNAMSIZ - 1), kinds short words.
bool looks_like_name(const std::string& s, size_t max) {
  if (s.empty() || s.size() > max) return false;
  for (char c : s)
    if (c <= ' ' || c > '~' || c == '"' || c == '\\') return false;
  return true;
}

int64_t bounded_int(const Json& j, const char* key, int64_t lo, int64_t hi, int64_t fallback) {
  try {
    std::optional<int64_t> v = get_int(j, key);
    if (!v || *v < lo || *v > hi) return fallback;
    return *v;
  } catch (const JsonFieldError&) {
    return fallback;
  }
}

std::string bounded_string(const Json& j, const char* key) {
  const Json* v = find_key(j, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

Json endpoint_to_json(const Endpoint& e) {
  return Json{{"address", e.address}, {"port", e.port}};
}

Endpoint endpoint_from_json(const Json* j) {
  Endpoint e;
  if (!j || !j->is_object()) return e;
  std::string address = bounded_string(*j, "address");
  if (!looks_like_address(address)) return e;
  e.address = std::move(address);
  e.port = static_cast<int>(bounded_int(*j, "port", 0, 65535, 0));
  return e;
}

Json conntrack_to_json(const ConntrackReading& c) {
  return Json{{"count", c.count},
              {"max", c.max},
              {"drop", c.drop},
              {"insert_failed", c.insert_failed},
              {"early_drop", c.early_drop}};
}

ConntrackReading conntrack_from_json(const Json* j) {
  ConntrackReading c;
  if (!j || !j->is_object()) return c;
  c.max = bounded_int(*j, "max", -1, kMaxCount, -1);
  if (c.max < 0) return c;  // not loaded: nothing else means anything
  c.count = bounded_int(*j, "count", -1, kMaxCount, -1);
  c.drop = bounded_int(*j, "drop", -1, kMaxCount, -1);
  c.insert_failed = bounded_int(*j, "insert_failed", -1, kMaxCount, -1);
  c.early_drop = bounded_int(*j, "early_drop", -1, kMaxCount, -1);
  return c;
}

}  // namespace

std::string format_endpoint(const Endpoint& e) {
  if (!e.known()) return "";
  if (e.address.find(':') != std::string::npos) return fmt::format("[{}]:{}", e.address, e.port);
  return fmt::format("{}:{}", e.address, e.port);
}

int64_t encapsulation_overhead(std::string_view kind) {
  static constexpr std::array<std::pair<std::string_view, int64_t>, 17> kTable{{
      {"veth", 0},
      {"bridge", 0},
      {"loopback", 0},
      {"physical", 0},
      {"macvlan", 0},
      {"ipvlan", 0},
      {"vlan", 0},
      {"bond", 0},
      {"team", 0},
      {"vxlan", 50},
      {"geneve", 50},
      {"wireguard", 60},
      {"ipip", 20},
      {"sit", 20},
      {"gre", 24},
      {"gretap", 38},
      {"ip6tnl", 40},
  }};
  for (const auto& [name, bytes] : kTable)
    if (name == kind) return bytes;
  return -1;
}

Json path_to_json(const PathRecord& p) {
  Json j = Json::object();
  if (p.local.known()) j["local"] = endpoint_to_json(p.local);
  if (p.peer.known()) j["peer"] = endpoint_to_json(p.peer);
  if (p.device.known())
    j["device"] = Json{{"name", p.device.name},
                       {"kind", p.device.kind},
                       {"mtu", p.device.mtu},
                       {"overhead", p.device.overhead}};
  if (p.conntrack_before.loaded() || p.conntrack_after.loaded())
    j["conntrack"] = Json{{"before", conntrack_to_json(p.conntrack_before)},
                          {"after", conntrack_to_json(p.conntrack_after)}};
  return j;
}

PathRecord path_from_json(const Json& j) {
  PathRecord p;
  if (!j.is_object()) return p;
  p.local = endpoint_from_json(find_key(j, "local"));
  p.peer = endpoint_from_json(find_key(j, "peer"));
  if (const Json* d = find_key(j, "device"); d && d->is_object()) {
    std::string name = bounded_string(*d, "name");
    if (looks_like_name(name, 15)) {
      p.device.name = std::move(name);
      std::string kind = bounded_string(*d, "kind");
      if (looks_like_name(kind, 32)) p.device.kind = std::move(kind);
      p.device.mtu = bounded_int(*d, "mtu", -1, 1 << 20, -1);
      p.device.overhead = bounded_int(*d, "overhead", -1, 1 << 16, -1);
    }
  }
  if (const Json* c = find_key(j, "conntrack"); c && c->is_object()) {
    p.conntrack_before = conntrack_from_json(find_key(*c, "before"));
    p.conntrack_after = conntrack_from_json(find_key(*c, "after"));
  }
  return p;
}

}  // namespace nperf::protocol
