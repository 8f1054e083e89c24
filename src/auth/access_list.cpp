#include "nperf/auth/access_list.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace nperf::auth {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool prefix_matches(const uint8_t* a, const uint8_t* b, int bits) {
  int whole = bits / 8;
  if (!std::equal(a, a + whole, b)) return false;
  if (bits % 8 == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits % 8));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<AccessList> AccessList::parse(std::string_view text, std::string* error) {
  AccessList list;
  while (true) {
    size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    size_t slash = item.find('/');
    std::string address(item.substr(0, slash));
    Cidr cidr;
    if (inet_pton(AF_INET, address.c_str(), cidr.bytes.data()) == 1) {
      cidr.prefix = 32;
    } else if (inet_pton(AF_INET6, address.c_str(), cidr.bytes.data()) == 1) {
      cidr.v6 = true;
      cidr.prefix = 128;
    } else {
      *error = fmt::format("--allow: '{}' is not an IPv4 or IPv6 address (CIDR[,CIDR...])", item);
      return std::nullopt;
    }
    if (slash != std::string_view::npos) {
      std::string_view bits = item.substr(slash + 1);
      int prefix = -1;
      auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
      if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty() || prefix < 0 ||
          prefix > cidr.prefix) {
        *error = fmt::format("--allow: bad prefix length in '{}' (0-{})", item, cidr.prefix);
        return std::nullopt;
      }
      cidr.prefix = prefix;
    }
    int total = cidr.v6 ? 128 : 32;
    for (int bit = cidr.prefix; bit < total; ++bit)
      if (cidr.bytes[bit / 8] & (0x80 >> (bit % 8))) {
        *error = fmt::format(
            "--allow: '{}' has bits set after the prefix (the network is written with zeros)", item);
        return std::nullopt;
      }
    list.entries_.push_back(cidr);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return list;
}

bool AccessList::allows(std::span<const uint8_t> address) const {
  std::span<const uint8_t> v4;
  if (address.size() == 4) v4 = address;
  if (address.size() == 16 && std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), address.begin()))
    v4 = address.subspan(12);
  for (const Cidr& c : entries_) {
    if (!c.v6 && v4.size() == 4 && prefix_matches(c.bytes.data(), v4.data(), c.prefix)) return true;
    if (c.v6 && address.size() == 16 && prefix_matches(c.bytes.data(), address.data(), c.prefix)) return true;
  }
  return false;
}

std::string address_text(std::span<const uint8_t> address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.size() == 4) inet_ntop(AF_INET, address.data(), text, sizeof text);
  if (address.size() == 16) inet_ntop(AF_INET6, address.data(), text, sizeof text);
  return text;
}

}  // namespace nperf::auth
