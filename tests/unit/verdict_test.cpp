// Verdict rules on synthetic series: cumulative TCP_INFO and thread readings
// as the control thread would take them once a second, turned into evidence
// by the EvidenceTracker, then judged by diagnose_stream.
#include <gtest/gtest.h>

#include "nperf/stats/evidence.hpp"
#include "nperf/stats/evidence_json.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {
namespace {

// Per-second behaviour of one end, accumulated into readings.
struct Behaviour {
  double busy = 1.0;        // fraction of each second with data in flight
  double rwnd_limited = 0;  // fractions of each second
  double sndbuf_limited = 0;
  uint64_t bytes_per_s = 0;    // sent (TCP sender)
  uint64_t retrans_per_s = 0;  // bytes retransmitted per second
  uint32_t retrans_segments_per_s = 0;
  double cpu = 0.3;        // thread CPU, fraction of a core
  double wait = 0;         // runnable but waiting
  double core_busy = 0.3;  // the core it ran on
  int core = 0;
  uint64_t snd_wnd = 64 * 1024;
  int64_t rtt_us = 100;
  uint64_t host_drops_per_s = 0;
};

// Runs `seconds` of readings through a tracker; returns the whole-test evidence.
StreamEvidence series(const Behaviour& b, bool sender, bool tcp, bool udp, bool pinned, int seconds = 5) {
  EvidenceTracker tracker(sender, tcp, udp, pinned);
  EvidenceReading r;
  r.tcp.valid = tcp;
  r.thread = {true, 0, 0, b.core, 0};
  r.cores.assign(2, CoreTime{});
  tracker.start(r);
  for (int s = 1; s <= seconds; ++s) {
    r.now = s;
    r.tcp.busy_us += static_cast<uint64_t>(b.busy * 1e6);
    r.tcp.rwnd_limited_us += static_cast<uint64_t>(b.rwnd_limited * 1e6);
    r.tcp.sndbuf_limited_us += static_cast<uint64_t>(b.sndbuf_limited * 1e6);
    r.tcp.bytes_sent += b.bytes_per_s + b.retrans_per_s;
    r.tcp.bytes_retrans += b.retrans_per_s;
    r.tcp.total_retransmits += b.retrans_segments_per_s;
    r.tcp.snd_wnd_bytes = b.snd_wnd;
    r.tcp.rtt_us = b.rtt_us;
    r.tcp.snd_cwnd_bytes = 10 * 1448;
    r.thread.user_s += b.cpu * 0.1;
    r.thread.system_s += b.cpu * 0.9;
    r.thread.wait_s += b.wait;
    r.cores[static_cast<size_t>(b.core)].busy += static_cast<uint64_t>(b.core_busy * 100);
    for (auto& c : r.cores) c.total += 100;
    r.host_drops += b.host_drops_per_s;
    StreamEvidence interval = tracker.interval(r);
    EXPECT_NEAR(interval.seconds, 1.0, 1e-9);
  }
  return tracker.finish(r);
}

StreamFacts tcp_facts(const StreamEvidence& sender, const StreamEvidence& receiver, double gbits = 10) {
  StreamFacts f;
  f.seconds = 5;
  f.sent_known = f.received_known = true;
  f.sent_bytes = f.received_bytes = static_cast<uint64_t>(gbits * 1e9 / 8 * 5);
  f.sender = sender;
  f.receiver = receiver;
  return f;
}

const Behaviour kIdle{};

TEST(Evidence, FractionsComeFromCounterDeltasOverThePeriod) {
  Behaviour b;
  b.busy = 0.9;
  b.rwnd_limited = 0.6;
  b.sndbuf_limited = 0.1;
  b.bytes_per_s = 1'000'000;
  b.retrans_per_s = 1'000;
  b.retrans_segments_per_s = 2;
  b.cpu = 0.5;
  b.wait = 0.25;
  b.core_busy = 0.8;
  StreamEvidence e = series(b, true, true, false, true);
  EXPECT_TRUE(e.known);
  EXPECT_TRUE(e.tcp_info);
  EXPECT_NEAR(e.seconds, 5, 1e-9);
  EXPECT_NEAR(e.busy, 0.9, 1e-6);
  EXPECT_NEAR(e.rwnd_limited, 0.6, 1e-6);
  EXPECT_NEAR(e.sndbuf_limited, 0.1, 1e-6);
  EXPECT_EQ(e.retransmits, 10);
  EXPECT_NEAR(e.retransmit_ratio, 1000.0 / 1'001'000, 1e-9);
  EXPECT_NEAR(e.thread_cpu, 0.5, 1e-9);
  EXPECT_NEAR(e.thread_wait, 0.25, 1e-9);
  EXPECT_NEAR(e.cpu_user_s, 0.25, 1e-9);
  EXPECT_NEAR(e.cpu_system_s, 2.25, 1e-9);
  EXPECT_NEAR(e.core_busy, 0.8, 1e-9);
  EXPECT_EQ(e.cpu, 0);
}

TEST(Evidence, CountersGoingBackwardsReadAsNoChange) {
  EvidenceReading a, b;
  a.tcp.valid = b.tcp.valid = true;
  a.tcp.busy_us = 5'000'000;
  b.tcp.busy_us = 1'000;  // a kernel that stopped filling the field
  b.now = 1;
  StreamEvidence e = evidence_between(a, b, true, true, false, false);
  EXPECT_EQ(e.busy, 0);
  EXPECT_EQ(e.thread_cpu, -1);  // no thread readings: unknown, not zero
}

TEST(Evidence, UdpReceiverCountsHostDrops) {
  Behaviour b;
  b.host_drops_per_s = 40;
  StreamEvidence e = series(b, false, false, true, false);
  EXPECT_EQ(e.host_drops, 200);
  EXPECT_FALSE(e.tcp_info);
}

TEST(Verdict, SmallReceiveWindowIsReceiverWindowLimited) {
  Behaviour s;
  s.rwnd_limited = 0.85;
  s.snd_wnd = 16 * 1024;
  s.rtt_us = 50;
  StreamEvidence sender = series(s, true, true, false, false);
  StreamEvidence receiver = series(kIdle, false, true, false, false);
  StreamFacts f = tcp_facts(sender, receiver, 2.5);
  f.receiver_buffers = {true, 0, 16384, 32768, 212992, 212992};
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kReceiverWindow);
  EXPECT_EQ(bottleneck_name(v.cause), "receiver-window-limited");
  EXPECT_NE(v.reason.find("85%"), std::string::npos) << v.reason;
  EXPECT_NE(v.advice.find("tcp_rmem"), std::string::npos) << v.advice;
}

