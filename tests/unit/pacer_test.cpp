#include "nperf/engine/pacer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace nperf::engine {
namespace {

// The fake clock is a plain double (seconds). Simulated time is always
// computed as start + step * dt (never accumulated) so that it does not drift.

constexpr uint64_t kGbit = 1'000'000'000;
constexpr uint32_t kUnit = 1400;         // bytes per datagram
constexpr double kInterval1G = 11.2e-6;  // 1400 * 8 / 1e9 s

// 8000 bit/s with 1000-byte units: exactly one unit per second, so schedule
// arithmetic is exact in binary floating point.
constexpr uint64_t kSlowRate = 8000;
constexpr uint32_t kSlowUnit = 1000;

// Runs the sender loop the brief describes: every `dt` seconds ask for up to
// `want` units, send what is allowed and record it. Returns units sent per
// whole-second window [start + w, start + w + 1).
std::vector<uint64_t> run_loop(Pacer& p, double start, double seconds, double dt, uint64_t want,
                               uint64_t& total) {
  std::vector<uint64_t> per_second(static_cast<size_t>(std::ceil(seconds)), 0);
  const uint64_t steps = static_cast<uint64_t>(std::llround(seconds / dt));
  for (uint64_t i = 0; i < steps; ++i) {
    const double now = start + static_cast<double>(i) * dt;
    const uint64_t n = p.allowance(now, want);
    if (n == 0) continue;
    p.sent(now, n);
    total += n;
    per_second[static_cast<size_t>(static_cast<double>(i) * dt)] += n;
  }
  return per_second;
}

}  // namespace

TEST(Pacer, ZeroRateIsUnlimitedAndReturnsWant) {
  Pacer p(0, kUnit, 10.0);
  EXPECT_TRUE(p.unlimited());
  EXPECT_EQ(p.allowance(0.0, 32), 32u);  // even before the start time
  EXPECT_EQ(p.allowance(10.0, 1), 1u);
  EXPECT_EQ(p.allowance(10.0, 1'000'000), 1'000'000u);  // not capped by max_backlog
  p.sent(10.0, 1'000'000);
  EXPECT_EQ(p.allowance(10.0, 7), 7u);
}

TEST(Pacer, NonZeroRateIsNotUnlimited) {
  Pacer p(1, kUnit, 0.0);
  EXPECT_FALSE(p.unlimited());
}

TEST(Pacer, IntervalAt1GbitWith1400ByteUnitsIs11Point2Microseconds) {
  Pacer p(kGbit, kUnit, 0.0);
  EXPECT_DOUBLE_EQ(p.interval(), kInterval1G);
  EXPECT_DOUBLE_EQ(Pacer(kSlowRate, kSlowUnit, 0.0).interval(), 1.0);
}

TEST(Pacer, FirstUnitIsDueAtStartTime) {
  Pacer p(kGbit, kUnit, 5.0);
  EXPECT_EQ(p.next_due(), 5.0);
}

TEST(Pacer, AllowanceIsZeroBeforeNextDue) {
  Pacer p(kSlowRate, kSlowUnit, 5.0);
  EXPECT_EQ(p.allowance(0.0, 32), 0u);
  EXPECT_EQ(p.allowance(4.999, 32), 0u);
  EXPECT_EQ(p.allowance(std::nextafter(5.0, 0.0), 32), 0u);

  Pacer fast(kGbit, kUnit, 5.0);
  EXPECT_EQ(fast.allowance(5.0 - kInterval1G / 2, 32), 0u);
}

TEST(Pacer, AllowanceIsOneAtExactlyNextDue) {
  Pacer p(kSlowRate, kSlowUnit, 5.0);
  EXPECT_EQ(p.allowance(5.0, 32), 1u);
  Pacer fast(kGbit, kUnit, 5.0);
  EXPECT_EQ(fast.allowance(5.0, 32), 1u);
}

