// End-to-end: -Z (sendfile), --skip-rx-copy (recv MSG_TRUNC) and -b RATE/BURST,
// between nperf processes and against Debian's iperf3 (3.12) over loopback.
// Each case checks exit codes, valid -J documents on both ends and that what
// one end sent is what the other received.
//
// Not here: a raw client sending {"burst":5000} to check the SERVER_ERROR
// answer. The raw-control-connection helpers live inside robustness_test.cpp
// (not in a header); the server side of it is covered by the unit tests
// (ParamsZerocopyBurst.BurstIsCheckedByValidate: decode + validate(), which
// the server answers with SERVER_ERROR).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// How a run ended, which bounds what its one stream per direction can leave
// unread at TEST_END (see expect_sent_matches_received): a timed TCP run at
// full speed up to a buffer; -n (drained), UDP and TCP at a set rate nothing.
enum class Ending { kPipeFull, kNothingInFlight };

uint64_t unread_allowance(Ending ending) {
  return ending == Ending::kPipeFull ? tcp_unread_ceiling() : 0;
}

// Forward: the client's own "sent" against the server's own "received".
void expect_forward_agrees(const PairResult& r, Ending ending) {
  expect_sent_matches_received(sent_bytes(r.client), received_bytes(r.server), unread_allowance(ending),
                               "client sent vs server received");
}
// Reverse: the server's own "sent" against the client's own "received".
void expect_reverse_agrees(const PairResult& r, Ending ending) {
  expect_sent_matches_received(sent_bytes(r.server), received_bytes(r.client), unread_allowance(ending),
                               "server sent vs client received");
}

constexpr uint64_t k100MiB = 100ull << 20;

// ---- -Z --------------------------------------------------------------------

TEST(Zerocopy, NperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-Z", "-t", "3"}, &r));
  expect_forward_agrees(r, Ending::kPipeFull);
}

TEST(Zerocopy, BytesAreExactNperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-n", "100M", "-Z"}, &r));
  EXPECT_EQ(sent_bytes(r.client), k100MiB);
  EXPECT_EQ(received_bytes(r.server), k100MiB);
}

TEST(Zerocopy, BlocksAreExactWithOddLengthNperfToNperf) {
  // -l not a multiple of the page size: sendfile's partial sends are completed by the next call.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-k", "3000", "-l", "12345", "-Z"}, &r));
  EXPECT_EQ(sent_bytes(r.client), 3000ull * 12345);
  EXPECT_EQ(received_bytes(r.server), 3000ull * 12345);
}

TEST(Zerocopy, NperfClientToIperf3Server) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kIperf3, {"-Z", "-t", "3"}, &r));
  if (r.skipped) return;
  expect_forward_agrees(r, Ending::kPipeFull);
}

TEST(Zerocopy, BytesAreExactNperfClientToIperf3Server) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kIperf3, {"-n", "100M", "-Z"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(sent_bytes(r.client), k100MiB);
  expect_forward_agrees(r, Ending::kNothingInFlight);
}

TEST(Zerocopy, Iperf3ClientToNperfServer) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kIperf3, Peer::kNperf, {"-Z", "-t", "3"}, &r));
  if (r.skipped) return;
  expect_forward_agrees(r, Ending::kPipeFull);
}

TEST(Zerocopy, ReverseServerSendsWithSendfileNperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-R", "-Z", "-t", "3"}, &r));
  expect_reverse_agrees(r, Ending::kPipeFull);
}

TEST(Zerocopy, ReverseBytesEndedNperfToNperf) {
  // With -R the server's senders stop at -n (as iperf3's), so the count is
  // exact with sendfile too.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-R", "-Z", "-n", "100M"}, &r));
  EXPECT_EQ(received_bytes(r.client), k100MiB);
  EXPECT_EQ(sent_bytes(r.server), k100MiB);
}

TEST(Zerocopy, UdpIgnoresZerocopyAndSkipRxCopy) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf,
                                   {"-u", "-Z", "--skip-rx-copy", "-b", "50M", "-l", "1400", "-t", "2"}, &r));
  expect_forward_agrees(r, Ending::kNothingInFlight);
  EXPECT_LT(r.server["end"]["sum_received"].value("lost_percent", 100.0), 5.0);
}

// ---- --skip-rx-copy --------------------------------------------------------

