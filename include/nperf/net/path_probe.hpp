#pragma once
// What this end sees of the path to its peer (protocol/path_record.hpp): the
// connection's two addresses, the route's device (rtnetlink) and netfilter's
// conntrack figures (/proc). The byte and text parsers are pure and
// unit-tested (tests/unit/path_probe_test.cpp); the rest only opens sockets
// and files. Nothing here is an error: what cannot be read stays unknown.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "nperf/protocol/path_record.hpp"

namespace nperf::net {

// --- pure ---

// The output interface (RTA_OIF) of the first RTM_NEWROUTE message in an
// rtnetlink reply; nullopt for an error reply or one without it.
std::optional<int> parse_route_reply(std::span<const uint8_t> reply);

// The device of the first RTM_NEWLINK message in an rtnetlink reply: its name
// (IFLA_IFNAME), MTU (IFLA_MTU) and kind (IFLA_LINKINFO/IFLA_INFO_KIND, else
// from the hardware type: loopback, physical for Ethernet), with the kind's
// encapsulation overhead. nullopt for an error reply or one without a name.
std::optional<protocol::RouteDevice> parse_link_reply(std::span<const uint8_t> reply);

// The kind of a device: the kernel's IFLA_INFO_KIND when it has one ("veth",
// "vxlan", "wireguard", ...); without one, "loopback" for ARPHRD_LOOPBACK and
// "physical" for ARPHRD_ETHER (a NIC), else "arphrd-N".
std::string device_kind(std::string_view info_kind, unsigned arphrd_type);

// Conntrack from the texts of nf_conntrack_count, nf_conntrack_max and
// /proc/net/stat/nf_conntrack (nullopt: the file was missing). Without
// nf_conntrack_max the module is not loaded and every figure stays -1.
protocol::ConntrackReading conntrack_from_texts(std::optional<std::string_view> count,
                                                std::optional<std::string_view> max,
                                                std::optional<std::string_view> stat);

// --- the system ---

// getsockname / getpeername of a connected socket (IPv4-mapped IPv6 as IPv4).
protocol::Endpoint local_endpoint(int fd);
protocol::Endpoint peer_endpoint(int fd);

// The device the kernel's route to `peer` leaves by, asked over rtnetlink
// with a one-second receive timeout; unknown when anything fails.
protocol::RouteDevice route_device(const protocol::Endpoint& peer);

// Reads this network namespace's conntrack figures now.
protocol::ConntrackReading read_conntrack();

}  // namespace nperf::net
