#include "nperf/protocol/cookie.hpp"

#include <algorithm>
#include <string_view>

namespace nperf::protocol {

std::string make_cookie(std::span<const uint8_t, kCookieTextSize> random_bytes) {
  static constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
  std::string cookie(kCookieTextSize, ' ');
  std::transform(random_bytes.begin(), random_bytes.end(), cookie.begin(),
                 [](uint8_t b) { return kAlphabet[b % kAlphabet.size()]; });
  return cookie;
}

std::array<uint8_t, kCookieWireSize> cookie_to_wire(const std::string& cookie) {
  std::array<uint8_t, kCookieWireSize> wire{};  // zero-filled: the NUL terminator is part of it
  std::copy_n(cookie.begin(), std::min(cookie.size(), kCookieTextSize), wire.begin());
  return wire;
}

std::string cookie_from_wire(std::span<const uint8_t, kCookieWireSize> wire) {
  auto nul = std::find(wire.begin(), wire.end(), uint8_t{0});
  // Peers send printable text; anything else is kept but cannot match a real cookie.
  return std::string(wire.begin(), nul);
}

}  // namespace nperf::protocol