TEST(Evidence, HostBusyIsEveryCoreTogether) {
  // The worker's core 80 % busy, the other idle: the host was 40 % busy.
  Behaviour b;
  b.core_busy = 0.8;
  EXPECT_NEAR(series(b, true, true, false, false).host_busy, 0.4, 1e-9);
}

TEST(Verdict, AWindowThatExplainsTheRateWinsOverFractionsUnderTheirThreshold) {
  // A fresh-clone e2e run: a 16 KiB receive buffer advertised 12032 bytes,
  // the RTT was 37 us, 3.2 Gbit/s arrived. The window's own ceiling (2.6
  // Gbit/s) explains the rate, though rwnd_limited was only 24 % because the
  // small window also kept the sender busy on its CPU.
  Behaviour s;
  s.rwnd_limited = 0.24;
  s.snd_wnd = 12032;
  s.rtt_us = 37;
  s.cpu = 0.8;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 3.2);
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kReceiverWindow) << v.reason;
  EXPECT_NE(v.reason.find("a 12 KiB receive window at 37 us rtt allows 2.60 Gbit/s; achieved 3.20 Gbit/s"),
            std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("24% of the time"), std::string::npos) << v.reason;
}

// An idle-VM e2e run (docs/diagnosis.md): 11872 B advertised, smoothed RTT
// 63 us (the window's 1.51 Gbit/s), yet 2.64 Gbit/s arrived and the sender
// was window-limited 29 % of the time; `sender_cpu` is its core's share.
StreamFacts held_window_facts(double sender_cpu) {
  Behaviour s, r;
  s.rwnd_limited = 0.29;
  s.snd_wnd = 11872;
  s.rtt_us = 63;
  s.cpu = sender_cpu;
  r.cpu = 0.36;
  return tcp_facts(series(s, true, true, false, false), series(r, false, true, false, false), 2.64);
}

