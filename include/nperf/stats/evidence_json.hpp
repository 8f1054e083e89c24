#pragma once
// Evidence and verdicts as JSON: the same objects go into the results
// exchange (nperf's extension, so each end learns the other's half) and into
// -J output. Decoding is for peer input: a malformed object decodes as
// "unknown" evidence, never an error that stops the test.
#include <nlohmann/json.hpp>

#include "nperf/stats/evidence.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {

nlohmann::ordered_json evidence_to_json(const StreamEvidence& e);
StreamEvidence evidence_from_json(const nlohmann::ordered_json& j);

nlohmann::ordered_json buffers_to_json(const SocketBuffers& b);
SocketBuffers buffers_from_json(const nlohmann::ordered_json& j);

nlohmann::ordered_json verdict_to_json(const Verdict& v);

}  // namespace nperf
