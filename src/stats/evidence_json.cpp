#include "nperf/stats/evidence_json.hpp"

#include <cmath>

namespace nperf {

using Json = nlohmann::ordered_json;
using protocol::round4;

Json verdict_to_json(const Verdict& v) {
  Json j = Json::object();
  j["verdict"] = std::string(bottleneck_name(v.cause));
  j["reason"] = v.reason;
  j["advice"] = v.advice;
  Json figures = Json::object();
  for (const Figure& f : v.figures) figures[f.name] = std::isfinite(f.value) ? round4(f.value) : 0;
  j["evidence"] = std::move(figures);
  if (v.of_streams > 1) {
    j["streams"] = v.streams;
    j["of_streams"] = v.of_streams;
  }
  return j;
}

}  // namespace nperf
