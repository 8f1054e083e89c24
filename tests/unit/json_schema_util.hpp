#pragma once
// Structural comparison of JSON documents: does `ours` carry every key path of
// `reference`, with the same JSON type? Used to hold nperf's -J output to
// iperf3's schema. Header-only test helper.
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nperf::testing {

// Integers and floats are both "number"; null (iperf3's NaN) matches anything.
inline std::string json_kind(const nlohmann::ordered_json& j) {
  if (j.is_number()) return "number";
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  if (j.is_object()) return "object";
  if (j.is_array()) return "array";
  if (j.is_null()) return "null";
  return "other";
}

struct SchemaOptions {
  std::set<std::string> skip_keys;  // key names ignored wherever they appear
};

namespace detail {
inline void schema_walk(const nlohmann::ordered_json& ref, const nlohmann::ordered_json& ours,
                        const std::string& path, const SchemaOptions& opt,
                        std::vector<std::string>& problems) {
  if (ref.is_null()) return;
  if (json_kind(ref) != json_kind(ours)) {
    problems.push_back(path + ": type " + json_kind(ours) + ", iperf3 has " + json_kind(ref));
    return;
  }
  if (ref.is_object()) {
    for (auto it = ref.begin(); it != ref.end(); ++it) {
      if (opt.skip_keys.count(it.key())) continue;
      const std::string sub = path + "." + it.key();
      auto mine = ours.find(it.key());
      if (mine == ours.end()) {
        problems.push_back(sub + ": missing");
        continue;
      }
      schema_walk(it.value(), *mine, sub, opt, problems);
    }
  } else if (ref.is_array() && !ref.empty()) {
    if (ours.empty()) {
      problems.push_back(path + "[0]: missing (array is empty)");
      return;
    }
    schema_walk(ref.front(), ours.front(), path + "[0]", opt, problems);
  }
}
}  // namespace detail

// Every key path of `reference` must exist in `ours` with the same kind;
// arrays are compared through their element 0. Returns the offending paths
// ("$.end.streams[0].sender.retransmits: missing"); empty when all match.
inline std::vector<std::string> schema_differences(const nlohmann::ordered_json& reference,
                                                   const nlohmann::ordered_json& ours,
                                                   const SchemaOptions& options = {}) {
  std::vector<std::string> problems;
  detail::schema_walk(reference, ours, "$", options, problems);
  return problems;
}

// Parses a captured iperf3 output file: the JSON document followed by a
// "client rc=0" / "server rc=0" line that is not part of it. Duplicate keys
// keep the last value.
inline nlohmann::ordered_json load_iperf3_json(const std::string& file) {
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const auto last_brace = text.rfind('}');
  if (last_brace == std::string::npos) return nullptr;
  text.resize(last_brace + 1);
  return nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
}

inline std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace nperf::testing