TEST(Pacer, AllowanceIsKOnceKUnitsAreDue) {
  // Unit j (0-based) is due at start + j * interval; once unit k-1's time is
  // reached, k units may go (k-1 intervals after next_due).
  Pacer p(kSlowRate, kSlowUnit, 5.0);
  for (uint64_t k = 1; k <= 20; ++k) {
    const double due_k = 5.0 + static_cast<double>(k - 1);  // interval is exactly 1 s
    EXPECT_EQ(p.allowance(due_k, 1000), k) << "k=" << k;
    EXPECT_EQ(p.allowance(due_k + 0.5, 1000), k) << "k=" << k;
    EXPECT_EQ(p.allowance(std::nextafter(due_k, 0.0), 1000), k - 1) << "k=" << k;
  }
  // The same at 1 Gbit/s, checked half-way between due times (no rounding edge).
  Pacer fast(kGbit, kUnit, 5.0);
  for (uint64_t k = 1; k <= 60; ++k) {
    const double mid = 5.0 + (static_cast<double>(k) - 0.5) * kInterval1G;
    EXPECT_EQ(fast.allowance(mid, 1000), k) << "k=" << k;
  }
}

TEST(Pacer, AllowanceIsCappedByWant) {
  Pacer p(kSlowRate, kSlowUnit, 0.0);
  EXPECT_EQ(p.allowance(9.5, 3), 3u);  // 10 due
  EXPECT_EQ(p.allowance(9.5, 0), 0u);
}

TEST(Pacer, AllowanceIsCappedByMaxBacklog) {
  Pacer p(kSlowRate, kSlowUnit, 0.0, 8);
  EXPECT_EQ(p.allowance(99.5, 1000), 8u);  // 100 due
  Pacer def(kGbit, kUnit, 0.0);            // default max_backlog 64
  EXPECT_EQ(def.allowance(1.0, 1000), 64u);
}

TEST(Pacer, SentMovesScheduleByUnitsTimesInterval) {
  Pacer p(kSlowRate, kSlowUnit, 5.0);
  p.sent(5.0, 3);
  EXPECT_EQ(p.next_due(), 8.0);
  EXPECT_EQ(p.allowance(7.5, 32), 0u);
  EXPECT_EQ(p.allowance(8.0, 32), 1u);
  p.sent(8.0, 1);
  EXPECT_EQ(p.next_due(), 9.0);

  Pacer fast(kGbit, kUnit, 2.0);
  fast.sent(2.0, 5);
  EXPECT_DOUBLE_EQ(fast.next_due(), 2.0 + 5 * kInterval1G);
}

TEST(Pacer, SendingLateWithinBacklogKeepsTheFixedSchedule) {
  // 3 s late with room for 64: the schedule is not moved to "now", so the
  // missed units can still be caught up.
  Pacer p(kSlowRate, kSlowUnit, 0.0);
  p.sent(3.0, 1);
  EXPECT_EQ(p.next_due(), 1.0);
  EXPECT_EQ(p.allowance(3.0, 32), 3u);  // units due at 1, 2, 3
}

TEST(Pacer, SendingAheadOfScheduleStillAdvancesIt) {
  // A caller that ignores the allowance pushes its own schedule back.
  Pacer p(kSlowRate, kSlowUnit, 0.0);
  p.sent(0.0, 10);
  EXPECT_EQ(p.next_due(), 10.0);
  EXPECT_EQ(p.allowance(9.9, 32), 0u);
}

TEST(Pacer, TenSecondsAt1GbitHitsTargetWithin0Point1Percent) {
  const double start = 1000.0;  // a monotonic clock rarely starts at 0
  Pacer p(kGbit, kUnit, start);
  uint64_t total_units = 0;
  auto per_second = run_loop(p, start, 10.0, 50e-6, 32, total_units);

  const double target_bytes = 1e9 / 8.0 * 10.0;  // 1.25e9
  const double total_bytes = static_cast<double>(total_units) * kUnit;
  EXPECT_NEAR(total_bytes, target_bytes, target_bytes * 0.001);

  ASSERT_EQ(per_second.size(), 10u);
  const double per_second_target = 1e9 / 8.0;
  for (size_t w = 0; w < per_second.size(); ++w) {
    EXPECT_NEAR(static_cast<double>(per_second[w]) * kUnit, per_second_target, per_second_target * 0.01)
        << "second " << w;
  }
}

