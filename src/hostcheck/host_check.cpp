#include "nperf/hostcheck/host_check.hpp"

#include <fmt/format.h>

#include "nperf/hostcheck/findings.hpp"
#include "nperf/hostcheck/host_facts.hpp"
#include "nperf/hostcheck/host_report.hpp"

namespace nperf::hostcheck {

int run_host_check(const Config& config, const Sink& out, const Sink& err) {
  GatherOptions options;
  options.host = config.host;
  options.family = config.family;
  std::string error;
  auto facts = gather_host_facts(options, &error);
  if (!facts) {
    // -J keeps stdout one JSON document even on failure, as the test modes do.
    if (config.json)
      out(nlohmann::ordered_json{{"error", error}}.dump(2) + "\n");
    else
      err(fmt::format("nperf: error - {}\n", error));
    return 1;
  }
  auto findings = evaluate(*facts);
  out(config.json ? render_json(*facts, findings).dump(2) + "\n" : render_text(*facts, findings));
  return 0;
}

}  // namespace nperf::hostcheck
