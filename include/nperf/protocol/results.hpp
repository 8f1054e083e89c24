#pragma once
// The results message each side sends during EXCHANGE_RESULTS (client first).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "nperf/protocol/results_extension.hpp"

namespace nperf::protocol {

struct StreamResult {
  int id = 0;
  uint64_t bytes = 0;        // sent (sender) or received (receiver) after omit
  int64_t retransmits = -1;  // -1 when not a TCP sender
  double jitter_s = 0;
  int64_t errors = 0;  // UDP lost datagrams
  std::optional<int64_t> omitted_errors;
  int64_t packets = 0;
  std::optional<int64_t> omitted_packets;
  double start_time = 0;
  double end_time = 0;
};

struct TestResults {
  double cpu_total = 0, cpu_user = 0, cpu_system = 0;  // percent
  int sender_has_retransmits = -1;  // -1 pure receiver, 1 TCP sender with TCP_INFO, 0 otherwise
  std::string congestion_used;      // empty: not sent
  std::vector<StreamResult> streams;
  std::optional<nlohmann::ordered_json> server_output_json;
  std::optional<std::string> server_output_text;
  std::optional<ResultsExtension> nperf;  // nperf's extension (absent from an iperf3 peer)
};

std::string encode_results(const TestResults& results);

struct DecodedResults {
  std::optional<TestResults> results;
  std::string error;
};

// Applies iperf3's rules: required keys, omitted_* present as a pair or not at all.
DecodedResults decode_results(std::string_view json_text);

}  // namespace nperf::protocol