TEST(Verdict, AWindowThatHeldTheStreamWinsWhenTheRttReadsHigh) {
  // The core 83 % busy (3.18 Gbit/s allowed, 83 % of it reached): the window
  // held the stream; the RTT reading is what overstated its round trip.
  StreamFacts f = held_window_facts(0.83);
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kReceiverWindow) << v.reason;
}

TEST(Verdict, AWindowReachedOnlyInItsHeldBandYieldsToASaturatedCore) {
  // The same window and RTT, but the sender's core was saturated and its
  // ceiling matches the rate: the window's figure rests on an RTT the stream
  // outran (1.75x), the core's does not.
  StreamFacts f = held_window_facts(0.97);
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kSenderCpu) << diagnose_stream(f).reason;
}

TEST(Verdict, WindowTimeWithAWindowFarAboveTheRateIsNotTheWindow) {
  // Half the time window-limited, but a 4 MiB window at 100 us allows
  // 335 Gbit/s: at 10 Gbit/s something else held the stream.
  Behaviour s;
  s.rwnd_limited = 0.5;
  s.snd_wnd = 4 << 20;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false));
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kUndetermined) << v.reason;
  // The nearest two ceilings are named with their figures.
  size_t first = v.reason.find("allows");
  ASSERT_NE(first, std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("allows", first + 1), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("window-limited 50%"), std::string::npos) << v.reason;
}

TEST(Verdict, LowestReachedCeilingWins) {
  // Both the window (2.6 Gbit/s) and the saturated sender (3.3 Gbit/s) are
  // reached at 3.2 Gbit/s; the window is the lower one.
  Behaviour s;
  s.snd_wnd = 12032;
  s.rtt_us = 37;
  s.cpu = 0.97;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 3.2);
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kReceiverWindow);
}

// Both ends on one host (the demo on loopback, figures from a run): each
// worker ran part of the time and waited for a core much of the rest, the
// host's cores 97 % busy.
StreamFacts shared_host_facts(bool pinned) {
  Behaviour s, r;
  s.cpu = 0.40;
  s.wait = 0.42;
  s.core_busy = 1.0;
  r.cpu = 0.35;
  r.wait = 0.30;
  StreamFacts f = tcp_facts(series(s, true, true, false, pinned), series(r, false, true, false, false));
  f.same_host = true;
  f.sender.host_busy = 0.97;
  f.receiver.host_busy = 0.96;
  return f;
}

TEST(Verdict, SharedHostWithItsCoresSaturatedIsHostCpuBound) {
  Verdict v = diagnose_stream(shared_host_facts(false));
  EXPECT_EQ(v.cause, Bottleneck::kHostCpu) << v.reason;
  EXPECT_EQ(bottleneck_name(v.cause), "host-CPU-bound");
  EXPECT_NE(v.reason.find("97% busy"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("the receiving worker ran 35% of the time and waited for a core 30%"),
            std::string::npos)
      << v.reason;
}

TEST(Verdict, HostCpuCountsOnlyWhenBothEndsShareTheHost) {
  StreamFacts f = shared_host_facts(false);
  f.same_host = false;
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kUndetermined);
  f.sender.thread_wait = 0.55;  // 95 % demand: its own core
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kSenderCpu);
}

TEST(Verdict, AWorkerThatRanItsCoreFullOnABusySharedHostIsItsOwnCore) {
  // VethPair.SmallReceiveWindowIsReceiverWindowLimited on a loaded 2-core
  // machine: the receiver ran 91 % of a core and waited 8 %; its core allows
  // 2.91 Gbit/s, below the 16 KiB window's 3.30 Gbit/s (11136 bytes, 27 us).
  Behaviour s, r;
  s.rwnd_limited = 0.38;
  s.snd_wnd = 11136;
  s.rtt_us = 27;
  s.cpu = 0.05;
  r.cpu = 0.9145;
  r.wait = 0.0803;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(r, false, true, false, false), 2.895);
  f.same_host = true;
  f.sender.host_busy = f.receiver.host_busy = 1.0;
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kReceiverCpu) << diagnose_stream(f).reason;
}

TEST(Verdict, ASmallWindowOnASharedBusyHostIsStillTheWindow) {
  // The veth case on a loaded machine: the window's 2.6 Gbit/s is below
  // what the saturated host allowed (3.3 Gbit/s).
  StreamFacts f = shared_host_facts(false);
  f.sender.snd_wnd = 12032;
  f.sender.rtt_us = 37;
  f.sent_bytes = f.received_bytes = static_cast<uint64_t>(3.2e9 / 8 * 5);
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kReceiverWindow);
}

