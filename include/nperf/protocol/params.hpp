#pragma once
// The parameter message (client -> server after PARAM_EXCHANGE), in iperf3's
// key names. Encoding follows iperf3's quirks: boolean options are presence
// flags (never sent as false), "len" is always sent, "bandwidth" always for UDP.
// nperf-only settings travel under the "nperf" key, which iperf3 ignores.
#include <optional>
#include <string>
#include <string_view>

#include "nperf/config/test_spec.hpp"
#include "nperf/config/version.hpp"

namespace nperf::protocol {

inline constexpr std::string_view kNperfVersion = kClientVersion;
inline constexpr int kMaxJsonDepth = 16;

std::string encode_params(const TestSpec& spec);

struct DecodedParams {
  std::optional<TestSpec> spec;  // set on success
  std::string error;             // set on failure
};

// Decodes and type-checks; unknown keys are ignored. Ranges are checked by validate().
DecodedParams decode_params(std::string_view json_text);

}  // namespace nperf::protocol