TEST(Pacer, SpreadsSendsEvenlyWithinASecond) {
  // The point of the fixed schedule: no 50 us step sends more than is due in
  // 50 us (4.46 units -> at most 5), unlike iperf3's bursts.
  Pacer p(kGbit, kUnit, 0.0);
  uint64_t max_step = 0;
  for (uint64_t i = 0; i < 20000; ++i) {
    const double now = static_cast<double>(i) * 50e-6;
    const uint64_t n = p.allowance(now, 32);
    if (n) p.sent(now, n);
    if (i > 0) max_step = std::max(max_step, n);
  }
  EXPECT_LE(max_step, 5u);
  EXPECT_GE(max_step, 4u);
}

TEST(Pacer, OneSecondStallIsNotFollowedByBurstLargerThanMaxBacklog) {
  constexpr uint64_t kBacklog = 64;
  Pacer p(kGbit, kUnit, 0.0, kBacklog);
  uint64_t before = 0;
  run_loop(p, 0.0, 1.0, 50e-6, 32, before);

  // Stall: nothing asked or sent from 1.0 s to 2.0 s (~89286 units missed).
  const double resume = 2.0;
  const uint64_t first = p.allowance(resume, 1'000'000);
  EXPECT_EQ(first, kBacklog);

  // Drain at the resume instant until the pacer says wait. This may be the
  // backlog plus the unit that is due right now, never the missed second.
  uint64_t burst = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const uint64_t n = p.allowance(resume, 1'000'000);
    if (n == 0) break;
    p.sent(resume, n);
    burst += n;
  }
  EXPECT_GE(burst, kBacklog);
  EXPECT_LE(burst, kBacklog + 1);

  // Afterwards the sender is back on the plain rate: the next second carries
  // one second's worth of units, not a catch-up of the stalled second.
  uint64_t after = 0;
  run_loop(p, resume + 50e-6, 1.0, 50e-6, 32, after);
  const double per_second_units = 1.0 / kInterval1G;  // 89285.7
  EXPECT_NEAR(static_cast<double>(after), per_second_units, per_second_units * 0.001);
}

TEST(Pacer, StallBurstRespectsSmallMaxBacklog) {
  Pacer p(kSlowRate, kSlowUnit, 0.0, 4);
  p.sent(0.0, 1);
  // 100 s stall: 100 units missed.
  uint64_t burst = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const uint64_t n = p.allowance(100.0, 1000);
    if (n == 0) break;
    p.sent(100.0, n);
    burst += n;
  }
  EXPECT_LE(burst, 5u);  // 4 backlog + the one due at 100 s
  EXPECT_GE(burst, 4u);
  // Then exactly one per second again.
  EXPECT_EQ(p.allowance(100.5, 1000), 0u);
  EXPECT_EQ(p.allowance(101.0, 1000), 1u);
}

