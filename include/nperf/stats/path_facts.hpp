#pragma once
// The path between the ends, from what each saw (protocol/path_record.hpp):
// NAT (an end's own address differs from what the other end sees), the
// conntrack tables' change over the test, the route's device. Pure; the
// reporters print these sentences and docs/diagnosis.md ("The path") explains them.
#include <cstdint>
#include <optional>
#include <string>

#include "nperf/protocol/path_record.hpp"

namespace nperf {

struct PathReport {
  bool is_server = false;                      // which end `local` is
  protocol::PathRecord local;                  // this end's view
  std::optional<protocol::PathRecord> remote;  // the peer's, from its results
  // An iperf3 server sends no path record: `remote` then holds only the two
  // endpoints it printed in the output the client asked for (--get-server-output).
  bool remote_from_server_output = false;
};

// What conntrack did during the test on one end: -1 figures are unknown.
struct ConntrackChange {
  bool known = false;                                      // loaded at both readings
  int64_t count = -1, max = -1;                            // at the end
  int64_t drop = -1, insert_failed = -1, early_drop = -1;  // rises over the test
};
ConntrackChange conntrack_change(const protocol::ConntrackReading& before,
                                 const protocol::ConntrackReading& after);

// A table this full (count / max at the end) drops new connections soon.
inline constexpr double kConntrackNearlyFull = 0.90;
// Drops of any kind rose, or the table ended nearly full.
bool conntrack_trouble(const ConntrackChange& c);

// Address translation seen between the ends. Needs both views (an nperf peer).
struct NatFinding {
  bool source = false;  // the client's own address differs from what the server sees (SNAT, masquerade)
  bool destination =
      false;  // the address the client reached differs from the server's own (DNAT, port forward)
  protocol::Endpoint client_own, client_seen, server_reached, server_own;
};
std::optional<NatFinding> find_nat(const PathReport& p);

// "NAT between client and server (client 10.244.1.7:51234 seen as 10.0.0.5:40012)",
// the destination half added when it is translated too; "" without NAT.
std::string nat_sentence(const NatFinding& n);

// "Path: client via veth0 (veth, MTU 1500); server via eth0 (vxlan, MTU 1450, 50 bytes of
// encapsulation per packet); conntrack on the server: 12 entries of 262144, drop +3"
std::string path_sentence(const PathReport& p);

// For the verdict: "conntrack on the server dropped 3 packets during the test (drop +3,
// insert_failed +0, early_drop +0)" or "conntrack on the client ended 95% full (...)";
// "" when neither end's table is in trouble.
std::string conntrack_sentence(const PathReport& p);

}  // namespace nperf
