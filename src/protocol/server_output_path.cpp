#include "nperf/protocol/server_output_path.hpp"

#include <regex>
#include <string>

#include "nperf/protocol/json_access.hpp"

namespace nperf::protocol {

using Json = nlohmann::ordered_json;

namespace {

// The server's text can be long (every interval of every stream); the two
// lines we read come first, so only the start is searched.
constexpr size_t kTextPrefix = 64 * 1024;

Json endpoint_json(const std::string& address, int64_t port) {
  return Json{{"address", address}, {"port", port}};
}

// An IPv4 client of a dual-stack socket, as a server may print it.
void unmap(Endpoint* e) {
  if (e->address.starts_with("::ffff:") && e->address.find('.') != std::string::npos) e->address.erase(0, 7);
}

// Both halves go through path_from_json, which validates what a peer sends.
std::optional<PathRecord> validated(const Json& record) {
  PathRecord p = path_from_json(record);
  unmap(&p.peer);
  unmap(&p.local);
  // A port that did not parse reads 0: half an endpoint would fake a NAT.
  if (!p.peer.known() || p.peer.port == 0) return std::nullopt;
  if (p.local.port == 0) p.local = {};
  return p;
}

std::optional<PathRecord> from_json(const Json& out) {
  const Json* start = find_key(out, "start");
  if (!start || !start->is_object()) return std::nullopt;
  const Json* accepted = find_key(*start, "accepted_connection");
  if (!accepted || !accepted->is_object()) return std::nullopt;
  // Copied as found: path_from_json checks each value's type and range.
  auto pick = [](const Json& from, const char* host, const char* port) {
    const Json* h = find_key(from, host);
    const Json* p = find_key(from, port);
    return Json{{"address", h ? *h : Json()}, {"port", p ? *p : Json()}};
  };
  Json record = Json::object();
  record["peer"] = pick(*accepted, "host", "port");
  if (const Json* connected = find_key(*start, "connected");
      connected && connected->is_array() && !connected->empty() && connected->front().is_object())
    record["local"] = pick(connected->front(), "local_host", "local_port");
  return validated(record);
}

std::optional<PathRecord> from_text(const std::string& out) {
  const std::string head = out.substr(0, kTextPrefix);
  static const std::regex accepted(R"(Accepted connection from ([0-9A-Fa-f:.]{1,45}), port ([0-9]{1,5}))");
  static const std::regex connected(R"(\] local ([0-9A-Fa-f:.]{1,45}) port ([0-9]{1,5}) connected to )");
  std::smatch m;
  if (!std::regex_search(head, m, accepted)) return std::nullopt;
  Json record = Json::object();
  record["peer"] = endpoint_json(m[1].str(), std::stoll(m[2].str()));
  if (std::regex_search(head, m, connected))
    record["local"] = endpoint_json(m[1].str(), std::stoll(m[2].str()));
  return validated(record);
}

}  // namespace

std::optional<PathRecord> path_from_server_output(const TestResults& results) {
  if (results.server_output_json)
    if (auto p = from_json(*results.server_output_json)) return p;
  if (results.server_output_text) return from_text(*results.server_output_text);
  return std::nullopt;
}

}  // namespace nperf::protocol