TEST(SkipRxCopy, ReverseClientDiscardsNperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"--skip-rx-copy", "-R", "-t", "3"}, &r));
  expect_reverse_agrees(r, Ending::kPipeFull);
}

TEST(SkipRxCopy, ForwardServerHonoursTheKeyAndCountsExactly) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"--skip-rx-copy", "-n", "100M"}, &r));
  EXPECT_EQ(sent_bytes(r.client), k100MiB);
  EXPECT_EQ(received_bytes(r.server), k100MiB);
}

TEST(SkipRxCopy, ForwardNperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"--skip-rx-copy", "-t", "3"}, &r));
  expect_forward_agrees(r, Ending::kPipeFull);
}

TEST(SkipRxCopy, ReverseAgainstIperf3ServerThatIgnoresTheKey) {
  // iperf3 3.12 does not know "skip_rx_copy"; our client still discards with MSG_TRUNC.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kIperf3, {"--skip-rx-copy", "-R", "-t", "3"}, &r));
  if (r.skipped) return;
  expect_reverse_agrees(r, Ending::kPipeFull);
}

TEST(SkipRxCopy, BidirWithZerocopyNperfToNperf) {
  // Both ends send with sendfile and receive with MSG_TRUNC.
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kNperf, Peer::kNperf, {"--bidir", "-Z", "--skip-rx-copy", "-t", "3"}, &r));
  expect_forward_agrees(r, Ending::kPipeFull);
  expect_reverse_agrees(r, Ending::kPipeFull);
}

// ---- -b RATE/BURST ---------------------------------------------------------

void expect_udp_burst_run(const PairResult& r) {
  const json& received = r.server["end"]["sum_received"];
  double bps = received.value("bits_per_second", 0.0);
  EXPECT_NEAR(bps, 100e6, 5e6) << received.dump();
  EXPECT_LT(received.value("lost_percent", 100.0), 5.0) << received.dump();
}

TEST(Burst, UdpBurst10NperfToNperf) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kNperf, Peer::kNperf, {"-u", "-b", "100M/10", "-l", "1400", "-t", "3"}, &r));
  expect_udp_burst_run(r);
}

TEST(Burst, UdpBurst10NperfToIperf3) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kNperf, Peer::kIperf3, {"-u", "-b", "100M/10", "-l", "1400", "-t", "3"}, &r));
  if (r.skipped) return;
  expect_udp_burst_run(r);
}

TEST(Burst, UdpBurst10Iperf3ToNperf) {
  // iperf3 sends "burst":10; our server applies it in -R (it sends).
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(
      run_pair(Peer::kIperf3, Peer::kNperf, {"-u", "-b", "100M/10", "-l", "1400", "-t", "3", "-R"}, &r));
  if (r.skipped) return;
  const json& received = r.client["end"]["sum_received"];
  EXPECT_NEAR(received.value("bits_per_second", 0.0), 100e6, 5e6) << received.dump();
  EXPECT_LT(received.value("lost_percent", 100.0), 5.0) << received.dump();
}

TEST(Burst, TcpRateWithBurstIsHonoured) {
  PairResult r;
  ASSERT_NO_FATAL_FAILURE(run_pair(Peer::kNperf, Peer::kNperf, {"-b", "200M/4", "-t", "3"}, &r));
  expect_forward_agrees(r, Ending::kNothingInFlight);
  double bps = r.server["end"]["sum_received"].value("bits_per_second", 0.0);
  EXPECT_NEAR(bps, 200e6, 10e6);
}

TEST(Burst, OutOfRangeIsRejectedWithExitCode2) {
  for (const char* bad : {"1G/2000", "1G/0", "1G/-3", "1G/", "1G/x", "1G/5x", "1G/99999999999"}) {
    // No server needed: the command line is refused before connecting.
    ProcessResult r = run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", "1", "-b", bad}, 10s);
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("parameter error"), std::string::npos) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("burst"), std::string::npos) << bad << "\n" << r.err;
  }
  ProcessResult ok = run_process(
      {NPERF_BINARY, "-c", "127.0.0.1", "-p", "1", "-b", "1G/1000", "--connect-timeout", "500"}, 10s);
  EXPECT_EQ(ok.exit_code, 1) << "1000 is accepted (the connection then fails)\n" << ok.err;
}

}  // namespace
}  // namespace nperf::test
