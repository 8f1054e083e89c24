#pragma once
// The "end" object of iperf3's -J document (iperf3-protocol.md §7.5), with
// nperf's extension under end.nperf. Split from the JSON reporter, which
// owns the rest of the document.
#include <cmath>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "nperf/stats/report_model.hpp"

namespace nperf::report {

// cJSON prints a double equal to its int64 conversion as an integer, and
// NaN/Inf as null; nperf's -J numbers follow it so documents compare equal.
inline nlohmann::ordered_json cjson_number(double d) {
  if (!std::isfinite(d)) return nullptr;
  if (d >= -9.2e18 && d <= 9.2e18) {
    const auto i = static_cast<int64_t>(d);
    if (static_cast<double>(i) == d) return i;
  }
  return d;
}

// udp_test: the parameters said UDP (the streams may not, e.g. with none).
// is_server: this reporter is a server's. version: end.nperf.version.
nlohmann::ordered_json json_end(const EndReport& end, bool udp_test, bool is_server,
                                const std::string& version);

}  // namespace nperf::report
