// Fuzzes the parameter JSON decoder (protocol/params.hpp): whatever a client
// sends after PARAM_EXCHANGE. On success the decoded TestSpec is encoded again
// with encode_params and decoded a second time; that must succeed and give
// back every field encode_params writes (with the defaults for the ones it
// leaves out).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "nperf/protocol/params.hpp"

using nperf::Direction;
using nperf::Protocol;
using nperf::TestSpec;
using nperf_fuzz::same_double;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto first = nperf::protocol::decode_params(text);
  NPERF_FUZZ_CHECK(first.spec.has_value() != !first.error.empty());
  if (!first.spec) return 0;
  const TestSpec& a = *first.spec;

  // Known finding (reported, not fixed here): encode_params converts
  // duration_s to int64_t without a range check, undefined behaviour (UBSan
  // float-cast-overflow, src/protocol/params.cpp) for |time| >= 2^63, which
  // decode_params accepts, e.g. {"time":1e19}. With NPERF_FUZZ_SKIP_KNOWN set
  // such specs are not re-encoded, so fuzzing can go on past it.
  if (nperf_fuzz::skip_known() && !(std::fabs(a.duration_s) < 0x1p63)) return 0;

  std::string encoded = nperf::protocol::encode_params(a);
  auto second = nperf::protocol::decode_params(encoded);
  if (!second.spec)
    std::fprintf(stderr, "re-decode failed: %s\nencoded: %s\n", second.error.c_str(), encoded.c_str());
  NPERF_FUZZ_CHECK(second.spec.has_value());
  const TestSpec& b = *second.spec;

  // Always encoded.
  NPERF_FUZZ_CHECK(b.protocol == a.protocol);
  NPERF_FUZZ_CHECK(b.omit_s == a.omit_s);
  NPERF_FUZZ_CHECK(same_double(b.duration_s, a.duration_s));
  NPERF_FUZZ_CHECK(b.bytes == a.bytes);
  NPERF_FUZZ_CHECK(b.blocks == a.blocks);
  NPERF_FUZZ_CHECK(b.parallel == a.parallel);
  NPERF_FUZZ_CHECK(b.direction == a.direction);
  NPERF_FUZZ_CHECK(b.block_len == a.block_len);
  NPERF_FUZZ_CHECK(b.client_version == nperf::protocol::kNperfVersion);
  // Encoded only when set; otherwise the decoder's default comes back.
  NPERF_FUZZ_CHECK(b.server_affinity == (a.server_affinity >= 0 ? a.server_affinity : -1));
  NPERF_FUZZ_CHECK(b.mss == (a.mss > 0 ? a.mss : 0));
  NPERF_FUZZ_CHECK(b.window == a.window);  // 0 (the default) when left out
  NPERF_FUZZ_CHECK(b.rate_bps == a.rate_bps);
  NPERF_FUZZ_CHECK(b.nodelay == a.nodelay);
  NPERF_FUZZ_CHECK(b.title == a.title);
  NPERF_FUZZ_CHECK(b.congestion == a.congestion);
  NPERF_FUZZ_CHECK(b.get_server_output == a.get_server_output);
  NPERF_FUZZ_CHECK(b.udp_counters_64bit == a.udp_counters_64bit);
  // gso/gro travel only with UDP.
  bool udp = a.protocol == Protocol::kUdp;
  NPERF_FUZZ_CHECK(b.gso == (udp && a.gso));
  NPERF_FUZZ_CHECK(b.gro == (udp && a.gro));
  NPERF_FUZZ_CHECK(b.server_stream_cpus == a.server_stream_cpus);

  // Encoding is a fixed point after one round.
  NPERF_FUZZ_CHECK(nperf::protocol::encode_params(b) == encoded);
  return 0;
}
