#pragma once
// nperf's extension to the results message: under the "nperf" key (iperf3
// ignores it) each end sends its socket buffers and, per stream, the evidence
// it measured, so the peer can draw a verdict from both halves. Decoding is
// for peer input: anything malformed decodes as "unknown", never an error
// that stops the test.
//
//   "nperf": {"buffers": {...}, "boot_id": "...", "path": {...},
//             "streams": [{"id": 1, "evidence": {...}}, ...]}
#include <vector>

#include <nlohmann/json.hpp>

#include <optional>

#include "nperf/protocol/evidence_record.hpp"
#include "nperf/protocol/path_record.hpp"
#include "nperf/stats/overlap.hpp"

namespace nperf::protocol {

struct ExtensionStream {
  int id = 0;
  StreamEvidence evidence;  // known == false: the peer's entry was malformed

  bool operator==(const ExtensionStream&) const = default;
};

struct ResultsExtension {
  SocketBuffers buffers;                 // known == false: absent or malformed
  std::string boot_id;                   // the end's kernel boot id, "" when unknown
  PathRecord path;                       // what the end saw of the path (path_record.hpp); unknown: not sent
  std::vector<ExtensionStream> streams;  // in the peer's order; entries without an integer id are dropped
  std::optional<TestOverlap> server_test;  // a concurrent server: the test's id, port and what ran beside it

  bool operator==(const ResultsExtension&) const = default;
};

nlohmann::ordered_json encode_results_extension(const ResultsExtension& ext);
// `j` is the value of the "nperf" key (an object; anything else decodes empty).
ResultsExtension decode_results_extension(const nlohmann::ordered_json& j);

// The pieces, also printed by -J (fractions and seconds rounded to 4 decimals).
nlohmann::ordered_json evidence_to_json(const StreamEvidence& e);
StreamEvidence evidence_from_json(const nlohmann::ordered_json& j);
nlohmann::ordered_json buffers_to_json(const SocketBuffers& b);
SocketBuffers buffers_from_json(const nlohmann::ordered_json& j);
nlohmann::ordered_json overlap_to_json(const TestOverlap& o);
// Empty when `j` is not an object with an integer "id".
std::optional<TestOverlap> overlap_from_json(const nlohmann::ordered_json& j);

// Rounds to 4 decimals, half away from zero (keeps the results message small
// with 128 streams; a reader needs no more).
double round4(double v);

}  // namespace nperf::protocol
