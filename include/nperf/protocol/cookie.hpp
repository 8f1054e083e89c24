#pragma once
// The 37-byte test cookie: 36 characters of iperf3's base32 alphabet and a NUL.
// Servers compare cookies only for equality, never validate their content.
#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace nperf::protocol {

inline constexpr size_t kCookieWireSize = 37;
inline constexpr size_t kCookieTextSize = 36;

// Maps random bytes to a cookie as iperf3 does (byte % 32 into "a-z2-7").
std::string make_cookie(std::span<const uint8_t, kCookieTextSize> random_bytes);
// The cookie as sent on the wire: text plus a NUL terminator.
std::array<uint8_t, kCookieWireSize> cookie_to_wire(const std::string& cookie);
// The printable part of a received cookie (up to the first NUL).
std::string cookie_from_wire(std::span<const uint8_t, kCookieWireSize> wire);

}  // namespace nperf::protocol
