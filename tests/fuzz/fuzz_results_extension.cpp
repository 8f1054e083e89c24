// Fuzzes the decoder of nperf's results extension (protocol/results_extension.hpp):
// the "nperf" object a peer sends during EXCHANGE_RESULTS. Decoding must never
// throw, must keep every figure inside its documented range, and the encoding
// must be a fixed point after one round trip (values are rounded on the way out).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "nperf/protocol/json_access.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/protocol/results_extension.hpp"

using nperf::StreamEvidence;
using nperf::protocol::ResultsExtension;

namespace {

bool fraction_or_unknown(double v) {
  return std::isfinite(v) && v >= -1 && v <= 1;
}

void check_ranges(const StreamEvidence& e) {
  if (!e.known) return;
  NPERF_FUZZ_CHECK(std::isfinite(e.seconds) && e.seconds >= 0);
  NPERF_FUZZ_CHECK(e.busy >= 0 && e.busy <= 1);
  NPERF_FUZZ_CHECK(e.rwnd_limited >= 0 && e.rwnd_limited <= 1);
  NPERF_FUZZ_CHECK(e.sndbuf_limited >= 0 && e.sndbuf_limited <= 1);
  NPERF_FUZZ_CHECK(e.retransmit_ratio >= 0 && e.retransmit_ratio <= 1);
  NPERF_FUZZ_CHECK(fraction_or_unknown(e.thread_cpu));
  NPERF_FUZZ_CHECK(fraction_or_unknown(e.thread_wait));
  NPERF_FUZZ_CHECK(fraction_or_unknown(e.core_busy));
  NPERF_FUZZ_CHECK(e.cpu >= -1 && e.rtt_us >= -1 && e.min_rtt_us >= -1 && e.host_drops >= -1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string error;
  auto j = nperf::protocol::parse_json_object(std::string_view(reinterpret_cast<const char*>(data), size),
                                              nperf::protocol::kMaxJsonDepth, &error);
  if (!j) return 0;
  const ResultsExtension a = nperf::protocol::decode_results_extension(*j);
  NPERF_FUZZ_CHECK(a.buffers.requested >= 0 && a.buffers.sndbuf >= 0 && a.buffers.rcvbuf >= 0);
  for (const auto& s : a.streams) check_ranges(s.evidence);

  const std::string once = nperf::protocol::encode_results_extension(a).dump();
  const ResultsExtension b = nperf::protocol::decode_results_extension(nlohmann::ordered_json::parse(once));
  NPERF_FUZZ_CHECK(b.streams.size() == a.streams.size());
  NPERF_FUZZ_CHECK(b.buffers.known);  // always written, so always readable
  for (size_t i = 0; i < a.streams.size(); ++i) {
    NPERF_FUZZ_CHECK(b.streams[i].id == a.streams[i].id);
    NPERF_FUZZ_CHECK(b.streams[i].evidence.known);
  }
  const std::string twice = nperf::protocol::encode_results_extension(b).dump();
  if (twice != once) std::fprintf(stderr, "once:  %s\ntwice: %s\n", once.c_str(), twice.c_str());
  NPERF_FUZZ_CHECK(twice == once);
  return 0;
}
