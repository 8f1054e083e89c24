#include "nperf/auth/client_token.hpp"

#include <nlohmann/json.hpp>

namespace nperf::auth {

std::optional<std::string> ClientToken::make(int64_t unix_now, std::string* error) const {
  std::string text = format_credentials({user_, password_, unix_now + clock_offset_s_});
  auto encrypted = key_.encrypt(text, padding_, error);
  if (!encrypted) return std::nullopt;
  return base64_encode(*encrypted);
}

std::optional<std::string> ClientToken::add_to_params(const std::string& params_json, int64_t unix_now,
                                                      std::string* error) const {
  auto token = make(unix_now, error);
  if (!token) return std::nullopt;
  const auto params = nlohmann::ordered_json::parse(params_json);
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (it.key() == "client_version") j["authtoken"] = *token;
    j[it.key()] = it.value();
  }
  if (!j.contains("authtoken")) j["authtoken"] = *token;
  return j.dump();
}

}  // namespace nperf::auth
