#pragma once
// iperf3's number suffixes. Sizes (-n -k -l -w) use K/M/G/T = 2^10..2^40;
// rates (-b, bit/s) use K/M/G/T = 10^3..10^12. Upper or lower case, optional
// fraction ("1.5M"). Returns nullopt on anything else.
#include <cstdint>
#include <optional>
#include <string_view>

namespace nperf {

std::optional<uint64_t> parse_size(std::string_view text);
std::optional<uint64_t> parse_rate(std::string_view text);

}  // namespace nperf