TEST(Verdict, ABusyHostWhoseWorkersIdleIsNotHostCpuBound) {
  StreamFacts f = shared_host_facts(false);
  f.sender.thread_cpu = 0.3;
  f.receiver.thread_cpu = 0.2;
  f.sender.thread_wait = f.receiver.thread_wait = 0;
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kUndetermined);
}

TEST(Verdict, APinnedWorkerOnASharedHostKeepsItsOwnCore) {
  // -A: the sender's own core (100 % busy) is the more specific limit.
  EXPECT_EQ(diagnose_stream(shared_host_facts(true)).cause, Bottleneck::kSenderCpu);
}

TEST(Verdict, LossWithNoMeasuredCeilingNearIsNetworkLimited) {
  // 1 % of 1448-byte segments lost at 1 ms: Mathis allows 141 Mbit/s; no
  // window, buffer or CPU ceiling explains 120 Mbit/s.
  Behaviour s;
  s.rtt_us = 1000;
  s.bytes_per_s = 100'000'000;
  s.retrans_per_s = 1'010'101;  // 1 % of what was sent
  s.retrans_segments_per_s = 700;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 0.12);
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kNetwork) << v.reason;
  EXPECT_NE(v.reason.find("(Mathis) allows 141.3 Mbit/s"), std::string::npos) << v.reason;
}

TEST(Verdict, LossWellAboveTheRenoModelIsStillTheNetwork) {
  // VethPair.InducedLossIsNetworkLimited on a loaded machine: 2.1 % of the
  // bytes sent again at 231 us, Mathis allows 421 Mbit/s, cubic moved 2.72
  // Gbit/s; the host's cores were busy with other work, the workers were not.
  Behaviour s, r;
  s.rtt_us = 231;
  s.snd_wnd = 14'994'432;
  s.bytes_per_s = 340'000'000;
  s.retrans_per_s = 7'300'000;
  s.retrans_segments_per_s = 5000;
  s.cpu = 0.34;
  r.cpu = 0.33;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(r, false, true, false, false), 2.72);
  f.same_host = true;
  f.sender.host_busy = f.receiver.host_busy = 1.0;
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kNetwork) << v.reason;
  EXPECT_NE(v.reason.find("(Mathis) allows 42"), std::string::npos) << v.reason;
}

TEST(Verdict, ASaturatedCoreWinsOverALittleLoss) {
  // 0.2 % retransmitted while the sender's core was saturated: the core is a
  // measured ceiling the rate reached; the loss model only fills in.
  Behaviour s;
  s.cpu = 0.98;
  s.bytes_per_s = 1'000'000'000;
  s.retrans_per_s = 2'000'000;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 8);
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kSenderCpu);
}

TEST(Verdict, ClampedWindowNamesTheSysctlAndTheValueToSet) {
  // A 64 KiB window at 100 us allows 5.2 Gbit/s: the stream reached it.
  Behaviour s;
  s.rwnd_limited = 0.7;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 5.0);
  f.receiver_buffers = {true, 4 << 20, 425984, 425984, 212992, 212992};
  Verdict v = diagnose_stream(f);
  ASSERT_EQ(v.cause, Bottleneck::kReceiverWindow);
  EXPECT_NE(v.advice.find("net.core.rmem_max=4194304"), std::string::npos) << v.advice;
}

TEST(Verdict, SendBufferLimited) {
  // -w 8K: the kernel grants 16 KiB, which at 100 us allows 1.3 Gbit/s.
  Behaviour s;
  s.sndbuf_limited = 0.5;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 1.2);
  f.sender_buffers = {true, 8192, 16384, 16384, 212992, 212992};
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kSendBuffer);
  EXPECT_NE(v.advice.find("raise -w"), std::string::npos) << v.advice;
}

TEST(Verdict, SaturatedSenderThreadIsSenderCpuBound) {
  Behaviour s;
  s.cpu = 0.99;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false));
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kSenderCpu);
}

TEST(Verdict, ReceiverCpuWinsOverTheWindowItCloses) {
  // A receiver that cannot keep up closes its window: the window time is the
  // symptom, the receiver's core the cause.
  Behaviour s, r;
  s.rwnd_limited = 0.9;
  r.cpu = 0.97;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(r, false, true, false, false));
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kReceiverCpu);
}

