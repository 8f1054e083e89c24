#pragma once
// Evidence and verdicts as JSON for -J. The evidence and buffer objects are
// the ones of the results exchange (protocol/results_extension.hpp).
#include <nlohmann/json.hpp>

#include "nperf/protocol/results_extension.hpp"
#include "nperf/stats/evidence.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {

// Evidence and buffers: one codec, in the protocol layer.
using protocol::buffers_from_json;
using protocol::buffers_to_json;
using protocol::evidence_from_json;
using protocol::evidence_to_json;

nlohmann::ordered_json verdict_to_json(const Verdict& v);

}  // namespace nperf
