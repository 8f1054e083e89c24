#pragma once
// One -J test between two processes over loopback (either end nperf or
// Debian's iperf3), and the checks the interop-style tests share: each end's
// own byte counts, and whether what one end sent is what the other received.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {

enum class Peer { kNperf, kIperf3 };

struct PairResult {
  bool skipped = false;  // iperf3 is missing outside CI
  nlohmann::json client, server;
};

// The two processes' own output, for runs that print something other than
// one -J document each (text, --csv, --json-stream, -d).
struct RawPair {
  bool skipped = false;  // iperf3 is missing outside CI
  int port = 0;          // the server's
  ProcessResult client, server;
};

// Starts a one-off server (`server_args` after "-s -1 -p PORT"), runs a
// client against it (`client_args` after "-c 127.0.0.1 -p PORT") and checks
// that neither hangs. Fails (never skips) in CI without iperf3.
void run_raw_pair(Peer client, Peer server, const std::vector<std::string>& client_args,
                  const std::vector<std::string>& server_args, RawPair* out);

// Starts a one-off -J server, runs a -J client with `args` against it and
// checks what every pair checks: no hang, exit codes 0, a valid document
// from each end with an "end" block. Fails (never skips) in CI without iperf3.
void run_pair(Peer client, Peer server, const std::vector<std::string>& args, PairResult* out);

// Bytes this end itself sent / received. TCP: summed over the streams by their
// role on this end (with --bidir, iperf3's sum_sent on the server is 0); UDP
// streams carry no per-role blocks, so the sums are used.
uint64_t sent_bytes(const nlohmann::json& doc);
uint64_t received_bytes(const nlohmann::json& doc);

// The most TCP payload one stream can leave unread in the kernel when its
// receiver stops counting: the receive buffer's ceiling plus the send
// buffer's (autotuning's tcp_rmem/tcp_wmem maximum, or twice rmem_max/wmem_max
// when -w set them), read from /proc; 0 where /proc says nothing.
uint64_t tcp_unread_ceiling();

// `sent` and `received` agree within 2 %, plus `unread_allowance` bytes.
//
// Why an allowance: both iperf3 and nperf stop counting received bytes at
// TEST_END, while the sender has counted everything the kernel accepted. When
// the receiver falls behind (iperf3's one thread serving both directions of
// --bidir on two cores), up to a receive buffer per stream is still unread
// then: up to 37 MB of ~1.2 GB was measured here (nperf server; up to 6 MB
// with an iperf3 server). Timed TCP runs pass streams x tcp_unread_ceiling(); runs ended by
// -n/-k (the nperf client waits for its send queue to drain) and UDP pass 0.
void expect_sent_matches_received(uint64_t sent, uint64_t received, uint64_t unread_allowance,
                                  const std::string& what);

}  // namespace nperf::test