TEST(Verdict, WaitingForACoreCountsAsCpuDemand) {
  // Both ends share one core: each runs half the time and waits the rest.
  Behaviour s, r;
  s.cpu = 0.45;
  s.wait = 0.5;
  r.cpu = 0.5;
  r.wait = 0.45;
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(r, false, true, false, false));
  Verdict v = diagnose_stream(f);
  EXPECT_TRUE(v.cause == Bottleneck::kSenderCpu || v.cause == Bottleneck::kReceiverCpu) << v.reason;
  EXPECT_NE(v.reason.find("waited for a core"), std::string::npos) << v.reason;
}

TEST(Verdict, PinnedToABusyCoreIsCpuBound) {
  Behaviour s;
  s.cpu = 0.5;
  s.core_busy = 1.0;
  StreamFacts f = tcp_facts(series(s, true, true, false, true), series(kIdle, false, true, false, false));
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kSenderCpu);
  EXPECT_NE(v.reason.find("pinned to core 0, 100% busy"), std::string::npos) << v.reason;
}

TEST(Verdict, RetransmissionsMakeItNetworkLimited) {
  Behaviour s;
  s.bytes_per_s = 100'000'000;
  s.retrans_per_s = 1'000'000;  // 1% of the bytes sent again
  s.retrans_segments_per_s = 700;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 0.8);
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kNetwork);
  EXPECT_NE(v.reason.find("3500 retransmissions"), std::string::npos) << v.reason;
}

TEST(Verdict, ABitOfRetransmissionIsNotNetworkLimited) {
  Behaviour s;
  s.bytes_per_s = 1'000'000'000;
  s.retrans_per_s = 10'000;  // 0.001%
  StreamFacts f = tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false));
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kUndetermined);
}

TEST(Verdict, ReachingTheRequestedRateIsRateLimitedWhateverElse) {
  // A 64 KiB window at 10 ms allows 52 Mbit/s: above it at -b 100M the
  // window was not what held the stream; at half of -b it was.
  Behaviour s;
  s.rwnd_limited = 0.5;
  s.rtt_us = 10'000;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 0.099);
  f.target_bps = 100'000'000;
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kRateLimited);
  f.received_bytes /= 2;  // 50% of -b: something else held it back
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kReceiverWindow);
}

TEST(Verdict, ASaturatedSenderShortOfTheCapIsItsCore) {
  // 92 Mbit/s of -b 100M with the sending worker running 99 % of its core:
  // the core allows 93 Mbit/s, below the cap, and is what held the stream.
  Behaviour s;
  s.cpu = 0.99;
  StreamFacts f =
      tcp_facts(series(s, true, true, false, false), series(kIdle, false, true, false, false), 0.092);
  f.target_bps = 100'000'000;
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kSenderCpu) << diagnose_stream(f).reason;
}

TEST(Verdict, WithoutThePeersHalfOnlyLocalRulesApply) {
  // An iperf3 server sends no evidence: a receiver-only client cannot see the
  // sender's TCP_INFO, and says so.
  StreamFacts f = tcp_facts(StreamEvidence{}, series(kIdle, false, true, false, false));
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kUndetermined);
  EXPECT_NE(v.reason.find("no evidence from the sender"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("not nperf"), std::string::npos) << v.reason;
}

TEST(Verdict, AServerSummaryBeforeTheExchangeSaysThePeersHalfComesLater) {
  // An nperf server prints before the results exchange: the client's half is
  // not missing, it is not here yet; "not nperf" would be wrong.
  StreamFacts f = tcp_facts(StreamEvidence{}, series(kIdle, false, true, false, false));
  f.peer_half_pending = true;
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.reason.find("not nperf"), std::string::npos) << v.reason;
  EXPECT_NE(v.reason.find("after this summary"), std::string::npos) << v.reason;
}

StreamFacts udp_facts(int64_t packets, int64_t lost, int64_t host_drops, double receiver_cpu = 0.3) {
  Behaviour r;
  r.cpu = receiver_cpu;
  StreamFacts f;
  f.udp = true;
  f.seconds = 5;
  f.sent_known = f.received_known = true;
  f.sent_bytes = static_cast<uint64_t>(packets) * 1400;
  f.received_bytes = static_cast<uint64_t>(packets - lost) * 1400;
  f.packets = packets;
  f.lost = lost;
  f.host_drops = host_drops;
  f.target_bps = 2'000'000'000;
  f.sender = series(kIdle, true, false, true, false);
  f.receiver = series(r, false, false, true, false);
  return f;
}

