#pragma once
// The server's access list (--allow CIDR[,CIDR...], nperf only): which source
// addresses may open a connection at all. Pure: addresses come as their
// network-order bytes (4 for IPv4, 16 for IPv6). An IPv4 client of a
// dual-stack listener shows up as ::ffff:a.b.c.d; it is matched as a.b.c.d.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::auth {

struct Cidr {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // the first 4 for IPv4
  int prefix = 0;
};

class AccessList {
 public:
  // "10.0.0.0/8,::1,192.0.2.7/32": a missing prefix means one address. Sets
  // *error and returns nullopt on a bad item (host bits set are an error too:
  // 10.0.0.1/8 is most likely a typo).
  static std::optional<AccessList> parse(std::string_view text, std::string* error);

  bool empty() const { return entries_.empty(); }
  bool allows(std::span<const uint8_t> address) const;
  const std::vector<Cidr>& entries() const { return entries_; }

 private:
  std::vector<Cidr> entries_;
};

// The text form of an address given as bytes (for log lines).
std::string address_text(std::span<const uint8_t> address);

}  // namespace nperf::auth
