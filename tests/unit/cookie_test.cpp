#include "nperf/protocol/cookie.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace nperf::protocol {
namespace {

constexpr std::string_view kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

std::array<uint8_t, kCookieTextSize> bytes_filled(uint8_t value) {
  std::array<uint8_t, kCookieTextSize> b{};
  b.fill(value);
  return b;
}

// The cookie of the captured 3.12 session (iperf3-reference/tcp312.ctrl.txt), as sent.
constexpr std::array<uint8_t, kCookieWireSize> kCaptured312Wire = {
    0x73, 0x75, 0x78, 0x37, 0x37, 0x32, 0x6f, 0x65, 0x68, 0x64, 0x76, 0x70, 0x6b,
    0x34, 0x77, 0x6a, 0x68, 0x6e, 0x79, 0x65, 0x79, 0x61, 0x67, 0x77, 0x62, 0x66,
    0x63, 0x7a, 0x78, 0x34, 0x36, 0x70, 0x37, 0x75, 0x77, 0x65, 0x00};

}  // namespace

TEST(Cookie, WireSizeIs36CharactersPlusNul) {
  EXPECT_EQ(kCookieTextSize, 36u);
  EXPECT_EQ(kCookieWireSize, 37u);
}

TEST(Cookie, MapsByteIndexesOntoBase32AlphabetInOrder) {
  std::array<uint8_t, kCookieTextSize> b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i);
  // 0..31 walk the alphabet, 32..35 wrap to its start.
  EXPECT_EQ(make_cookie(b), "abcdefghijklmnopqrstuvwxyz234567abcd");
}

TEST(Cookie, MapsEachByteModulo32) {
  std::array<uint8_t, kCookieTextSize> b{};
  b[0] = 32;   // 32 % 32 = 0  -> 'a'
  b[1] = 33;   // 1           -> 'b'
  b[2] = 255;  // 31          -> '7'
  b[3] = 63;   // 31          -> '7'
  b[4] = 64;   // 0           -> 'a'
  b[5] = 26;   // 26          -> '2'
  b[6] = 186;  // 186 % 32 = 26 -> '2'
  b[7] = 25;   // 'z'
  std::string c = make_cookie(b);
  EXPECT_EQ(c.substr(0, 8), "ab77a22z");
}

TEST(Cookie, EveryByteValueMapsToTheAlphabetCharacterAtByteMod32) {
  for (int v = 0; v < 256; ++v) {
    std::string c = make_cookie(bytes_filled(static_cast<uint8_t>(v)));
    ASSERT_EQ(c.size(), kCookieTextSize);
    EXPECT_EQ(c, std::string(kCookieTextSize, kAlphabet[static_cast<size_t>(v) % 32])) << "byte " << v;
  }
}

TEST(Cookie, IsAlways36Characters) {
  EXPECT_EQ(make_cookie(bytes_filled(0)).size(), 36u);
  EXPECT_EQ(make_cookie(bytes_filled(0xff)).size(), 36u);
}

TEST(Cookie, WireFormHasTextThenNulAsByte37) {
  std::array<uint8_t, kCookieTextSize> b{};
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(i * 7 + 3);
  std::string c = make_cookie(b);
  auto wire = cookie_to_wire(c);
  ASSERT_EQ(wire.size(), 37u);
  for (size_t i = 0; i < 36; ++i) EXPECT_EQ(wire[i], static_cast<uint8_t>(c[i])) << "byte " << i;
  EXPECT_EQ(wire[36], 0);
}

TEST(Cookie, WireFormOfCapturedCookieMatchesCaptureByteForByte) {
  auto wire = cookie_to_wire("sux772oehdvpk4wjhnyeyagwbfczx46p7uwe");
  EXPECT_EQ(wire, kCaptured312Wire);
}

TEST(Cookie, FromWireDecodesCapturedCookie) {
  EXPECT_EQ(cookie_from_wire(kCaptured312Wire), "sux772oehdvpk4wjhnyeyagwbfczx46p7uwe");
}

TEST(Cookie, RoundTripsThroughWireForm) {
  for (int seed = 0; seed < 8; ++seed) {
    std::array<uint8_t, kCookieTextSize> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<uint8_t>(seed * 37 + i * 11);
    std::string c = make_cookie(b);
    EXPECT_EQ(cookie_from_wire(cookie_to_wire(c)), c);
  }
}

TEST(Cookie, FromWireStopsAtFirstNul) {
  std::array<uint8_t, kCookieWireSize> wire{};
  wire.fill('x');
  wire[0] = 'a';
  wire[1] = 'b';
  wire[2] = 'c';
  wire[3] = 0;  // bytes after the NUL must be ignored
  wire[36] = 0;
  EXPECT_EQ(cookie_from_wire(wire), "abc");
}

TEST(Cookie, FromWireOfAllNulIsEmpty) {
  std::array<uint8_t, kCookieWireSize> wire{};
  EXPECT_EQ(cookie_from_wire(wire), "");
}

TEST(Cookie, FromWireWithoutNulTerminatorNeverMatchesARealCookie) {
  // 37 printable bytes: like strncmp(.., 37), the 37th byte makes it differ.
  std::string c = make_cookie(bytes_filled(0));
  std::array<uint8_t, kCookieWireSize> wire{};
  wire.fill('a');
  EXPECT_NE(cookie_from_wire(wire), c);
}

TEST(Cookie, ToWireTruncatesLongTextAndKeepsNul) {
  std::string long_text(50, 'q');
  auto wire = cookie_to_wire(long_text);
  EXPECT_EQ(wire[35], 'q');
  EXPECT_EQ(wire[36], 0);
  EXPECT_EQ(cookie_from_wire(wire), std::string(36, 'q'));
}

TEST(Cookie, ToWireZeroPadsShortText) {
  auto wire = cookie_to_wire("abc");
  EXPECT_EQ(wire[0], 'a');
  EXPECT_EQ(wire[2], 'c');
  for (size_t i = 3; i < wire.size(); ++i) EXPECT_EQ(wire[i], 0) << "byte " << i;
}

}  // namespace nperf::protocol
