#pragma once
// The server's half: who may connect (--allow) and whose parameter message
// carries a valid iperf3 authtoken. Holds what outlives one test: the private
// key, the users file (re-read when its mtime, size or inode changes, so
// users can be added without a restart), the per-source failure counts and
// the refusal log. One control thread uses it; it is not thread-safe.
#include <sys/types.h>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nperf/auth/access_list.hpp"
#include "nperf/auth/rsa_crypto.hpp"
#include "nperf/auth/source_limits.hpp"
#include "nperf/auth/users_file.hpp"

namespace nperf::auth {

struct Verdict {
  bool ok = false;
  std::string user;                // as the token claims it, when it could be read
  std::string detail;              // why it failed: for the server's own log, never sent to the client
  std::vector<std::string> notes;  // e.g. bad lines of a freshly read users file, to log as warnings
};

struct ServerAuthOptions {
  std::string users_path;
  int skew_threshold_s = 10;
  Padding padding = Padding::kOaep;
};

class ServerGate {
 public:
  // key: nullopt when authentication is off (only the access list applies).
  ServerGate(std::optional<RsaKey> key, ServerAuthOptions options, AccessList allow);

  bool auth_enabled() const { return key_.has_value(); }

  // The access list. On a refusal, *log_line is set when this source is due a
  // line (the first refusal, then at most one a minute, with the count).
  bool admits(std::span<const uint8_t> address, double mono_now, std::string* log_line);

  // Checks the "authtoken" of a parameter message (nullopt: none was sent).
  // source: the client's address as text (the key of the failure counts).
  Verdict check(const std::optional<std::string>& token, const std::string& source, int64_t unix_now,
                double mono_now);

  // Reads the users file if it changed since the last read; false if it cannot be read.
  bool refresh_users(std::vector<std::string>* notes);

 private:
  Verdict judge(const std::optional<std::string>& token, int64_t unix_now);

  std::optional<RsaKey> key_;
  ServerAuthOptions options_;
  AccessList allow_;
  FailureLimiter failures_;
  RefusalLog refusals_;
  UsersTable users_;
  struct FileStamp {
    timespec mtime{};
    off_t size = -1;
    ino_t inode = 0;
    bool operator==(const FileStamp& o) const {
      return mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec && size == o.size &&
             inode == o.inode;
    }
  };
  std::optional<FileStamp> users_stamp_;  // of the table in users_; nullopt: never read
};

}  // namespace nperf::auth
