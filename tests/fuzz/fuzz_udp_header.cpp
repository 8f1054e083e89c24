// Fuzzes the UDP datagram header decoder (protocol/udp_header.hpp) and the
// receiver's loss/jitter accounting (stats/udp_receive_stats.hpp).
//
// 1. The whole input, as one datagram, is decoded with 32- and 64-bit counters:
//    nullopt exactly when it is shorter than the header, otherwise encoding the
//    result reproduces the header bytes.
// 2. The input, as a sequence of records (header + 4-byte big-endian signed
//    transit in microseconds), is decoded in both modes and fed to one
//    UdpReceiveStats per mode. After every datagram the counters must agree
//    with bounds computed independently here. A transit of exactly 0x80000000
//    stands for "end of the omit period" (reset_jitter()).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

#include "fuzz_check.hpp"
#include "nperf/protocol/frame.hpp"
#include "nperf/protocol/udp_header.hpp"
#include "nperf/stats/udp_receive_stats.hpp"

namespace {

using nperf::protocol::UdpHeader;

void check_single(std::span<const uint8_t> in, bool wide) {
  size_t need = nperf::protocol::udp_header_size(wide);
  auto h = nperf::protocol::decode_udp_header(in, wide);
  NPERF_FUZZ_CHECK(h.has_value() == (in.size() >= need));
  if (!h) return;
  if (!wide) NPERF_FUZZ_CHECK(h->seq <= std::numeric_limits<uint32_t>::max());
  uint8_t out[nperf::protocol::kUdpHeaderSize64];
  std::memset(out, 0xa5, sizeof out);
  nperf::protocol::encode_udp_header(*h, wide, std::span<uint8_t>(out, need));
  NPERF_FUZZ_CHECK(std::memcmp(out, in.data(), need) == 0);
  // Bytes past the header are never written.
  for (size_t i = need; i < sizeof out; ++i) NPERF_FUZZ_CHECK(out[i] == 0xa5);
}

void check_stream(std::span<const uint8_t> in, bool wide) {
  const size_t header = nperf::protocol::udp_header_size(wide);
  const size_t record = header + 4;
  nperf::UdpReceiveStats stats;
  uint64_t fed = 0, in_order = 0, late = 0, max_seq = 0, prev_packets = 0, prev_lost = 0;
  double max_d = 0;  // largest |transit difference| since the last jitter reset
  double prev_transit = 0;
  bool first = true;
  for (size_t pos = 0; pos + record <= in.size(); pos += record) {
    auto h = nperf::protocol::decode_udp_header(in.subspan(pos, header), wide);
    NPERF_FUZZ_CHECK(h.has_value());
    uint32_t raw = nperf::protocol::read_be32(std::span<const uint8_t, 4>(in.data() + pos + header, 4));
    if (raw == 0x80000000u) {
      stats.reset_jitter();
      NPERF_FUZZ_CHECK(stats.jitter_s() == 0);
      max_d = 0;
      first = true;
      continue;
    }
    int32_t transit_us = static_cast<int32_t>(raw);
    double sent = h->sec + h->usec / 1e6;  // as the receiver computes it
    double arrived = sent + transit_us / 1e6;
    stats.on_datagram(h->seq, sent, arrived);
    ++fed;
    if (h->seq > max_seq) {
      ++in_order;
      max_seq = h->seq;
    } else {
      ++late;
    }
    double transit = std::fabs(arrived - sent);
    if (first) {
      prev_transit = transit;
      first = false;
    }
    max_d = std::max(max_d, std::fabs(transit - prev_transit));
    prev_transit = transit;

    NPERF_FUZZ_CHECK(stats.packets() == max_seq);  // highest sequence number seen
    NPERF_FUZZ_CHECK(stats.packets() >= prev_packets);
    NPERF_FUZZ_CHECK(stats.out_of_order() == late);
    NPERF_FUZZ_CHECK(stats.out_of_order() <= fed);
    NPERF_FUZZ_CHECK(stats.lost() <= stats.packets());
    // Every in-order datagram raises the count by 1 + its gap, the gap going to
    // lost; a late one takes at most one back.
    // (128-bit sums: a 64-bit sequence number near 2^64 makes them wrap.)
    using u128 = unsigned __int128;
    NPERF_FUZZ_CHECK(u128{stats.lost()} + in_order <= stats.packets());
    NPERF_FUZZ_CHECK(u128{stats.lost()} + in_order + late >= stats.packets());
    if (h->seq <= prev_packets)
      NPERF_FUZZ_CHECK(stats.lost() == (prev_lost > 0 ? prev_lost - 1 : 0));
    else if (h->seq == prev_packets + 1)
      NPERF_FUZZ_CHECK(stats.lost() == prev_lost);
    if (!wide) NPERF_FUZZ_CHECK(stats.packets() <= std::numeric_limits<uint32_t>::max());
    double j = stats.jitter_s();
    NPERF_FUZZ_CHECK(std::isfinite(j));
    NPERF_FUZZ_CHECK(j >= 0);
    NPERF_FUZZ_CHECK(j <= max_d * (1 + 1e-9) + 1e-15);  // a running average of the |d| values
    prev_packets = stats.packets();
    prev_lost = stats.lost();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  for (bool wide : {false, true}) {
    check_single(in, wide);
    check_stream(in, wide);
  }
  return 0;
}
