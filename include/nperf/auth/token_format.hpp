#pragma once
// iperf3's authentication token, the pure parts (no crypto, no I/O):
//   authtoken = base64(RSA-encrypt("user: U\npwd:  P\nts:   T"))
// with one space after "user:", two after "pwd:", three after "ts:", no final
// newline, T the client's Unix time in seconds (iperf3 src/iperf_auth.c; the
// protocol facts, section 9). Standard base64 with '=' padding, no line
// breaks. Every decoder here is bounded and total: bad input gives nullopt.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::auth {

// The longest token accepted: a 16384-bit key's ciphertext (2048 bytes) is
// 2732 base64 characters. The server also caps the whole parameter message.
inline constexpr size_t kMaxTokenChars = 4096;
// User names and passwords: iperf3 reads them with sscanf("%s"), so they
// cannot hold whitespace; the RSA block bounds them anyway (214 bytes of
// plaintext for a 2048-bit key with OAEP).
inline constexpr size_t kMaxCredentialLength = 255;

struct Credentials {
  std::string user;
  std::string password;
  int64_t timestamp = 0;  // Unix seconds, as the client claims
};

// "" when the string can travel in a token; else why not.
std::string credential_problem(std::string_view what, std::string_view value);

std::string format_credentials(const Credentials& credentials);
// Accepts what iperf3's sscanf accepts for the format (whitespace in the
// format matches any run of whitespace), except trailing non-blank text.
std::optional<Credentials> parse_credentials(std::string_view text);

std::string base64_encode(std::span<const uint8_t> bytes);
// Strict: length a multiple of 4, the standard alphabet, '=' only as final
// padding, nothing else (no whitespace); at most max_chars characters.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text, size_t max_chars = kMaxTokenChars);

// Lower-case hex of bytes, and back (either case); nullopt on a bad digit or odd length.
std::string to_hex(std::span<const uint8_t> bytes);
std::optional<std::vector<uint8_t>> from_hex(std::string_view text);

}  // namespace nperf::auth
