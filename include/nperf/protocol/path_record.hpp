#pragma once
// What one end of a test sees of the path to the other, sent in nperf's
// results extension under "path" (results_extension.hpp) so the client can
// tell NAT, conntrack pressure and the route's device apart from the hosts'
// own limits (docs/diagnosis.md, "The path"). Pure: the readings come from
// net/path_probe.hpp; decoding treats the peer's text as hostile.
//
//   "path": {"local": {"address": "198.18.0.1", "port": 40012},
//            "peer": {"address": "198.18.0.2", "port": 5201},
//            "device": {"name": "veth0", "kind": "veth", "mtu": 1500, "overhead": 0},
//            "conntrack": {"before": {"count": 3, "max": 262144, "drop": 0, ...}, "after": {...}}}
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nperf::protocol {

// An IP address as text (IPv4 dotted, IPv6 without brackets) and a port.
struct Endpoint {
  std::string address;  // "" unknown
  int port = 0;

  bool known() const { return !address.empty(); }
  bool operator==(const Endpoint&) const = default;
};

// "198.18.0.1:40012", "[::1]:5201", "" when unknown.
std::string format_endpoint(const Endpoint& e);

// The device the route to the peer leaves by.
struct RouteDevice {
  std::string name;  // "" unknown
  // "veth", "bridge", "vxlan", "geneve", "ipip", "gre", "wireguard",
  // "loopback", "physical", or the kernel's IFLA_INFO_KIND as it is.
  std::string kind;
  int64_t mtu = -1;       // -1 unknown
  int64_t overhead = -1;  // bytes of encapsulation the kind adds to each packet, -1 unknown

  bool known() const { return !name.empty(); }
  bool operator==(const RouteDevice&) const = default;
};

// Netfilter's connection tracking at one instant; every figure -1 when the
// module is not loaded (or the file is missing on this kernel).
struct ConntrackReading {
  int64_t count = -1, max = -1;                            // /proc/sys/net/netfilter/nf_conntrack_{count,max}
  int64_t drop = -1, insert_failed = -1, early_drop = -1;  // /proc/net/stat/nf_conntrack, summed over CPUs

  bool loaded() const { return max >= 0; }
  bool operator==(const ConntrackReading&) const = default;
};

struct PathRecord {
  Endpoint local;  // this end's own address and port of the connection
  Endpoint peer;   // the other end's, as this end sees it (after any NAT)
  RouteDevice device;
  ConntrackReading conntrack_before, conntrack_after;

  bool known() const { return local.known() || peer.known() || device.known() || conntrack_before.loaded(); }
  bool operator==(const PathRecord&) const = default;
};

nlohmann::ordered_json path_to_json(const PathRecord& p);
// Peer input: a malformed piece decodes as unknown, never an error.
PathRecord path_from_json(const nlohmann::ordered_json& j);

// Bytes of encapsulation a device kind adds to each packet over an IPv4
// underlay (an IPv6 one adds 20 more): vxlan 50, geneve 50 (without
// options), wireguard 60, ipip/sit 20, gre 24, gretap 38; 0 for kinds that
// add none (veth, bridge, loopback, physical, macvlan, ipvlan, vlan's tag is
// below IP); -1 for a kind not in the table.
int64_t encapsulation_overhead(std::string_view kind);

}  // namespace nperf::protocol
