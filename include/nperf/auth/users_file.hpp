#pragma once
// iperf3's authorized-users file (--authorized-users-path), parsed without
// I/O: one "user,sha256hex" line per user, where sha256hex is the SHA-256 of
// "{user}password" (e.g. mario,bf7a49a8...709b for mario/rossi). As iperf3:
// a line ends at its first '\r' or '\n'; empty lines, lines starting with '#'
// and lines without a comma are skipped; a third field is ignored. Stricter
// than iperf3, which simply never matches them: a line with an empty user or
// a hash that is not 64 hex digits, or longer than iperf3's 1023-byte line
// buffer, is reported (it cannot grant access in either).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nperf::auth {

inline constexpr size_t kMaxUsersFileBytes = 1 << 20;
inline constexpr size_t kMaxUsersLineBytes = 1023;

struct AuthorizedUser {
  std::string name;
  std::array<uint8_t, 32> hash{};  // SHA-256 of "{name}password"
};

struct UsersTable {
  std::vector<AuthorizedUser> users;
  std::vector<std::string> problems;  // "line N: why", one per skipped bad line
};

UsersTable parse_users_file(std::string_view text);

}  // namespace nperf::auth