TEST(Pacer, FourIndependentPacersEachAchieveTheirRate) {
  // -P 4 style: one pacer per stream, driven from the same loop, with
  // different rates and start times; none borrows from another.
  const std::array<uint64_t, 4> rates = {100'000'000, 250'000'000, 400'000'000, 1'000'000'000};
  const std::array<uint32_t, 4> units = {1400, 1400, 8000, 1200};
  const std::array<double, 4> starts = {50.0, 50.00001, 50.00002, 50.00003};
  std::vector<Pacer> pacers;
  for (size_t s = 0; s < 4; ++s) pacers.emplace_back(rates[s], units[s], starts[s]);

  std::array<uint64_t, 4> sent{};
  const double dt = 50e-6;
  const uint64_t steps = 200000;  // 10 s
  for (uint64_t i = 0; i < steps; ++i) {
    const double now = 50.0 + static_cast<double>(i) * dt;
    for (size_t s = 0; s < 4; ++s) {
      const uint64_t n = pacers[s].allowance(now, 32);
      if (n) {
        pacers[s].sent(now, n);
        sent[s] += n;
      }
    }
  }
  for (size_t s = 0; s < 4; ++s) {
    const double target_bytes = static_cast<double>(rates[s]) / 8.0 * 10.0;
    EXPECT_NEAR(static_cast<double>(sent[s]) * units[s], target_bytes, target_bytes * 0.001)
        << "stream " << s;
  }
}

// ---- burst mode (-b RATE/BURST) -------------------------------------------

TEST(PacerBurst, BurstOneIsExactlyThePlainSchedule) {
  // Same calls, same answers: the default (no burst) path must not change.
  Pacer plain(kGbit, kUnit, 3.0);
  Pacer one(kGbit, kUnit, 3.0, 64, 1);
  Pacer zero(kGbit, kUnit, 3.0, 64, 0);  // 0 is taken as 1
  EXPECT_EQ(one.burst(), 1u);
  EXPECT_EQ(zero.burst(), 1u);
  for (uint64_t i = 0; i < 200000; ++i) {
    // Irregular steps, with a stall now and then, so the backlog path is covered too.
    const double now = 3.0 + static_cast<double>(i) * 37e-6 + (i > 100000 ? 0.5 : 0.0);
    const uint64_t want = 1 + i % 40;
    const uint64_t n = plain.allowance(now, want);
    ASSERT_EQ(one.allowance(now, want), n) << "step " << i;
    ASSERT_EQ(zero.allowance(now, want), n) << "step " << i;
    if (n) {
      plain.sent(now, n);
      one.sent(now, n);
      zero.sent(now, n);
    }
    ASSERT_EQ(one.next_due(), plain.next_due()) << "step " << i;
    ASSERT_EQ(zero.next_due(), plain.next_due()) << "step " << i;
  }
}

TEST(PacerBurst, GroupsOfNAreDueAtIntervalsOfNUnits) {
  // One unit per second, bursts of 5: 5 units at 10 s, nothing until 15 s, 5 then.
  Pacer p(kSlowRate, kSlowUnit, 10.0, 64, 5);
  EXPECT_EQ(p.burst(), 5u);
  EXPECT_EQ(p.interval(), 1.0);
  EXPECT_EQ(p.burst_interval(), 5.0);
  EXPECT_EQ(p.allowance(9.999, 32), 0u);
  EXPECT_EQ(p.allowance(10.0, 32), 5u);
  p.sent(10.0, 5);
  EXPECT_EQ(p.next_due(), 15.0);
  EXPECT_EQ(p.allowance(10.0, 32), 0u);
  EXPECT_EQ(p.allowance(14.999, 32), 0u);
  EXPECT_EQ(p.allowance(15.0, 32), 5u);
  EXPECT_EQ(p.allowance(19.999, 32), 5u);
  EXPECT_EQ(p.allowance(20.0, 32), 10u) << "two groups due";
}

TEST(PacerBurst, AGroupCutIntoSeveralSendsKeepsItsDueTime) {
  // A burst larger than one batch (or a short sendmmsg) goes out in pieces.
  Pacer p(kSlowRate, kSlowUnit, 0.0, 64, 100);
  uint64_t sent = 0;
  std::vector<uint64_t> pieces;
  for (uint64_t n; (n = p.allowance(0.0, 32)) != 0;) {
    pieces.push_back(n);
    p.sent(0.0, n);
    sent += n;
    if (sent < 100) {
      EXPECT_EQ(p.next_due(), 0.0) << "the group is not finished";
    }
  }
  EXPECT_EQ(pieces, (std::vector<uint64_t>{32, 32, 32, 4}));
  EXPECT_EQ(p.next_due(), 100.0);
  // Partial: 3 of a group of 5, then the other 2.
  Pacer q(kSlowRate, kSlowUnit, 0.0, 64, 5);
  q.sent(0.0, 3);
  EXPECT_EQ(q.allowance(0.0, 32), 2u);
  EXPECT_EQ(q.next_due(), 0.0);
  q.sent(0.0, 2);
  EXPECT_EQ(q.next_due(), 5.0);
  EXPECT_EQ(q.allowance(0.0, 32), 0u);
}

TEST(PacerBurst, BurstIsNotCutByASmallerMaxBacklog) {
  Pacer p(kSlowRate, kSlowUnit, 0.0, 8, 100);
  EXPECT_EQ(p.allowance(0.0, 1000), 100u);
}

TEST(PacerBurst, TenSecondAverageIsExact) {
  // 8 Mibit/s with 1024-byte units: one unit per 1/1024 s, bursts of 8 every
  // 1/128 s. All of it is exact in binary floating point, so the count is too.
  constexpr uint64_t kRate = 8192ull * 1024;
  constexpr uint32_t kUnitBytes = 1024;
  const double start = 1000.0;
  Pacer p(kRate, kUnitBytes, start, 64, 8);
  EXPECT_EQ(p.burst_interval(), 1.0 / 128);
  uint64_t total = 0;
  std::vector<double> group_times;
  const double dt = 1.0 / 4096;
  for (uint64_t i = 0; i < 40960; ++i) {  // [start, start + 10 s)
    const double now = start + static_cast<double>(i) * dt;
    const uint64_t n = p.allowance(now, 32);
    if (n == 0) continue;
    EXPECT_EQ(n, 8u) << "a whole burst at once, at t=" << now - start;
    p.sent(now, n);
    total += n;
    group_times.push_back(now);
  }
  EXPECT_EQ(total, 10240u) << "10 s x 1024 units/s";
  ASSERT_EQ(group_times.size(), 1280u);
  for (size_t k = 1; k < group_times.size(); ++k)
    ASSERT_EQ(group_times[k] - group_times[k - 1], 1.0 / 128) << "group " << k;
}

TEST(PacerBurst, HundredMbitBurstTenKeepsTheRate) {
  // The e2e case (-u -b 100M/10 -l 1400): groups of 10 every 1.12 ms.
  constexpr uint64_t kRate = 100'000'000;
  Pacer p(kRate, kUnit, 50.0, 446, 10);
  EXPECT_DOUBLE_EQ(p.burst_interval(), 10 * 1400 * 8 / 1e8);
  uint64_t total = 0, max_step = 0;
  const double dt = 20e-6;
  for (uint64_t i = 0; i < 500000; ++i) {  // 10 s
    const double now = 50.0 + static_cast<double>(i) * dt;
    const uint64_t n = p.allowance(now, 32);
    if (n == 0) continue;
    p.sent(now, n);
    total += n;
    max_step = std::max(max_step, n);
  }
  const double target_units = 1e8 / 8.0 * 10.0 / kUnit;  // 89285.7
  EXPECT_NEAR(static_cast<double>(total), target_units, target_units * 0.001);
  EXPECT_EQ(max_step, 10u) << "no step sends more than one burst";
}

TEST(PacerBurst, StallIsFollowedByAtMostBacklogPlusOneGroup) {
  Pacer p(kSlowRate, kSlowUnit, 0.0, 4, 5);  // backlog is raised to one burst (5)
  p.sent(0.0, 5);
  uint64_t burst = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const uint64_t n = p.allowance(100.0, 1000);  // 95 s late
    if (n == 0) break;
    p.sent(100.0, n);
    burst += n;
  }
  EXPECT_LE(burst, 10u);
  EXPECT_GE(burst, 5u);
  // Then groups of 5 every 5 s again.
  const double next = p.next_due();
  EXPECT_GT(next, 100.0);
  EXPECT_EQ(p.allowance(next, 1000), 5u);
  p.sent(next, 5);
  EXPECT_EQ(p.next_due(), next + 5.0);
}

}  // namespace nperf::engine
