#pragma once
// A server running several tests at once says, in each test's report, what
// ran beside it: how many other tests, the rate they moved during it, and
// whether their stream threads shared this test's cores. A figure measured
// while sharing the NIC and the CPUs is then never read as an exclusive one.
// Pure: the server feeds it each test's byte count at each test's start and end.
#include <cstdint>
#include <map>
#include <vector>

namespace nperf {

struct TestOverlap {
  int test_id = 0;      // the server's count of tests, from 1
  uint16_t port = 0;    // the port the test came to
  int other_tests = 0;  // tests that ran on the server during this one
  // Bytes the others moved while this one ran, per second of this one, in bit/s.
  double other_bits_per_second = 0;
  // One of the others had a stream thread on a core of this test (or either
  // was not placed, so the scheduler may have stacked them).
  bool cores_shared = false;
  std::vector<int> cores;  // where the server placed this test's streams, empty: not placed

  bool operator==(const TestOverlap&) const = default;
};

struct EndReport;
// Puts `overlap` into the report and, when the test's cores were shared,
// says so in the verdict: its figure was not measured on cores of its own.
void attach_overlap(EndReport* report, const TestOverlap& overlap);

class OverlapLedger {
 public:
  // `bytes_now`: every running test's byte count now (the starting one may be absent).
  void begin(int id, uint16_t port, double now, std::vector<int> cores,
             const std::map<int, uint64_t>& bytes_now);
  // `bytes_now` as for begin(), the ending test's included. Forgets test `id`.
  TestOverlap end(int id, double now, const std::map<int, uint64_t>& bytes_now);
  bool running(int id) const { return open_.count(id) != 0; }

 private:
  struct Open {
    uint16_t port = 0;
    double start = 0;
    std::vector<int> cores;
    std::map<int, uint64_t> others_at_start;  // every test that overlapped, at the later of both starts
    std::map<int, uint64_t> others_at_end;    // those that ended first, at their end
    bool cores_shared = false;
  };
  std::map<int, Open> open_;
};

}  // namespace nperf
