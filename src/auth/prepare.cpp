#include "nperf/auth/prepare.hpp"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "nperf/auth/client_token.hpp"
#include "nperf/auth/password_source.hpp"
#include "nperf/auth/server_gate.hpp"

namespace nperf::auth {
namespace {

// Test-only: shifts the client's token time (see ClientToken). Read here so
// the rest of the code never looks at the environment for it.
int64_t test_clock_offset() {
  const char* text = std::getenv("NPERF_TEST_AUTH_CLOCK_OFFSET_S");
  if (!text) return 0;
  int64_t value = 0;
  std::from_chars(text, text + std::char_traits<char>::length(text), value);
  return value;
}

bool prepare_client(AuthSettings& a, std::string* error) {
  if (a.username.empty() || a.public_key_path.empty()) {
    *error = "authentication needs both --username and --rsa-public-key-path";
    return false;
  }
  if (std::string problem = credential_problem("user name", a.username); !problem.empty()) {
    *error = problem;
    return false;
  }
  auto key = RsaKey::load_public(a.public_key_path, error);
  if (!key) return false;
  auto password = obtain_password(a.password_file, error);
  if (!password) return false;
  if (std::string problem = credential_problem("password", *password); !problem.empty()) {
    *error = problem;
    return false;
  }
  a.client =
      std::make_shared<ClientToken>(a.username, *password, std::move(*key),
                                    a.pkcs1_padding ? Padding::kPkcs1 : Padding::kOaep, test_clock_offset());
  // A user name and password too long for the key fail now, not at the server.
  return a.client->make(0, error).has_value();
}

bool prepare_server(AuthSettings& a, std::string* error) {
  AccessList allow;
  if (!a.allow.empty()) {
    auto parsed = AccessList::parse(a.allow, error);
    if (!parsed) return false;
    allow = std::move(*parsed);
  }
  std::optional<RsaKey> key;
  ServerAuthOptions options;
  if (a.server_enabled()) {
    if (a.private_key_path.empty() || a.users_path.empty()) {
      *error = "authentication needs both --rsa-private-key-path and --authorized-users-path";
      return false;
    }
    key = RsaKey::load_private(a.private_key_path, error);
    if (!key) return false;
    // -D changes the directory to /: the file is re-read later, by the path it had here.
    std::error_code ec;
    options.users_path = std::filesystem::absolute(a.users_path, ec).string();
    options.skew_threshold_s = a.skew_threshold_s;
    options.padding = a.pkcs1_padding ? Padding::kPkcs1 : Padding::kOaep;
  }
  a.server = std::make_shared<ServerGate>(std::move(key), options, std::move(allow));
  // Its lines are read (and bad ones reported) at the first authentication.
  if (a.server_enabled() && !std::ifstream(options.users_path)) {
    *error = fmt::format("cannot read the authorized users file '{}'", a.users_path);
    return false;
  }
  return true;
}

}  // namespace

bool prepare(Config* config, std::string* error) {
  AuthSettings& a = config->auth;
  if (config->role == Role::kClient)
    return !a.client_enabled() || (libcrypto_available(error) && prepare_client(a, error));
  if (!a.server_enabled() && a.allow.empty()) return true;
  if (a.server_enabled() && !libcrypto_available(error)) return false;
  return prepare_server(a, error);
}

}  // namespace nperf::auth
