#include "nperf/config/port_list.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace nperf {

namespace {

bool parse_port(std::string_view text, uint16_t* port) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 1 || value > 65535) return false;
  *port = static_cast<uint16_t>(value);
  return true;
}

PortListParse fail(std::string error) {
  return {{}, std::move(error)};
}

}  // namespace

PortListParse parse_port_list(std::string_view text) {
  PortListParse out;
  if (text.empty()) return fail("an empty port list");
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == std::string_view::npos ? text.npos : comma - start);
    size_t dash = item.find('-');
    uint16_t first = 0, last = 0;
    bool ok = dash == std::string_view::npos
                  ? parse_port(item, &first) && (last = first, true)
                  : parse_port(item.substr(0, dash), &first) && parse_port(item.substr(dash + 1), &last);
    if (!ok) return fail(fmt::format("'{}' is not a port (1..65535) or a range of ports (5101-5103)", item));
    if (last < first) return fail(fmt::format("the range '{}' runs backwards", item));
    for (unsigned p = first; p <= last; ++p) {
      if (std::find(out.ports.begin(), out.ports.end(), p) != out.ports.end())
        return fail(fmt::format("port {} is listed twice", p));
      if (out.ports.size() == kMaxServerPorts)
        return fail(fmt::format("more than {} ports", kMaxServerPorts));
      out.ports.push_back(static_cast<uint16_t>(p));
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string describe_ports(const std::vector<uint16_t>& ports) {
  std::string out;
  for (size_t i = 0; i < ports.size();) {
    size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1] == ports[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? fmt::format("{}", ports[i]) : fmt::format("{}-{}", ports[i], ports[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace nperf
