#pragma once
// How much not-yet-sent data a TCP sender lets queue in its socket
// (TCP_NOTSENT_LOWAT), or 0 to keep the kernel's default (no limit).
//
// On a veth pair, ACKs handled on the receiving core transmit whatever the
// sending socket still has queued, from that core, while the sending thread
// transmits from its own; the two cores' backlogs then deliver out of order by
// a whole GSO skb (~45 segments at MTU 1500), far past the duplicate-ACK
// threshold. Measured there (docs/architecture.md, docs/benchmarks.md):
// thousands of spurious retransmissions per second, none with both ends on one
// core; with 512 KiB unsent at most, a tenth of them and 20-35 % more
// throughput at -P 2 and -P 8 (client and server in sessions of their own, as
// the benchmark runs them). 256 KiB woke the senders so often that the cores
// idled a quarter of the time (-P 2: 31-33 Gbit/s); 1 MiB let more reordering
// through.
//
// Not on loopback: its 64 KiB segments make the same reordering harmless (one
// segment) and the extra sender wake-ups cost there, so NIC-sized segments
// only. Nor with -Z, whose sendfile() sender ran slower with it on the veth
// pair (27 -> 20 Gbit/s). In-flight data is not limited, only what waits
// unsent in the socket: 512 KiB is 400 us of data at 10 Gbit/s and 100 us at
// 40 Gbit/s, far more than a wake-up takes.
//
// Pure: the caller reads the MSS and applies.
#include <cstdint>

namespace nperf::engine {

constexpr uint32_t kUnsentLowWatermark = 512 * 1024;
constexpr int kLargestNicMss = 9000;  // a jumbo frame's segment; loopback's is 65483

constexpr uint32_t unsent_low_watermark(int mss, bool sendfile) {
  return !sendfile && mss > 0 && mss <= kLargestNicMss ? kUnsentLowWatermark : 0;
}

}  // namespace nperf::engine
