#pragma once
// The client's half: makes the "authtoken" iperf3 servers expect in the
// parameter message, afresh for each test (it carries the time).
#include <cstdint>
#include <optional>
#include <string>

#include "nperf/auth/rsa_crypto.hpp"
#include "nperf/auth/token_format.hpp"

namespace nperf::auth {

class ClientToken {
 public:
  // clock_offset_s shifts the timestamp the token claims; only tests set it
  // (NPERF_TEST_AUTH_CLOCK_OFFSET_S, see auth::prepare), to show that a
  // server refuses a token outside its skew threshold. A client can write any
  // time into its own token anyway, so this gives nobody anything new.
  ClientToken(std::string user, std::string password, RsaKey key, Padding padding, int64_t clock_offset_s = 0)
      : user_(std::move(user)),
        password_(std::move(password)),
        key_(std::move(key)),
        padding_(padding),
        clock_offset_s_(clock_offset_s) {}

  // base64(RSA(user/pwd/ts)), or nullopt and *error.
  std::optional<std::string> make(int64_t unix_now, std::string* error) const;
  // The parameter JSON with "authtoken" added (just before "client_version", where iperf3 puts it).
  std::optional<std::string> add_to_params(const std::string& params_json, int64_t unix_now,
                                           std::string* error) const;

 private:
  std::string user_, password_;
  RsaKey key_;
  Padding padding_;
  int64_t clock_offset_s_;
};

}  // namespace nperf::auth
