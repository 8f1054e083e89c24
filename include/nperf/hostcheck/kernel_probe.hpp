#pragma once
// The parts of `nperf --check` that ask the running kernel rather than read a
// file: which interface carries the route to a host, and NIC offloads. Each
// degrades to "unknown" instead of failing.
#include <optional>
#include <string>

#include "nperf/config/config.hpp"
#include "nperf/hostcheck/host_facts.hpp"

namespace nperf::hostcheck {

struct RouteToHost {
  std::string address;         // HOST resolved, numeric
  std::string source_address;  // our address on that route; "" when there is none
  std::string interface;       // "" when not found; then `problem` says why
  std::string problem;
};

// Resolves HOST (getaddrinfo; `family` as -4/-6), connects a UDP socket to it
// (which sends nothing, but makes the kernel choose the route and source
// address) and names the interface owning that source address. A HOST that is
// one of our own addresses is routed through "lo", as the kernel does.
// Returns nullopt and sets *error only when HOST does not resolve.
std::optional<RouteToHost> route_to_host(const std::string& host, AddressFamily family, std::string* error);

// TSO/GSO/GRO/checksum offloads by the legacy ethtool ioctls (SIOCETHTOOL).
Offloads read_offloads(const std::string& interface);

}  // namespace nperf::hostcheck