TEST(Verdict, UdpLossDroppedByTheReceivingHostIsItsBuffer) {
  Verdict v = diagnose_stream(udp_facts(1'000'000, 100'000, 95'000));
  EXPECT_EQ(v.cause, Bottleneck::kReceiverBuffer);
  EXPECT_NE(v.reason.find("95000 of 100000"), std::string::npos) << v.reason;
}

TEST(Verdict, UdpHostDropsWithASaturatedReceiverAreItsCpu) {
  EXPECT_EQ(diagnose_stream(udp_facts(1'000'000, 100'000, 95'000, 0.99)).cause, Bottleneck::kReceiverCpu);
}

TEST(Verdict, UdpLossOnTheWayIsNetworkLimited) {
  Verdict v = diagnose_stream(udp_facts(1'000'000, 50'000, 0));
  EXPECT_EQ(v.cause, Bottleneck::kNetwork);
  EXPECT_NE(v.reason.find("50000 of 1000000"), std::string::npos) << v.reason;
}

TEST(Verdict, UdpAtItsRateWithoutLossIsRateLimited) {
  StreamFacts f = udp_facts(1'000'000, 10, 0);
  f.target_bps = 2'000'000'000;
  f.sent_bytes = static_cast<uint64_t>(2e9 / 8 * 5);
  EXPECT_EQ(diagnose_stream(f).cause, Bottleneck::kRateLimited);
}

TEST(Verdict, TestVerdictIsTheCauseMostStreamsShare) {
  Verdict a, b, c;
  a.cause = Bottleneck::kSenderCpu;
  b.cause = Bottleneck::kReceiverWindow;
  c.cause = Bottleneck::kReceiverWindow;
  Verdict t = diagnose_test({a, b, c});
  EXPECT_EQ(t.cause, Bottleneck::kReceiverWindow);
  EXPECT_EQ(t.streams, 2);
  EXPECT_EQ(t.of_streams, 3);
}

Verdict directed(Bottleneck cause, std::string reason, double bps, int direction) {
  Verdict v;
  v.cause = cause;
  v.reason = std::move(reason);
  v.figures = {{"achieved_bps", bps}};
  v.direction = direction;
  return v;
}

TEST(Verdict, BidirComparesTheDirections) {
  Verdict t =
      diagnose_test({directed(Bottleneck::kReceiverWindow,
                              "a 12 KiB receive window at 37 us rtt allows 2.60 Gbit/s; more", 3e9, 1),
                     directed(Bottleneck::kReceiverWindow,
                              "a 12 KiB receive window at 37 us rtt allows 2.60 Gbit/s", 3e9, 1),
                     directed(Bottleneck::kHostCpu, "this host's cores allow 9 Gbit/s; achieved", 9e9, -1)});
  EXPECT_EQ(t.cause, Bottleneck::kReceiverWindow);
  EXPECT_NE(
      t.reason.find("the directions differ: client to server receiver-window-limited at 6.00 Gbit/s (a 12 "
                    "KiB receive window at 37 us rtt allows 2.60 Gbit/s), server to client host-CPU-bound "
                    "at 9.00 Gbit/s (this host's cores allow 9 Gbit/s)"),
      std::string::npos)
      << t.reason;
  Verdict alike = diagnose_test({directed(Bottleneck::kSenderCpu, "core", 5e9, 1),
                                 directed(Bottleneck::kSenderCpu, "core", 4.5e9, -1)});
  EXPECT_NE(alike.reason.find("both directions alike"), std::string::npos) << alike.reason;
  // One way: no comparison.
  Verdict one = diagnose_test({directed(Bottleneck::kSenderCpu, "core", 5e9, 0)});
  EXPECT_EQ(one.reason, "core");
}

TEST(EvidenceJson, RoundTripsThroughTheResultsExtension) {
  Behaviour s;
  s.rwnd_limited = 0.5;
  s.bytes_per_s = 1000;
  s.retrans_per_s = 10;
  StreamEvidence e = series(s, true, true, false, true);
  e.mss = 1448;
  e.host_busy = 0.75;
  StreamEvidence back = evidence_from_json(evidence_to_json(e));
  EXPECT_EQ(back.mss, 1448);
  EXPECT_NEAR(back.host_busy, 0.75, 1e-9);
  EXPECT_TRUE(back.known);
  EXPECT_TRUE(back.tcp_info);
  EXPECT_TRUE(back.sender);
  EXPECT_TRUE(back.pinned);
  EXPECT_NEAR(back.rwnd_limited, e.rwnd_limited, 1e-4);
  EXPECT_NEAR(back.retransmit_ratio, e.retransmit_ratio, 1e-6);
  EXPECT_NEAR(back.thread_cpu, e.thread_cpu, 1e-4);
  EXPECT_EQ(back.snd_wnd, e.snd_wnd);
}

TEST(EvidenceJson, FractionsAreRoundedHalfAwayFromZeroToFourDecimals) {
  StreamEvidence e;
  e.known = e.tcp_info = e.sender = true;
  e.seconds = 5;
  e.rwnd_limited = 0.123449;
  e.busy = 0.03125;  // 312.5 ten-thousandths, exactly: the half goes up
  e.thread_cpu = 0.99996;
  nlohmann::ordered_json j = evidence_to_json(e);
  EXPECT_DOUBLE_EQ(j["rwnd_limited"].get<double>(), 0.1234);
  EXPECT_DOUBLE_EQ(j["busy"].get<double>(), 0.0313);
  EXPECT_DOUBLE_EQ(j["thread_cpu"].get<double>(), 1.0);
}

TEST(EvidenceJson, HostileValuesAreDroppedNotTrusted) {
  nlohmann::ordered_json j = {
      {"seconds", 5}, {"busy", 7.5}, {"rwnd_limited", -3}, {"thread_cpu", "lots"}, {"cpu", int64_t{1} << 40}};
  StreamEvidence e = evidence_from_json(j);
  // A wrong type makes the whole object unknown; out-of-range numbers fall back.
  EXPECT_FALSE(e.known);
  j.erase("thread_cpu");
  e = evidence_from_json(j);
  EXPECT_TRUE(e.known);
  EXPECT_EQ(e.busy, 0);
  EXPECT_EQ(e.rwnd_limited, 0);
  EXPECT_EQ(e.cpu, -1);
  EXPECT_FALSE(evidence_from_json(nlohmann::ordered_json::array()).known);
  EXPECT_FALSE(buffers_from_json(nlohmann::ordered_json("x")).known);
}

}  // namespace
}  // namespace nperf

