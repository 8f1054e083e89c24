#include "nperf/protocol/json_access.hpp"

#include <cmath>

#include <fmt/format.h>

namespace nperf::protocol {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

}  // namespace

const nlohmann::ordered_json* find_key(const nlohmann::ordered_json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto exact = object.find(std::string(key));
  if (exact != object.end()) return &*exact;
  for (auto it = object.begin(); it != object.end(); ++it)
    if (iequals(it.key(), key)) return &*it;
  return nullptr;
}

std::optional<int64_t> get_int(const nlohmann::ordered_json& object, std::string_view key) {
  const nlohmann::ordered_json* v = find_key(object, key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) {
    // Wraps iperf3 3.12's unsigned printing of negative numbers back (2^64-1 -> -1).
    return static_cast<int64_t>(v->get<uint64_t>());
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    // Range first (the cast is only defined in range); whole iff the cast loses nothing. No
    // std::floor: nperf links no libm (0.3 MiB of resident pages, see CMakeLists.txt).
    if (std::fabs(d) < 9.2e18 && d == static_cast<double>(static_cast<int64_t>(d)))
      return static_cast<int64_t>(d);
  }
  throw JsonFieldError(fmt::format("'{}' must be an integer, got {}", key, v->dump()));
}

std::optional<double> get_number(const nlohmann::ordered_json& object, std::string_view key) {
  const nlohmann::ordered_json* v = find_key(object, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) throw JsonFieldError(fmt::format("'{}' must be a number, got {}", key, v->dump()));
  if (v->is_number_unsigned()) return static_cast<double>(static_cast<int64_t>(v->get<uint64_t>()));
  return v->get<double>();
}

std::optional<std::string> get_string(const nlohmann::ordered_json& object, std::string_view key) {
  const nlohmann::ordered_json* v = find_key(object, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) throw JsonFieldError(fmt::format("'{}' must be a string, got {}", key, v->dump()));
  return v->get<std::string>();
}

bool get_presence_flag(const nlohmann::ordered_json& object, std::string_view key) {
  const nlohmann::ordered_json* v = find_key(object, key);
  if (!v) return false;
  if (!v->is_boolean() && !v->is_number())
    throw JsonFieldError(fmt::format("'{}' must be a boolean or number, got {}", key, v->dump()));
  return true;
}

std::optional<nlohmann::ordered_json> parse_json_object(std::string_view text, int max_depth,
                                                        std::string* error) {
  int depth = 0;
  bool too_deep = false;
  auto limit_depth = [&](int, nlohmann::ordered_json::parse_event_t event, nlohmann::ordered_json&) {
    if (event == nlohmann::ordered_json::parse_event_t::object_start ||
        event == nlohmann::ordered_json::parse_event_t::array_start) {
      if (++depth > max_depth) too_deep = true;
    } else if (event == nlohmann::ordered_json::parse_event_t::object_end ||
               event == nlohmann::ordered_json::parse_event_t::array_end) {
      --depth;
    }
    return !too_deep;
  };
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(text.begin(), text.end(), limit_depth, false);
  if (too_deep) {
    *error = fmt::format("JSON nested deeper than {} levels", max_depth);
    return std::nullopt;
  }
  if (parsed.is_discarded() || !parsed.is_object()) {
    *error = "message is not a JSON object";
    return std::nullopt;
  }
  return parsed;
}

}  // namespace nperf::protocol
