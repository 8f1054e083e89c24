#include "nperf/auth/users_file.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "nperf/auth/token_format.hpp"

namespace nperf::auth {

UsersTable parse_users_file(std::string_view text) {
  UsersTable table;
  if (text.size() > kMaxUsersFileBytes) {
    table.problems.push_back(
        fmt::format("the file is larger than {} bytes; nothing read", kMaxUsersFileBytes));
    return table;
  }
  int number = 0;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++number;
    if (line.size() > kMaxUsersLineBytes) {
      table.problems.push_back(fmt::format("line {}: longer than {} bytes", number, kMaxUsersLineBytes));
      continue;
    }
    line = line.substr(0, line.find('\r'));
    if (line.empty() || line.front() == '#' || line.find(',') == std::string_view::npos) continue;
    size_t comma = line.find(',');
    std::string_view name = line.substr(0, comma);
    std::string_view rest = line.substr(comma + 1);
    std::string_view hash_text = rest.substr(0, rest.find(','));
    if (name.empty()) {
      table.problems.push_back(fmt::format("line {}: empty user name", number));
      continue;
    }
    auto hash = from_hex(hash_text);
    if (hash_text.size() != 64 || !hash) {
      table.problems.push_back(
          fmt::format("line {}: user '{}': the hash is not 64 hex digits (sha256 of \"{{user}}password\")",
                      number, name));
      continue;
    }
    AuthorizedUser user;
    user.name = std::string(name);
    std::copy(hash->begin(), hash->end(), user.hash.begin());
    table.users.push_back(std::move(user));
  }
  return table;
}

}  // namespace nperf::auth
