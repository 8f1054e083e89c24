#pragma once
// What the command line says about authentication (iperf3's RSA scheme,
// docs/auth.md) and the server's access list. Plain data: the keys, the
// password and the server's bookkeeping are loaded by auth::prepare() into
// the two shared objects below, which every copy of the Config shares.
#include <memory>
#include <string>

namespace nperf::auth {
class ClientToken;  // auth/client_token.hpp
class ServerGate;   // auth/server_gate.hpp
}  // namespace nperf::auth

namespace nperf {

struct AuthSettings {
  // Client.
  std::string username;         // --username
  std::string public_key_path;  // --rsa-public-key-path (PEM)
  std::string password_file;    // --password-file (nperf only); else IPERF3_PASSWORD, else a TTY prompt
  // Server.
  std::string private_key_path;  // --rsa-private-key-path (PEM, unencrypted)
  std::string users_path;        // --authorized-users-path: "user,sha256hex" lines
  int skew_threshold_s = 10;     // --time-skew-threshold (iperf3's default)
  std::string allow;             // --allow CIDR[,CIDR...] (nperf only): empty = everyone
  // Both (iperf3 >= 3.17 has it on the server only): PKCS#1 v1.5 instead of OAEP, as iperf3 <= 3.16.
  bool pkcs1_padding = false;  // --use-pkcs1-padding

  bool client_enabled() const { return !username.empty() || !public_key_path.empty(); }
  bool server_enabled() const { return !private_key_path.empty() || !users_path.empty(); }

  // Set by auth::prepare(); null when the role does not use them.
  std::shared_ptr<auth::ClientToken> client;
  std::shared_ptr<auth::ServerGate> server;
};

}  // namespace nperf
