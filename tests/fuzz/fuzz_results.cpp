// Fuzzes the results JSON decoder (protocol/results.hpp): what the peer sends
// during EXCHANGE_RESULTS, and the reading of its server output for the path. On success the decoded
// TestResults are encoded again with encode_results and decoded a second time; that must succeed and give
// back every field encode_results writes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/protocol/server_output_path.hpp"

using nperf::protocol::StreamResult;
using nperf::protocol::TestResults;
using nperf_fuzz::same_double;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = nperf::protocol::decode_results(text);
  NPERF_FUZZ_CHECK(first.results.has_value() != !first.error.empty());
  if (!first.results) return 0;
  const TestResults& a = *first.results;
  NPERF_FUZZ_CHECK(a.streams.size() <= 256);
  NPERF_FUZZ_CHECK(!a.server_output_json || a.server_output_json->is_object());
  // An iperf3 server's output read for the path (protocol/server_output_path.hpp).
  if (auto seen = nperf::protocol::path_from_server_output(a)) NPERF_FUZZ_CHECK(seen->peer.port > 0);

  std::string encoded = nperf::protocol::encode_results(a);
  auto second = nperf::protocol::decode_results(encoded);
  if (!second.results)
    std::fprintf(stderr, "re-decode failed: %s\nencoded: %s\n", second.error.c_str(), encoded.c_str());
  NPERF_FUZZ_CHECK(second.results.has_value());
  const TestResults& b = *second.results;

  NPERF_FUZZ_CHECK(same_double(b.cpu_total, a.cpu_total));
  NPERF_FUZZ_CHECK(same_double(b.cpu_user, a.cpu_user));
  NPERF_FUZZ_CHECK(same_double(b.cpu_system, a.cpu_system));
  NPERF_FUZZ_CHECK(b.sender_has_retransmits == a.sender_has_retransmits);
  NPERF_FUZZ_CHECK(b.congestion_used == a.congestion_used);
  NPERF_FUZZ_CHECK(b.server_output_text == a.server_output_text);
  NPERF_FUZZ_CHECK(b.server_output_json.has_value() == a.server_output_json.has_value());
  if (a.server_output_json) NPERF_FUZZ_CHECK(*b.server_output_json == *a.server_output_json);
  // The extension is rounded on the way out (results_extension.hpp): the
  // encoded text below must be stable, the decoded values need not be equal.
  NPERF_FUZZ_CHECK(b.nperf.has_value() == a.nperf.has_value());
  NPERF_FUZZ_CHECK(b.streams.size() == a.streams.size());
  for (size_t i = 0; i < a.streams.size(); ++i) {
    const StreamResult& x = a.streams[i];
    const StreamResult& y = b.streams[i];
    NPERF_FUZZ_CHECK(y.id == x.id);
    NPERF_FUZZ_CHECK(y.bytes == x.bytes);
    NPERF_FUZZ_CHECK(y.retransmits == x.retransmits);
    NPERF_FUZZ_CHECK(same_double(y.jitter_s, x.jitter_s));
    NPERF_FUZZ_CHECK(y.errors == x.errors);
    NPERF_FUZZ_CHECK(y.packets == x.packets);
    // encode_results always writes the omitted_* pair (0 when absent).
    NPERF_FUZZ_CHECK(y.omitted_errors == x.omitted_errors.value_or(0));
    NPERF_FUZZ_CHECK(y.omitted_packets == x.omitted_packets.value_or(0));
    NPERF_FUZZ_CHECK(same_double(y.start_time, x.start_time));
    NPERF_FUZZ_CHECK(same_double(y.end_time, x.end_time));
  }

  NPERF_FUZZ_CHECK(nperf::protocol::encode_results(b) == encoded);
  return 0;
}
