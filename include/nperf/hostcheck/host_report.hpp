#pragma once
// Printing `nperf --check`: facts and findings as text or as JSON (-J). The
// JSON keys are listed in docs/hostcheck.md; unreadable values are null, so
// every key is always present.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nperf/hostcheck/findings.hpp"
#include "nperf/hostcheck/host_facts.hpp"

namespace nperf::hostcheck {

std::string render_text(const HostFacts& facts, const std::vector<Finding>& findings);
nlohmann::ordered_json render_json(const HostFacts& facts, const std::vector<Finding>& findings);

// "performance on 0-15", "powersave on 0-3, performance on 4-7", or
// "unavailable" when no CPU exposes a cpufreq governor (VMs, containers).
std::string summarize_governors(const std::map<std::string, std::vector<int>>& governors);

}  // namespace nperf::hostcheck
