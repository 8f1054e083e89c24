// Fuzzes the decoders of authentication input (auth/token_format.hpp,
// auth/users_file.hpp, auth/access_list.hpp): what a client can put in the
// "authtoken" before and after decryption, and the server's own files and
// --allow text. The first byte picks the decoder; the rest is its input.
// Properties: no crash, every decode stays within its bounds, and what
// decodes re-encodes to an equivalent value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "nperf/auth/access_list.hpp"
#include "nperf/auth/token_format.hpp"
#include "nperf/auth/users_file.hpp"

using namespace nperf::auth;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {  // the authtoken as it arrives
      auto bytes = base64_decode(text);
      if (!bytes) return 0;
      NPERF_FUZZ_CHECK(text.size() <= kMaxTokenChars);
      NPERF_FUZZ_CHECK(bytes->size() <= text.size() / 4 * 3);
      NPERF_FUZZ_CHECK(base64_encode(*bytes) == text);  // strict decoding: only canonical text passes
      break;
    }
    case 1: {  // the decrypted token
      auto c = parse_credentials(text);
      if (!c) return 0;
      NPERF_FUZZ_CHECK(!c->user.empty() && c->user.size() <= kMaxCredentialLength);
      NPERF_FUZZ_CHECK(!c->password.empty() && c->password.size() <= kMaxCredentialLength);
      NPERF_FUZZ_CHECK(credential_problem("user", c->user).empty());
      NPERF_FUZZ_CHECK(credential_problem("password", c->password).empty());
      auto again = parse_credentials(format_credentials(*c));
      NPERF_FUZZ_CHECK(again && again->user == c->user && again->password == c->password &&
                       again->timestamp == c->timestamp);
      break;
    }
    case 2: {  // the authorized users file
      UsersTable t = parse_users_file(text);
      for (const AuthorizedUser& u : t.users) {
        NPERF_FUZZ_CHECK(!u.name.empty() && u.name.size() <= kMaxUsersLineBytes);
        NPERF_FUZZ_CHECK(u.name.find_first_of(",\n\r") == std::string::npos);
      }
      NPERF_FUZZ_CHECK(t.users.size() + t.problems.size() <= text.size() / 2 + 1);
      break;
    }
    case 3: {  // --allow
      std::string error;
      auto list = AccessList::parse(text, &error);
      NPERF_FUZZ_CHECK(list.has_value() == error.empty());
      if (!list) return 0;
      for (const Cidr& c : list->entries()) {
        NPERF_FUZZ_CHECK(c.prefix >= 0 && c.prefix <= (c.v6 ? 128 : 32));
        // Every entry admits its own network address.
        NPERF_FUZZ_CHECK(list->allows(std::span<const uint8_t>(c.bytes.data(), c.v6 ? 16 : 4)));
      }
      break;
    }
  }
  return 0;
}
