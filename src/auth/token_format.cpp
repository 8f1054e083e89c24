#include "nperf/auth/token_format.hpp"

#include <charconv>

#include <fmt/format.h>

namespace nperf::auth {
namespace {

// sscanf's notion of whitespace (isspace in the C locale).
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
}

bool take_literal(std::string_view& s, std::string_view literal) {
  if (s.substr(0, literal.size()) != literal) return false;
  s.remove_prefix(literal.size());
  return true;
}

// sscanf "%s": skips blanks, then takes a run of non-blanks (at least one).
std::optional<std::string_view> take_word(std::string_view& s) {
  skip_spaces(s);
  size_t n = 0;
  while (n < s.size() && !is_space(s[n])) ++n;
  if (n == 0 || n > kMaxCredentialLength) return std::nullopt;
  std::string_view word = s.substr(0, n);
  s.remove_prefix(n);
  return word;
}

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string credential_problem(std::string_view what, std::string_view value) {
  if (value.empty()) return fmt::format("the {} is empty", what);
  if (value.size() > kMaxCredentialLength)
    return fmt::format("the {} is longer than {} bytes", what, kMaxCredentialLength);
  for (char c : value)
    if (is_space(c) || c == '\0')
      return fmt::format("the {} contains whitespace, which iperf3's token format cannot carry", what);
  return "";
}

std::string format_credentials(const Credentials& c) {
  return fmt::format("user: {}\npwd:  {}\nts:   {}", c.user, c.password, c.timestamp);
}

std::optional<Credentials> parse_credentials(std::string_view s) {
  // iperf3 reads the plaintext as a C string; a NUL inside is no part of a name or password.
  if (s.find('\0') != std::string_view::npos) return std::nullopt;
  Credentials c;
  // The template "user: %s\npwd:  %s\nts:   %ld": each blank in it matches any run of blanks.
  skip_spaces(s);
  if (!take_literal(s, "user:")) return std::nullopt;
  auto user = take_word(s);
  if (!user) return std::nullopt;
  skip_spaces(s);
  if (!take_literal(s, "pwd:")) return std::nullopt;
  auto password = take_word(s);
  if (!password) return std::nullopt;
  skip_spaces(s);
  if (!take_literal(s, "ts:")) return std::nullopt;
  skip_spaces(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);  // as strtol
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), c.timestamp);
  if (ec != std::errc() || end == s.data()) return std::nullopt;
  s.remove_prefix(static_cast<size_t>(end - s.data()));
  skip_spaces(s);
  if (!s.empty()) return std::nullopt;
  c.user = *user;
  c.password = *password;
  return c;
}

std::string base64_encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = uint32_t{bytes[i]} << 16;
    size_t left = bytes.size() - i;
    if (left > 1) chunk |= uint32_t{bytes[i + 1]} << 8;
    if (left > 2) chunk |= bytes[i + 2];
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += left > 1 ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += left > 2 ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text, size_t max_chars) {
  if (text.empty() || text.size() > max_chars || text.size() % 4 != 0) return std::nullopt;
  size_t padding = text.back() == '=' ? (text[text.size() - 2] == '=' ? 2 : 1) : 0;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    uint32_t chunk = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      int v = base64_value(c);
      if (v < 0) {
        if (!(c == '=' && last && k >= 4 - padding)) return std::nullopt;
        v = 0;
      }
      chunk = (chunk << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<uint8_t>(chunk >> 16));
    if (!last || padding < 2) out.push_back(static_cast<uint8_t>(chunk >> 8));
    if (!last || padding < 1) out.push_back(static_cast<uint8_t>(chunk));
    // Canonical only: the bits the padding drops must be zero.
    if (last && padding == 2 && (chunk & 0xFFFF) != 0) return std::nullopt;
    if (last && padding == 1 && (chunk & 0xFF) != 0) return std::nullopt;
  }
  return out;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += "0123456789abcdef"[b >> 4];
    out += "0123456789abcdef"[b & 15];
  }
  return out;
}

std::optional<std::vector<uint8_t>> from_hex(std::string_view text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  return out;
}

}  // namespace nperf::auth
