#include "nperf/stats/path_facts.hpp"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace nperf {

namespace {

const char* side_name(bool server) {
  return server ? "server" : "client";
}

int64_t rise(int64_t before, int64_t after) {
  if (before < 0 || after < 0) return -1;
  // A counter that went backwards was reset (module reloaded): the rise is unknown.
  return after >= before ? after - before : -1;
}

std::string device_text(const protocol::RouteDevice& d) {
  std::string s = fmt::format("{} ({}", d.name, d.kind.empty() ? "unknown kind" : d.kind);
  if (d.mtu >= 0) s += fmt::format(", MTU {}", d.mtu);
  if (d.overhead > 0) s += fmt::format(", {} bytes of encapsulation per packet", d.overhead);
  return s + ")";
}

std::string counters_text(const ConntrackChange& c) {
  std::string s = fmt::format("{} of {} entries", c.count, c.max);
  if (c.drop == 0 && c.insert_failed == 0 && c.early_drop == 0) return s + ", no drops";
  auto add = [&](const char* name, int64_t v) {
    if (v >= 0) s += fmt::format(", {} +{}", name, v);
  };
  add("drop", c.drop);
  add("insert_failed", c.insert_failed);
  add("early_drop", c.early_drop);
  return s;
}

// Each end's record with its role, this end first.
std::vector<std::pair<bool, const protocol::PathRecord*>> ends(const PathReport& p) {
  std::vector<std::pair<bool, const protocol::PathRecord*>> out{{p.is_server, &p.local}};
  if (p.remote) out.push_back({!p.is_server, &*p.remote});
  return out;
}

}  // namespace

ConntrackChange conntrack_change(const protocol::ConntrackReading& before,
                                 const protocol::ConntrackReading& after) {
  ConntrackChange c;
  if (!before.loaded() || !after.loaded()) return c;
  c.known = true;
  c.count = after.count;
  c.max = after.max;
  c.drop = rise(before.drop, after.drop);
  c.insert_failed = rise(before.insert_failed, after.insert_failed);
  c.early_drop = rise(before.early_drop, after.early_drop);
  return c;
}

bool conntrack_trouble(const ConntrackChange& c) {
  if (!c.known) return false;
  if (c.drop > 0 || c.insert_failed > 0 || c.early_drop > 0) return true;
  return c.max > 0 && c.count >= 0 &&
         static_cast<double>(c.count) > kConntrackNearlyFull * static_cast<double>(c.max);
}

std::optional<NatFinding> find_nat(const PathReport& p) {
  if (!p.remote) return std::nullopt;  // an iperf3 peer says nothing: no claim either way
  const protocol::PathRecord& client = p.is_server ? *p.remote : p.local;
  const protocol::PathRecord& server = p.is_server ? p.local : *p.remote;
  NatFinding n;
  n.client_own = client.local;
  n.client_seen = server.peer;
  n.server_reached = client.peer;
  n.server_own = server.local;
  n.source = n.client_own.known() && n.client_seen.known() && n.client_own != n.client_seen;
  n.destination = n.server_reached.known() && n.server_own.known() && n.server_reached != n.server_own;
  if (!n.source && !n.destination) return std::nullopt;
  return n;
}

std::string nat_sentence(const NatFinding& n) {
  std::vector<std::string> parts;
  if (n.source)
    parts.push_back(fmt::format("client {} seen as {}", protocol::format_endpoint(n.client_own),
                                protocol::format_endpoint(n.client_seen)));
  if (n.destination)
    parts.push_back(fmt::format("server reached at {} is {}", protocol::format_endpoint(n.server_reached),
                                protocol::format_endpoint(n.server_own)));
  if (parts.empty()) return "";
  return fmt::format("NAT between client and server ({})", fmt::join(parts, "; "));
}

std::string path_sentence(const PathReport& p) {
  std::vector<std::string> parts;
  for (const auto& [server, record] : ends(p))
    if (record->device.known())
      parts.push_back(fmt::format("{} via {}", side_name(server), device_text(record->device)));
  for (const auto& [server, record] : ends(p)) {
    ConntrackChange c = conntrack_change(record->conntrack_before, record->conntrack_after);
    if (c.known) parts.push_back(fmt::format("conntrack on the {}: {}", side_name(server), counters_text(c)));
  }
  if (parts.empty()) return "";
  return fmt::format("Path: {}", fmt::join(parts, "; "));
}

std::string conntrack_sentence(const PathReport& p) {
  std::vector<std::string> parts;
  for (const auto& [server, record] : ends(p)) {
    ConntrackChange c = conntrack_change(record->conntrack_before, record->conntrack_after);
    if (!conntrack_trouble(c)) continue;
    const int64_t dropped = std::max<int64_t>(c.drop, 0) + std::max<int64_t>(c.insert_failed, 0) +
                            std::max<int64_t>(c.early_drop, 0);
    if (dropped > 0)
      parts.push_back(fmt::format("conntrack on the {} dropped {} packets during the test ({})",
                                  side_name(server), dropped, counters_text(c)));
    else
      parts.push_back(fmt::format("conntrack on the {} ended {:.0f}% full ({})", side_name(server),
                                  100.0 * static_cast<double>(c.count) / static_cast<double>(c.max),
                                  counters_text(c)));
  }
  return parts.empty() ? "" : fmt::format("{}", fmt::join(parts, "; "));
}

}  // namespace nperf
