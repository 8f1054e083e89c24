#pragma once
// What rate each candidate limit allows one stream: the physics behind the
// verdict. A window of W bytes at an RTT of R moves at most W/R; a core that
// spent C of each second on B bytes moves at most B/C per second; a loss rate
// p allows Reno about MSS/RTT * 1.22/sqrt(p) (Mathis et al., 1997). The
// verdict names the lowest ceiling the achieved rate reached (verdict.cpp).
// Pure: figures in, figures out; docs/diagnosis.md gives each formula with an
// example, tests/unit/ceilings_test.cpp checks each one.
#include <string>
#include <vector>

#include "nperf/stats/verdict.hpp"

namespace nperf {

// How close the achieved rate must come to a ceiling to call it reached.
// Exact limits (-b, a core's time) are reached from 90 %; limits computed
// from a window and an RTT read at one instant from 75 % up to 150 % (the
// smoothed RTT at the end includes queueing the average did not; the window
// moves). The loss ceiling (Mathis) is a model of Reno's steady state, not a
// measurement: at the microsecond RTTs of a LAN or veth Linux's cubic with
// SACK recovery runs many times above it (6.5x with 2 % loss in
// VethPair.InducedLossIsNetworkLimited), so it never outranks a measured
// ceiling; it is shown, and names the network when loss was notable and no
// measured ceiling explains the rate (verdict.cpp).
inline constexpr double kExactReach = 0.90;
inline constexpr double kSnapshotReach = 0.75, kSnapshotOvershoot = 1.50;
// A receive window the sender reports being held by (rwnd_limited) for at
// least this share of the test is reached up to twice its ceiling: the RTT
// is then what is off, not the window. On an idle 2-core VM a 16 KiB window
// (11872 B) read a smoothed RTT of 63 us while the stream moved 2.64 Gbit/s,
// 1.75x the 1.51 Gbit/s that RTT gives (the window's own pace, 36 us, is what
// the rate implies) with rwnd_limited 29 % (VethPair.SmallReceiveWindow...).
inline constexpr double kWindowHeldShare = 0.20, kHeldWindowOvershoot = 2.0;
// The -b / --fq-rate cap decides outright from here (achieved / cap); below
// it, down to kExactReach, it competes with the other ceilings as the lowest.
inline constexpr double kRateHeld = 0.97;
inline constexpr double kMathisC = 1.22;  // sqrt(3/2): periodic loss, an ACK per segment

struct Ceiling {
  Bottleneck cause = Bottleneck::kUndetermined;
  std::string key;                              // stable name in -J: "receive_window", "sender_cpu", ...
  std::string what;                             // "a 12 KiB window at 37 us rtt"
  double bps = 0;                               // the rate it allows
  double reach = kExactReach, overshoot = 1e9;  // achieved/bps band that counts as reached
  // False: shown with the others but never chosen as the lowest (the
  // congestion window, the loss model, a busy host the workers hardly used).
  bool eligible = true;

  double ratio(double achieved_bps) const { return bps > 0 ? achieved_bps / bps : 0; }
  bool reached(double achieved_bps) const {
    double r = ratio(achieved_bps);
    return eligible && bps > 0 && r >= reach && r <= overshoot;
  }
};

// Every ceiling the evidence allows computing, in a fixed order (the order
// breaks ties: the more specific limit first). `achieved_bps` is the rate the
// stream reached (CPU ceilings scale it by the share of the CPU it needed).
std::vector<Ceiling> stream_ceilings(const StreamFacts& f, double achieved_bps);

// The CPU an end's worker demanded: run time plus time runnable waiting for
// a core, or its pinned core's busy time; -1 when unknown.
double cpu_demand(const StreamEvidence& e);

// "a 12 KiB window at 37 us rtt allows 2.60 Gbit/s"
std::string ceiling_sentence(const Ceiling& c);

}  // namespace nperf
