#include "nperf/config/units.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

namespace nperf {
namespace {

std::optional<uint64_t> parse_with_base(std::string_view text, double base) {
  if (text.empty()) return std::nullopt;
  double multiplier = 1;
  char last = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
  const auto found = std::string_view("KMGT").find(last);
  const int power = found == std::string_view::npos ? 0 : static_cast<int>(found) + 1;
  if (power > 0) {
    multiplier = std::pow(base, power);
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  // std::from_chars for double accepts no leading '+' and no whitespace: exactly what we want.
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  double result = value * multiplier;
  if (!std::isfinite(result) || result < 0 || result >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(result);
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) { return parse_with_base(text, 1024); }
std::optional<uint64_t> parse_rate(std::string_view text) { return parse_with_base(text, 1000); }

}  // namespace nperf
