#pragma once
// What the tests running on one server hold between them: a slot on their
// port (--max-tests per port), their streams (one thread each), their share of
// --server-bitrate-limit and the cores their streams were placed on. Pure, so
// the admission of concurrent tests and the placement are unit-tested; the
// server asks it once a client's cookie and parameters were admitted, and
// never before (a connection that is not yet a test holds nothing).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nperf/protocol/iperf_error.hpp"

namespace nperf::session {

// Streams over all tests at once: each is a thread and a socket. iperf3
// allows 128 per test; a server serving several tests allows a few tests' worth.
inline constexpr int kMaxServerStreams = 512;

struct LoadLimits {
  int max_tests_per_port = 1;  // --max-tests
  int ports = 1;               // listeners
  int max_streams = kMaxServerStreams;
  uint64_t bitrate_limit = 0;  // --server-bitrate-limit, bit/s over every test (0 = none)
};

// What one admitted test asks of the server.
struct TestClaim {
  uint16_t port = 0;
  int streams = 1;
  uint64_t asked_bps = 0;  // -b x streams; 0 = as fast as it goes (TCP: throttled to its share)
};

struct SlotDecision {
  enum class Outcome { kGranted, kBusy, kRefused };
  Outcome outcome = Outcome::kGranted;
  protocol::IperfError code = protocol::kIeNone;  // kRefused: the error the client gets
  std::string message;                            // why, for the server's log
  uint64_t stream_rate_cap = 0;                   // bit/s per stream from the limit (0 = none)
  bool granted() const { return outcome == Outcome::kGranted; }
};

// Cores for `streams` new stream threads: each goes to the core of `allowed`
// with the fewest streams (counting `in_use` and the ones placed before it),
// the earlier core in `allowed` on a tie. Empty when `allowed` is.
std::vector<int> least_used_cores(const std::vector<int>& allowed, std::map<int, int> in_use, int streams);

class ServerLoad {
 public:
  explicit ServerLoad(LoadLimits limits) : limits_(limits) {}

  // Takes a slot for test `id` (a new id), or says why not: busy (the port's
  // slots or the server's streams are taken: iperf3's ACCESS_DENIED) or
  // refused (the bitrate limit has no room for the asked rate).
  SlotDecision claim(int id, const TestClaim& claim);
  // Places the claimed test's streams (least_used_cores over the cores the
  // other tests hold) and remembers them until release().
  std::vector<int> place_streams(int id, const std::vector<int>& allowed, int streams);
  // Gives back everything test `id` holds; a test not holding anything is fine.
  void release(int id);

  int running() const { return static_cast<int>(held_.size()); }
  int running_on(uint16_t port) const;
  int streams_held() const;
  std::map<int, int> streams_per_core() const;

 private:
  struct Held {
    uint16_t port = 0;
    int streams = 0;
    uint64_t committed_bps = 0;
    std::vector<int> cores;
  };
  LoadLimits limits_;
  std::map<int, Held> held_;
};

}  // namespace nperf::session