// ------------------------------------------- the small-window e2e under load

namespace nperf {
namespace {

// VethPair.SmallReceiveWindowIsReceiverWindowLimited on a machine loaded by
// other work (load ~10 on two cores), its figures as the client printed them.
StreamFacts loaded_small_window(uint64_t snd_wnd, double sender_wait, double receiver_cpu,
                                double receiver_wait, double achieved_bps) {
  StreamFacts f;
  f.seconds = 3;
  f.sent_known = f.received_known = true;
  f.sent_bytes = f.received_bytes = static_cast<uint64_t>(achieved_bps * 3 / 8);
  f.same_host = true;
  StreamEvidence& s = f.sender;
  s.known = s.sender = s.tcp_info = true;
  s.seconds = 3;
  s.rtt_us = 24;
  s.snd_wnd = snd_wnd;
  s.snd_cwnd = 214320;
  s.thread_cpu = 0.1966;
  s.thread_wait = sender_wait;
  s.host_busy = 1.0;
  StreamEvidence& r = f.receiver;
  r.known = r.tcp_info = true;
  r.seconds = 3;
  r.thread_cpu = receiver_cpu;
  r.thread_wait = receiver_wait;
  r.host_busy = 1.0;
  f.receiver_buffers = SocketBuffers{true, 0, 16384, 16384, 212992, 212992};
  f.sender_buffers = SocketBuffers{true, 0, 16384, 131072, 212992, 212992};
  return f;
}

TEST(Verdict, AnOpenSmallWindowIsTheCauseAndTheBusyCoresItsSymptom) {
  // The window at its cap (12032 of a 16 KiB buffer) at 24 us allows 4.01
  // Gbit/s, 3.18 arrived; the receiver ran 88 % of a core (its ceiling 3.43)
  // and the host's cores were 100 % busy with other work, but neither worker
  // waited for a core much (12 %, 4 %): the window held the stream.
  Verdict v = diagnose_stream(loaded_small_window(12032, 0.1229, 0.8847, 0.0422, 3.175e9));
  EXPECT_EQ(v.cause, Bottleneck::kReceiverWindow) << v.reason;
  EXPECT_NE(v.reason.find("a 12 KiB receive window at 24 us rtt allows 4.01 Gbit/s"), std::string::npos)
      << v.reason;
}

TEST(Verdict, AnOpenWindowReachedOutranksTheSharedHostsCpu) {
  // A loaded run: the sender waited for a core 25 % of the time, the host
  // was 100 % busy, and the window stayed open at its cap and was reached:
  // the ping-pong of a small window at microsecond RTTs is what kept the
  // cores busy (before: host-CPU-bound).
  StreamFacts f = loaded_small_window(12032, 0.25, 0.66, 0.12, 2.25e9);
  f.sender.thread_cpu = 0.24;
  f.sender.rtt_us = 36;  // 12032 x 8 / 36 us = 2.67 Gbit/s, 84 % of it achieved
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kReceiverWindow) << v.reason;
}

TEST(Verdict, AGrownAutotunedWindowIsNotACapAndTheStarvedHostStaysTheVerdict) {
  // Loopback.BothEndsOnOneBusyHostAreHostCpuBound, one loaded run: the
  // receiver's window had grown past its 128 KiB start (204 KiB at 72 us
  // allows 23.2 Gbit/s, 21.8 arrived) while the receiver waited for a core
  // 22 % of the time: the host's CPU, not a window cap.
  StreamFacts f = loaded_small_window(208896, 0.0737, 0.7738, 0.2173, 21.8e9);
  f.sender.thread_cpu = 0.1891;
  f.sender.rtt_us = 72;
  f.receiver_buffers = SocketBuffers{true, 0, 2626560, 131072, 212992, 212992};
  Verdict v = diagnose_stream(f);
  EXPECT_EQ(v.cause, Bottleneck::kHostCpu) << v.reason;
}

TEST(Verdict, AWindowClosedByAStarvedReceiverIsTheHostsCpu) {
  // The same test with the receiver starved by other load: it waited for a
  // core 26 % of the time and its window was shut at the end (snd_wnd 0).
  Verdict v = diagnose_stream(loaded_small_window(0, 0.1008, 0.7357, 0.2595, 2.36e9));
  EXPECT_EQ(v.cause, Bottleneck::kHostCpu) << v.reason;
  // A window far below the receiver's buffer is a slow reader's symptom too.
  Verdict closing = diagnose_stream(loaded_small_window(4096, 0.1008, 0.7357, 0.2595, 1.31e9));
  EXPECT_NE(closing.cause, Bottleneck::kReceiverWindow) << closing.reason;
}

}  // namespace
}  // namespace nperf

