#include "nperf/config/tos.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace nperf {
namespace {

// strtol(text, &end, 0) over the whole text, or nullopt.
std::optional<long> whole_number(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.front() == '+' ||
      std::isspace(static_cast<unsigned char>(text.front())))
    return std::nullopt;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  long value = std::strtol(copy.c_str(), &end, 0);
  if (errno != 0 || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

struct DscpClass {
  std::string_view name;
  int value;
};

// RFC 2474 class selectors, RFC 2597 assured forwarding, RFC 3246 EF, RFC 5865 VA, RFC 8622 LE.
constexpr DscpClass kClasses[] = {
    {"af11", 10}, {"af12", 12}, {"af13", 14}, {"af21", 18}, {"af22", 20}, {"af23", 22},
    {"af31", 26}, {"af32", 28}, {"af33", 30}, {"af41", 34}, {"af42", 36}, {"af43", 38},
    {"cs0", 0},   {"cs1", 8},   {"cs2", 16},  {"cs3", 24},  {"cs4", 32},  {"cs5", 40},
    {"cs6", 48},  {"cs7", 56},  {"ef", 46},   {"va", 44},   {"le", 1},
};

// RFC 1349's type-of-service names, which iperf3's --dscp also takes (any
// case). Unlike the classes above they name the whole TOS byte, not a DSCP:
// Debian's iperf3 3.12 sends lowdelay as TOS 16, throughput 8, reliability 4.
constexpr DscpClass kTosNames[] = {{"lowdelay", 0x10}, {"throughput", 0x08}, {"reliability", 0x04}};

bool same_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  return true;
}

}  // namespace

std::optional<int> parse_tos(std::string_view text) {
  auto value = whole_number(text);
  if (!value || *value < 0 || *value > 255) return std::nullopt;
  return static_cast<int>(*value);
}

std::optional<int> parse_dscp(std::string_view text) {
  for (const DscpClass& c : kClasses)
    if (same_ignoring_case(text, c.name)) return c.value << 2;
  for (const DscpClass& c : kTosNames)
    if (same_ignoring_case(text, c.name)) return c.value;
  auto value = whole_number(text);
  if (!value || *value < 0 || *value > 63) return std::nullopt;
  return static_cast<int>(*value) << 2;
}

}  // namespace nperf
