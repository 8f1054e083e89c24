#include "nperf/auth/server_gate.hpp"

#include <sys/stat.h>

#include <fstream>

#include <fmt/format.h>

#include "nperf/auth/token_format.hpp"

namespace nperf::auth {

ServerGate::ServerGate(std::optional<RsaKey> key, ServerAuthOptions options, AccessList allow)
    : key_(std::move(key)), options_(std::move(options)), allow_(std::move(allow)) {}

bool ServerGate::admits(std::span<const uint8_t> address, double mono_now, std::string* log_line) {
  if (allow_.empty() || allow_.allows(address)) return true;
  std::string source = address_text(address);
  if (auto count = refusals_.refused(source, mono_now))
    *log_line = fmt::format("refused {} connection{} from {}: not in --allow ({} refused in all)", *count,
                            *count == 1 ? "" : "s", source, refusals_.total());
  return false;
}

bool ServerGate::refresh_users(std::vector<std::string>* notes) {
  struct stat st {};
  if (stat(options_.users_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    notes->push_back(fmt::format("cannot read the authorized users file '{}': nobody can authenticate",
                                 options_.users_path));
    users_ = {};
    users_stamp_.reset();
    return false;
  }
  FileStamp stamp{st.st_mtim, st.st_size, st.st_ino};
  if (users_stamp_ && *users_stamp_ == stamp) return true;
  std::ifstream in(options_.users_path, std::ios::binary);
  std::string text(kMaxUsersFileBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  users_ = parse_users_file(text);
  users_stamp_ = stamp;
  for (const auto& problem : users_.problems)
    notes->push_back(fmt::format("authorized users file '{}': {} (ignored)", options_.users_path, problem));
  return true;
}

Verdict ServerGate::check(const std::optional<std::string>& token, const std::string& source,
                          int64_t unix_now, double mono_now) {
  if (failures_.blocked(source, mono_now)) {
    Verdict v;
    v.detail = fmt::format("too many failed attempts from {}; refused without looking", source);
    return v;
  }
  Verdict v = judge(token, unix_now);
  if (v.ok)
    failures_.record_success(source);
  else
    failures_.record_failure(source, mono_now);
  return v;
}

Verdict ServerGate::judge(const std::optional<std::string>& token, int64_t unix_now) {
  Verdict v;
  if (!token) {
    v.detail = "the client sent no authtoken (no --username/--rsa-public-key-path?)";
    return v;
  }
  auto encrypted = base64_decode(*token);
  if (!encrypted) {
    v.detail = "the authtoken is not base64 of a plausible length";
    return v;
  }
  auto plaintext = key_->decrypt(*encrypted, options_.padding);
  if (!plaintext) {
    v.detail = fmt::format(
        "the authtoken does not decrypt with this server's key and {} padding (another key, or the other "
        "padding: iperf3 <= 3.16 clients need --use-pkcs1-padding)",
        options_.padding == Padding::kOaep ? "OAEP" : "PKCS#1 v1.5");
    return v;
  }
  auto credentials = parse_credentials(*plaintext);
  if (!credentials) {
    v.detail = "the decrypted authtoken is not in iperf3's format";
    return v;
  }
  v.user = credentials->user;
  int64_t skew = unix_now - credentials->timestamp;
  if (skew > options_.skew_threshold_s || skew < -static_cast<int64_t>(options_.skew_threshold_s)) {
    v.detail = fmt::format(
        "user '{}': the token's time (ts {}) is {} s from this server's clock "
        "(--time-skew-threshold {})",
        v.user, credentials->timestamp, skew, options_.skew_threshold_s);
    return v;
  }
  refresh_users(&v.notes);
  // Every entry is compared, each in constant time: the time taken does not
  // say whether the user exists or how much of the hash matched.
  auto hash = password_hash(credentials->user, credentials->password);
  bool match = false;
  for (const AuthorizedUser& user : users_.users) {
    bool same_hash = equal_constant_time(user.hash, hash);
    match |= same_hash && user.name == credentials->user;
  }
  if (!match) {
    v.detail =
        fmt::format("user '{}' (ts {}): unknown user or wrong password", v.user, credentials->timestamp);
    return v;
  }
  v.ok = true;
  return v;
}

}  // namespace nperf::auth