namespace nperf {
namespace {

EvidenceReading window_reading(double now, int64_t rtt_us, uint64_t snd_wnd) {
  EvidenceReading r;
  r.now = now;
  r.tcp.valid = true;
  r.tcp.rtt_us = rtt_us;
  r.tcp.snd_wnd_bytes = snd_wnd;
  return r;
}

TEST(EvidenceTracker, TheWholeTestsRttAndWindowAreTheMeanOfItsReadings) {
  // A loaded run's last reading caught the window shut and the RTT at 10 ms;
  // the seconds before had 12032 bytes at ~40 us. The start reading (the
  // handshake's RTT, no data yet) does not count.
  EvidenceTracker t(true, true, false, false);
  t.start(window_reading(0, 5, 64000));
  t.interval(window_reading(1, 40, 12032));
  t.interval(window_reading(2, 44, 12032));
  StreamEvidence e = t.finish(window_reading(3, 36, 0));
  EXPECT_EQ(e.rtt_us, 40);
  EXPECT_EQ(e.snd_wnd, 8021u);
  // A receiving stream (no TCP sender figures) and UDP keep what they had.
  EvidenceTracker udp(false, false, true, false);
  udp.start(window_reading(0, 5, 1));
  EXPECT_EQ(udp.finish(window_reading(1, 40, 2)).rtt_us, -1);
}

}  // namespace
}  // namespace nperf
