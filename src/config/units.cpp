#include "nperf/config/units.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
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
    for (int i = 0; i < power; ++i) multiplier *= base;  // not std::pow: no libm (CMakeLists.txt)
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  // A plain decimal ("10", "1.5", "2e9"): no sign, blank, hex, inf or nan. strtod, not
  // std::from_chars<double>: that one alone would link libm (fesetround), see CMakeLists.txt.
  if (!std::isdigit(static_cast<unsigned char>(text.front())) && text.front() != '.') return std::nullopt;
  if (text.find_first_not_of("0123456789.eE+-") != std::string_view::npos) return std::nullopt;
  const std::string digits(text);
  char* end = nullptr;
  const double value = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return std::nullopt;
  double result = value * multiplier;
  if (!std::isfinite(result) || result < 0 || result >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(result);
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
  return parse_with_base(text, 1024);
}
std::optional<uint64_t> parse_rate(std::string_view text) {
  return parse_with_base(text, 1000);
}

}  // namespace nperf
