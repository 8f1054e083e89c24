#pragma once
// Typed, case-insensitive access to JSON received from a peer. iperf3 looks keys
// up case-insensitively (cJSON), and iperf3 <= 3.13 prints negative integers as
// unsigned 64-bit numbers, so -1 arrives as 18446744073709551615.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace nperf::protocol {

// Thrown by the getters below on a value of the wrong type; decoders catch it
// and turn it into an error result.
struct JsonFieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const nlohmann::ordered_json* find_key(const nlohmann::ordered_json& object, std::string_view key);

// Each returns nullopt when the key is absent and throws JsonFieldError when
// it is present with the wrong type (or an integer field holds a fraction).
std::optional<int64_t> get_int(const nlohmann::ordered_json& object, std::string_view key);
std::optional<double> get_number(const nlohmann::ordered_json& object, std::string_view key);
std::optional<std::string> get_string(const nlohmann::ordered_json& object, std::string_view key);
// iperf3's presence flags: any value of the expected kind (bool or number) turns them on.
bool get_presence_flag(const nlohmann::ordered_json& object, std::string_view key);

// Parses text as JSON with a nesting limit; returns nullopt and sets *error on failure.
std::optional<nlohmann::ordered_json> parse_json_object(std::string_view text, int max_depth,
                                                        std::string* error);

}  // namespace nperf::protocol
