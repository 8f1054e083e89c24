// End-to-end: every option that changes the data path or the wire, observed
// from OUTSIDE nperf's own report. nperf's -J figures cannot tell whether a
// feature did anything (issue #21: -Z without sendfile, --skip-rx-copy
// without MSG_TRUNC, -b R/B without bursts and --gsro without GSO all kept
// their rate tests green), so each test here looks at the mechanism itself:
// - the system calls the process made (strace -ff: one trace per thread),
// - the socket state the kernel reports (ss -i, ss -m),
// - the thread's CPU mask (/proc/PID/task/TID/status).
// They check counts, flags, sizes and bytes, never speed: the machine is
// small and shared, and strace slows the traced process down.
// scripts/mutate.sh switches each feature off in turn and expects these to fail.
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

std::string port_text(int port) {
  return std::to_string(port);
}

// ---- strace -----------------------------------------------------------------

// One system call of one thread, as `strace -ttt -xx` prints it.
struct Call {
  int tid = 0;
  double at = 0;  // seconds (-ttt)
  std::string name, args;
  long long ret = -1;
};

// Parses one per-thread trace file (strace -ff writes PREFIX.TID), whose
// lines never interleave with another thread's.
std::vector<Call> read_trace(const std::string& path, int tid) {
  std::vector<Call> out;
  std::ifstream in(path);
  static const std::regex line_re(R"(^(\d+\.\d+) (\w+)\((.*)\) += (-?\d+))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, line_re)) continue;  // signals, exits, "?" returns
    out.push_back({tid, std::stod(m[1]), m[2], m[3], std::stoll(m[4])});
  }
  return out;
}

// Every call of every thread of a traced process, by thread.
using Trace = std::map<int, std::vector<Call>>;

Trace read_traces(const std::string& dir) {
  Trace trace;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return trace;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    auto dot = name.rfind('.');
    if (name.rfind("trace.", 0) != 0 || dot == std::string::npos) continue;
    int tid = std::atoi(name.c_str() + dot + 1);
    trace[tid] = read_trace(dir + "/" + name, tid);
  }
  ::closedir(d);
  return trace;
}

std::vector<Call> calls_named(const Trace& trace, const std::string& name) {
  std::vector<Call> out;
  for (const auto& [tid, calls] : trace)
    for (const Call& c : calls)
      if (c.name == name) out.push_back(c);
  return out;
}

// The calls named `name` of the thread that made the most of them: a stream's
// worker thread (the control connection's messages are few and on another thread).
std::vector<Call> busiest_thread(const Trace& trace, const std::string& name) {
  std::vector<Call> best;
  for (const auto& [tid, calls] : trace) {
    std::vector<Call> mine;
    for (const Call& c : calls)
      if (c.name == name) mine.push_back(c);
    if (mine.size() > best.size()) best = std::move(mine);
  }
  return best;
}

// The calls named in `names` of the thread whose calls among them returned
// the most bytes: a stream's worker (the control thread's messages are small,
// however many there are).
std::vector<Call> data_thread(const Trace& trace, const std::vector<std::string>& names) {
  std::vector<Call> best;
  long long best_bytes = -1;
  for (const auto& [tid, calls] : trace) {
    std::vector<Call> mine;
    long long bytes = 0;
    for (const Call& c : calls)
      if (std::find(names.begin(), names.end(), c.name) != names.end()) {
        mine.push_back(c);
        bytes += std::max(c.ret, 0LL);
      }
    if (bytes > best_bytes) best = std::move(mine), best_bytes = bytes;
  }
  return best;
}

int first_arg(const Call& c) {
  return std::atoi(c.args.c_str());
}

// The first quoted string of a call's arguments (-xx: every byte as \xNN).
std::vector<uint8_t> first_bytes(const std::string& args) {
  std::vector<uint8_t> out;
  auto q = args.find('"');
  if (q == std::string::npos) return out;
  for (size_t i = q + 1; i + 3 < args.size() && args[i] == '\\' && args[i + 1] == 'x'; i += 4)
    out.push_back(static_cast<uint8_t>(std::stoi(args.substr(i + 2, 2), nullptr, 16)));
  return out;
}

// Every number following `key` (e.g. "iov_len=") in the arguments.
std::vector<long long> numbers_after(const std::string& args, const std::string& key) {
  std::vector<long long> out;
  for (size_t at = args.find(key); at != std::string::npos; at = args.find(key, at + 1))
    out.push_back(std::atoll(args.c_str() + at + key.size()));
  return out;
}

// setsockopt calls on `fd` that match `what` (e.g. "SOL_TCP, TCP_NODELAY, [1]").
size_t setsockopts(const Trace& trace, int fd, const std::string& what) {
  size_t n = 0;
  for (const Call& c : calls_named(trace, "setsockopt"))
    if (first_arg(c) == fd && c.args.find(what) != std::string::npos && c.ret == 0) ++n;
  return n;
}

std::string require_strace() {
  std::string strace = find_program("strace");
  if (strace.empty() && running_in_ci()) ADD_FAILURE() << "strace must be installed in CI (install_deps.sh)";
  return strace;
}

// A scratch directory for one run's trace files, removed afterwards.
class TraceDir {
 public:
  TraceDir() {
    char tmpl[] = "/tmp/nperf-mechanism-XXXXXX";
    path_ = ::mkdtemp(tmpl) ? tmpl : "";
  }
  ~TraceDir() {
    if (!path_.empty()) run_process({"/bin/rm", "-rf", path_}, 10s);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// `argv` run under strace, tracing the system calls in `syscalls`.
std::vector<std::string> traced(const std::string& strace, const std::string& dir,
                                const std::string& syscalls, std::vector<std::string> argv) {
  std::vector<std::string> out = {
      strace, "-ff", "-qq", "-ttt", "-xx", "-s", "24", "-e", "trace=" + syscalls, "-o", dir + "/trace"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

enum class Traced { kClient, kServer };

struct TracedRun {
  bool skipped = false;
  ProcessResult client, server;
  Trace trace;  // of the traced end
};

// A one-off nperf server and an nperf client over loopback, one of the two
// under strace. Skips (fails in CI) without strace.
void run_traced(Traced which, const std::string& syscalls, const std::vector<std::string>& client_args,
                TracedRun* out) {
  std::string strace = require_strace();
  if (strace.empty()) {
    out->skipped = true;
    GTEST_SKIP() << "needs strace (apt-get install strace)";
  }
  TraceDir dir;
  ASSERT_FALSE(dir.path().empty());
  int port = free_port();
  std::vector<std::string> server = {NPERF_BINARY, "-s", "-1", "-p", port_text(port)};
  std::vector<std::string> client = {NPERF_BINARY, "-c", "127.0.0.1", "-p", port_text(port)};
  client.insert(client.end(), client_args.begin(), client_args.end());
  if (which == Traced::kServer) server = traced(strace, dir.path(), syscalls, server);
  if (which == Traced::kClient) client = traced(strace, dir.path(), syscalls, client);
  Process s(server);
  ASSERT_TRUE(wait_for_listener(port, 10s)) << "server did not start listening";
  out->client = run_process(client, 60s);
  out->server = s.wait(20s);
  ASSERT_FALSE(out->client.timed_out) << "client hung";
  ASSERT_FALSE(out->server.timed_out) << "server hung";
  EXPECT_EQ(out->client.exit_code, 0) << out->client.err;
  EXPECT_EQ(out->server.exit_code, 0) << out->server.err;
  out->trace = read_traces(dir.path());
  ASSERT_FALSE(out->trace.empty()) << "strace wrote no trace";
}

long long sum_returns(const std::vector<Call>& calls) {
  long long n = 0;
  for (const Call& c : calls) n += std::max(c.ret, 0LL);
  return n;
}

constexpr long long k10MiB = 10ll << 20;

// ---- -Z: sendfile -------------------------------------------------------------

TEST(ZerocopyMechanism, ClientSendsEveryByteWithSendfile) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendfile,sendto", {"-Z", "-n", "10M"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(sum_returns(calls_named(r.trace, "sendfile")), k10MiB) << "the data went out through sendfile";
  // Control messages go out through send() too: the results message with
  // nperf's extension (evidence, path) is a few KiB; a data block is 128 KiB.
  for (const Call& c : calls_named(r.trace, "sendto"))
    EXPECT_LT(c.ret, 16384) << "a data block went out through send(): " << c.args;
}

TEST(ZerocopyMechanism, ReverseServerSendsWithSendfile) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kServer, "sendfile", {"-R", "-Z", "-n", "10M"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(sum_returns(calls_named(r.trace, "sendfile")), k10MiB);
}

// ---- --skip-rx-copy: recv(MSG_TRUNC) -------------------------------------------

long long truncated_bytes(const Trace& trace) {
  long long n = 0;
  // recv() for one block per call, recvmsg() for several (engine/tcp_calls.hpp).
  for (const char* name : {"recvfrom", "recvmsg"})
    for (const Call& c : calls_named(trace, name))
      if (c.args.find("MSG_TRUNC") != std::string::npos) n += std::max(c.ret, 0LL);
  return n;
}

TEST(SkipRxCopyMechanism, ServerDiscardsEveryByteWithMsgTrunc) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kServer, "recvfrom,recvmsg", {"--skip-rx-copy", "-n", "10M"}, &r));
  if (r.skipped) return;
  EXPECT_EQ(truncated_bytes(r.trace), k10MiB);
}

TEST(SkipRxCopyMechanism, ReverseClientDiscardsWithMsgTrunc) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "recvfrom,recvmsg", {"--skip-rx-copy", "-R", "-n", "10M"}, &r));
  if (r.skipped) return;
  // -R -n: the client stops counting at the server's end, so what it read
  // last may be short of the whole; every data read still carries the flag.
  EXPECT_GT(truncated_bytes(r.trace), k10MiB / 2);
  for (const Call& c : data_thread(r.trace, {"recvfrom", "recvmsg"}))
    EXPECT_NE(c.args.find("MSG_TRUNC"), std::string::npos) << c.args;
}

// ---- -b RATE and -b RATE/BURST: when the sends happen ------------------------

// Datagrams per sendmmsg call: its return value counts messages; without GSO
// a message is one datagram.
std::vector<long long> datagrams_per_call(const Trace& trace) {
  std::vector<long long> out;
  for (const Call& c : busiest_thread(trace, "sendmmsg")) out.push_back(std::max(c.ret, 0LL));
  return out;
}

TEST(BurstMechanism, UdpGroupsLeaveBackToBack) {
  // 2 Mbit/s of 1000-byte datagrams is one every 4 ms: paced singly, each
  // sendmmsg carries one. In groups of 50 (one per 200 ms) a group leaves in
  // two calls (32 + 18 messages, the batch size).
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendmmsg", {"-u", "-b", "2M/50", "-l", "1000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<long long> per_call = datagrams_per_call(r.trace);
  ASSERT_FALSE(per_call.empty());
  long long total = 0, largest = 0;
  for (long long n : per_call) total += n, largest = std::max(largest, n);
  EXPECT_GE(largest, 25) << "a group of 50 leaves in one or two calls";
  EXPECT_GE(total, 100) << "at least two groups in a second";
  EXPECT_LE(per_call.size() * 10, static_cast<size_t>(total)) << "on average 10+ datagrams per call";
}

TEST(BurstMechanism, TcpGroupsLeaveBetweenSleeps) {
  // -b 8M/20 -l 10000: 100 blocks a second, the rate checked (and slept on)
  // only after each 20th. Runs of sends between two sleeps are 20 long; with
  // a check after every block they would be 1 or 2.
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendto,nanosleep,clock_nanosleep",
                                     {"-b", "8M/20", "-l", "10000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendto");
  ASSERT_FALSE(sends.empty());
  int longest = 0, run = 0;
  for (const Call& c : r.trace.at(sends[0].tid)) {
    if (c.name == "sendto")
      longest = std::max(longest, ++run);
    else
      run = 0;  // a sleep
  }
  EXPECT_GE(longest, 15) << "blocks of one burst leave without a sleep between them";
}

TEST(PacingMechanism, UdpDatagramsFollowTheRate) {
  // 2 Mbit/s of 1000-byte datagrams for 1 s: 250 datagrams, spread through
  // the second. Unpaced, the same second carries many thousands.
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendmmsg", {"-u", "-b", "2M", "-l", "1000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendmmsg");
  long long total = sum_returns(sends);
  EXPECT_GE(total, 125);
  EXPECT_LE(total, 300);
  // Spread: no 100 ms holds half of the datagrams (even: a tenth; after a
  // stall of the loaded machine the pacer may catch up by up to 64 at once).
  for (size_t i = 0, j = 0; i < sends.size(); ++i) {
    long long window = 0;
    for (j = i; j < sends.size() && sends[j].at - sends[i].at < 0.1; ++j) window += sends[j].ret;
    EXPECT_LE(window, total / 2) << "a burst at " << sends[i].at;
    if (window > total / 2) break;
  }
}

TEST(PacingMechanism, TcpSendsFollowTheRate) {
  // -b 8M -l 10000 for 2 s: 200 blocks. Unpaced, loopback takes that many in milliseconds.
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendto", {"-b", "8M", "-l", "10000", "-t", "2"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendto");
  long long bytes = sum_returns(sends);
  EXPECT_GE(bytes, 100 * 10000);
  EXPECT_LE(bytes, 300 * 10000);
  ASSERT_FALSE(sends.empty());
  EXPECT_GT(sends.back().at - sends.front().at, 1.5) << "the sends are spread over the test";
}

// ---- --gsro: UDP_SEGMENT on the sender, UDP_GRO on the receiver ----------------

TEST(GsroMechanism, SenderHandsTheKernelSegmentedBuffers) {
  // Unlimited rate (-b 0), so that each call has many datagrams to give.
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "setsockopt,sendmmsg",
                                     {"-u", "--gsro", "-b", "0", "-l", "1000", "-k", "5000"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendmmsg");
  ASSERT_FALSE(sends.empty());
  const int fd = first_arg(sends[0]);
  EXPECT_EQ(setsockopts(r.trace, fd, "SOL_UDP, UDP_SEGMENT, [1000]"), 1u);
  long long largest = 0;
  for (const Call& c : sends)
    for (long long len : numbers_after(c.args, "iov_len=")) {
      EXPECT_EQ(len % 1000, 0) << "a buffer of whole datagrams";
      largest = std::max(largest, len);
    }
  EXPECT_GT(largest, 1000) << "one buffer carries several datagrams";
}

TEST(GsroMechanism, ReceiverAsksForCoalescedBuffers) {
  // What can be seen on loopback: the socket option, and reads posted with
  // 64 KiB buffers (room for a coalesced train) instead of one datagram's.
  // Not seen: coalescing itself. lo runs no GRO, and the kernel cuts a local
  // sender's GSO buffer into datagrams before a plain (non-tunnel) socket.
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kServer, "setsockopt,recvmmsg",
                                     {"-u", "--gsro", "-b", "0", "-l", "1000", "-k", "5000"}, &r));
  if (r.skipped) return;
  std::vector<Call> reads = busiest_thread(r.trace, "recvmmsg");
  ASSERT_FALSE(reads.empty());
  EXPECT_EQ(setsockopts(r.trace, first_arg(reads[0]), "SOL_UDP, UDP_GRO, [1]"), 1u);
  for (const Call& c : reads)
    for (long long len : numbers_after(c.args, "iov_len=")) EXPECT_EQ(len, 65536) << c.args;
}

// ---- socket options, as set on the data socket (strace) ------------------------

// The data socket of a TCP sender: the one its worker thread sends on.
int tcp_data_fd(const Trace& trace) {
  std::vector<Call> sends = data_thread(trace, {"sendto", "sendmsg"});
  return sends.empty() ? -1 : first_arg(sends[0]);
}

TEST(NoDelayMechanism, DataSocketGetsTcpNodelay) {
  // (Observer: strace. The flag changes nothing that ss or the wire shows on loopback.)
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "setsockopt,sendto,sendmsg", {"-N", "-n", "1M"}, &r));
  if (r.skipped) return;
  int fd = tcp_data_fd(r.trace);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(setsockopts(r.trace, fd, "SOL_TCP, TCP_NODELAY, [1]"), 1u);
}

TEST(DontFragmentMechanism, UdpDataSocketSetsPmtuDiscoveryDo) {
  // (Observer: strace. On loopback (MTU 64 KiB) no datagram ever needs fragmenting.)
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "setsockopt,sendmmsg",
                                     {"-u", "--dont-fragment", "-b", "1M", "-l", "1000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendmmsg");
  ASSERT_FALSE(sends.empty());
  EXPECT_EQ(setsockopts(r.trace, first_arg(sends[0]), "SOL_IP, IP_MTU_DISCOVER, [2]"), 1u)
      << "IP_PMTUDISC_DO";
}

TEST(WindowMechanism, UdpBuffersAreTheWindow) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "setsockopt,sendmmsg",
                                     {"-u", "-w", "100K", "-b", "1M", "-l", "1000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendmmsg");
  ASSERT_FALSE(sends.empty());
  const int fd = first_arg(sends[0]);
  EXPECT_EQ(setsockopts(r.trace, fd, "SOL_SOCKET, SO_SNDBUF, [102400]"), 1u);
  EXPECT_EQ(setsockopts(r.trace, fd, "SOL_SOCKET, SO_RCVBUF, [102400]"), 1u);
}

// ---- the bytes that leave: payload, UDP header, lengths --------------------------

TEST(RepeatingPayloadMechanism, TcpAndUdpSendTheAsciiPattern) {
  const std::vector<uint8_t> pattern = {'0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1'};
  TracedRun tcp;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendto", {"--repeating-payload", "-l", "4000", "-n", "400000"}, &tcp));
  if (tcp.skipped) return;
  std::vector<Call> sends = busiest_thread(tcp.trace, "sendto");
  ASSERT_FALSE(sends.empty());
  for (const Call& c : sends) {
    std::vector<uint8_t> bytes = first_bytes(c.args);
    ASSERT_GE(bytes.size(), pattern.size()) << c.args;
    EXPECT_TRUE(std::equal(pattern.begin(), pattern.end(), bytes.begin())) << c.args;
  }
  // UDP: the pattern after the 12-byte header, from offset 12 of the block ("2345...").
  TracedRun udp;
  ASSERT_NO_FATAL_FAILURE(run_traced(
      Traced::kClient, "sendmmsg", {"-u", "--repeating-payload", "-b", "1M", "-l", "1000", "-t", "1"}, &udp));
  std::vector<Call> datagrams = busiest_thread(udp.trace, "sendmmsg");
  ASSERT_FALSE(datagrams.empty());
  std::vector<uint8_t> bytes = first_bytes(datagrams[0].args);
  ASSERT_GE(bytes.size(), 24u) << datagrams[0].args;
  for (size_t i = 12; i < 24; ++i) EXPECT_EQ(bytes[i], '0' + i % 10) << "byte " << i;
}

// The sequence number of a datagram's header: 4 bytes at offset 8, or 8 with --udp-counters-64bit.
uint64_t big_endian(const std::vector<uint8_t>& bytes, size_t at, size_t len) {
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) v = v << 8 | bytes.at(at + i);
  return v;
}

TEST(UdpCounters64Mechanism, SequenceNumberTakesEightBytes) {
  TracedRun wide, narrow;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendmmsg",
                                     {"-u", "--udp-counters-64bit", "-b", "1M", "-l", "1000", "-t", "1"},
                                     &wide));
  if (wide.skipped) return;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendmmsg", {"-u", "-b", "1M", "-l", "1000", "-t", "1"}, &narrow));
  std::vector<Call> w = busiest_thread(wide.trace, "sendmmsg"), n = busiest_thread(narrow.trace, "sendmmsg");
  ASSERT_FALSE(w.empty() || n.empty());
  // The first datagram is number 1 (the sequence numbers start at 1, as iperf3's).
  EXPECT_EQ(big_endian(first_bytes(w[0].args), 8, 8), 1u) << w[0].args;
  EXPECT_EQ(big_endian(first_bytes(n[0].args), 8, 4), 1u) << n[0].args;
}

TEST(LengthMechanism, TcpSendsBlocksOfTheLength) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendto", {"-l", "3000", "-n", "300000"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendto");
  ASSERT_EQ(sends.size(), 100u);
  for (const Call& c : sends) EXPECT_NE(c.args.find(", 3000, MSG_NOSIGNAL"), std::string::npos) << c.args;
}

// Issue #22: without -l a TCP sender writes several blocks per call; an
// explicit -l is one block per send, as a user emulating an application expects.
// Observed in the client's system calls, whichever of them carries data.
const std::vector<std::string> kDataWrites = {"sendto", "write", "sendmsg"};

TEST(CallSizeMechanism, ExplicitLengthIsOneBlockPerSend) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendto,write,sendmsg", {"-l", "64K", "-n", "10M"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = data_thread(r.trace, kDataWrites);
  EXPECT_EQ(sum_returns(sends), k10MiB);
  ASSERT_GE(sends.size(), 160u) << "10 MiB in 64 KiB sends";
  size_t whole = 0;
  for (const Call& c : sends) {
    EXPECT_EQ(c.name, "sendto") << c.args;
    EXPECT_LE(c.ret, 65536) << "a send larger than the block: " << c.args;
    if (c.args.find(", 65536, MSG_NOSIGNAL") != std::string::npos && c.ret == 65536) ++whole;
  }
  // A send the kernel cut short is completed by a shorter one; most are whole blocks.
  EXPECT_GE(whole * 10, sends.size() * 9) << whole << " of " << sends.size() << " sends were 64 KiB";
}

TEST(CallSizeMechanism, WithoutLengthCallsSpanSeveralBlocks) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(run_traced(Traced::kClient, "sendto,write,sendmsg", {"-n", "10M"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = data_thread(r.trace, kDataWrites);
  EXPECT_EQ(sum_returns(sends), k10MiB);
  long long largest = 0;
  for (const Call& c : sends) largest = std::max(largest, c.ret);
  EXPECT_GT(largest, 128 * 1024) << "no call carried more than one 128 KiB block";
  EXPECT_LT(sends.size(), 80u) << "10 MiB took as many calls as 128 KiB blocks";
}

// Two or more streams: a call larger than 128 KiB reads 128 KiB of memory
// repeated by iovecs (engine/compact_buffers.hpp), and an explicit -l is still
// one block per call. One stream keeps its flat buffer: one send() per block.
TEST(CallSizeMechanism, TwoStreamsSendWholeBlocksFrom128KiB) {
  TracedRun two, one;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendto,write,sendmsg", {"-P", "2", "-l", "256K", "-n", "20M"}, &two));
  if (two.skipped) return;
  std::vector<Call> sends = data_thread(two.trace, kDataWrites);
  EXPECT_EQ(sum_returns(sends), k10MiB) << "each stream sends half of -n";
  ASSERT_GE(sends.size(), 40u) << "10 MiB a stream in 256 KiB calls";
  size_t whole = 0;
  for (const Call& c : sends) {
    EXPECT_EQ(c.name, "sendmsg") << c.args;
    EXPECT_LE(c.ret, 262144) << "a call larger than the block: " << c.args;
    const std::vector<long long> iovecs = numbers_after(c.args, "iov_len=");
    for (long long len : iovecs) EXPECT_LE(len, 131072) << "an iovec beyond 128 KiB: " << c.args;
    if (iovecs == std::vector<long long>{131072, 131072} && c.ret == 262144) ++whole;
  }
  // A call the kernel cut short is completed by a shorter one; most are whole blocks.
  EXPECT_GE(whole * 10, sends.size() * 9) << whole << " of " << sends.size() << " calls were 2 x 128 KiB";
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendto,write,sendmsg", {"-l", "256K", "-n", "10M"}, &one));
  for (const Call& c : data_thread(one.trace, kDataWrites))
    EXPECT_EQ(c.name, "sendto") << "one stream sends from its flat block: " << c.args;
}

TEST(LengthMechanism, UdpDatagramsAreTheLength) {
  TracedRun r;
  ASSERT_NO_FATAL_FAILURE(
      run_traced(Traced::kClient, "sendmmsg", {"-u", "-b", "1M", "-l", "1000", "-t", "1"}, &r));
  if (r.skipped) return;
  std::vector<Call> sends = busiest_thread(r.trace, "sendmmsg");
  ASSERT_FALSE(sends.empty());
  for (const Call& c : sends)
    for (long long len : numbers_after(c.args, "iov_len=")) EXPECT_EQ(len, 1000) << c.args;
}

// ---- TCP socket state, read back from the kernel with ss -i / -m --------------------

// `ss -tinm` of the client's data connection, seen while a 3-second test runs:
// of the client's two connections to `port` the one that moved the most bytes.
std::string data_connection_info(int port) {
  std::string ss = find_program("ss");
  std::string best;
  long long best_bytes = 0;
  for (auto deadline = std::chrono::steady_clock::now() + 2500ms;
       best_bytes < 1000000 && std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(200ms);
    ProcessResult r =
        run_process({ss, "-tinmH", "state", "established", "( dport = :" + port_text(port) + " )"}, 10s);
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || (line[0] != '\t' && line[0] != ' ')) continue;
      long long bytes = 0;
      for (const char* key : {"bytes_sent:", "bytes_received:"})
        for (long long v : numbers_after(line, key)) bytes = std::max(bytes, v);
      if (bytes > best_bytes) best_bytes = bytes, best = line;
    }
  }
  return best;
}

std::string tcp_info_during(const std::vector<std::string>& client_args) {
  if (find_program("ss").empty()) {
    if (running_in_ci()) ADD_FAILURE() << "ss (iproute2) must be installed in CI";
    return "";
  }
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", port_text(port)});
  EXPECT_TRUE(wait_for_listener(port, 10s));
  std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1", "-p", port_text(port), "-t", "3"};
  argv.insert(argv.end(), client_args.begin(), client_args.end());
  Process client(argv);
  std::string info = data_connection_info(port);
  ProcessResult c = client.wait(30s);
  server.wait(20s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_FALSE(info.empty()) << "ss never showed the data connection";
  return info;
}

TEST(MssMechanism, DataConnectionUsesTheSegmentSize) {
  std::string info = tcp_info_during({"-M", "1200"});
  if (info.empty()) GTEST_SKIP() << "needs ss (apt-get install iproute2)";
  // Loopback's own MSS is ~65 KB; TCP_MAXSEG 1200 less the timestamp option is 1188.
  auto mss = numbers_after(info, " mss:");
  ASSERT_EQ(mss.size(), 1u) << info;
  EXPECT_LE(mss[0], 1200) << info;
  EXPECT_GE(mss[0], 1100) << info;
}

TEST(CongestionMechanism, DataConnectionRunsTheNamedAlgorithm) {
  std::ifstream current("/proc/sys/net/ipv4/tcp_congestion_control");
  std::string host_default;
  current >> host_default;
  std::ifstream available("/proc/sys/net/ipv4/tcp_available_congestion_control");
  std::string other;
  for (std::string name; available >> name;)
    if (name != host_default) other = name;
  if (other.empty()) GTEST_SKIP() << "the kernel offers only " << host_default;
  std::string info = tcp_info_during({"-C", other});
  if (info.empty()) GTEST_SKIP() << "needs ss (apt-get install iproute2)";
  EXPECT_NE(info.find(" " + other + " "), std::string::npos) << "expected " << other << ": " << info;
}

TEST(WindowMechanism, TcpBuffersAreTheWindow) {
  // Linux doubles SO_SNDBUF/SO_RCVBUF requests; autotuned buffers would show other sizes.
  std::string info = tcp_info_during({"-w", "100K"});
  if (info.empty()) GTEST_SKIP() << "needs ss (apt-get install iproute2)";
  EXPECT_NE(info.find(",rb204800,"), std::string::npos) << info;
  EXPECT_NE(info.find(",tb204800,"), std::string::npos) << info;
}

TEST(FqRateMechanism, DataConnectionCarriesTheMaximumPacingRate) {
  // ss prints pacing_rate CURRENT/MAXIMUM; the maximum is SO_MAX_PACING_RATE.
  std::string info = tcp_info_during({"--fq-rate", "300M"});
  if (info.empty()) GTEST_SKIP() << "needs ss (apt-get install iproute2)";
  EXPECT_NE(info.find("bps/300000000bps"), std::string::npos) << info;
}

// ---- -A: the stream's thread is pinned --------------------------------------------

std::string allowed_cpus(const std::string& status_path) {
  std::ifstream in(status_path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Cpus_allowed_list:", 0) == 0) {
      std::string list = line.substr(18);
      list.erase(0, list.find_first_not_of(" \t"));
      return list;
    }
  return "";
}

// How many threads of `pid` may run only on each CPU list, polled while a
// 2-second test runs until `want` threads show a one-CPU mask.
std::map<std::string, int> thread_masks(pid_t pid, int want) {
  std::map<std::string, int> masks;
  for (auto deadline = std::chrono::steady_clock::now() + 1500ms;
       std::chrono::steady_clock::now() < deadline;) {
    std::this_thread::sleep_for(100ms);
    masks.clear();
    int single = 0;
    std::string tasks = "/proc/" + std::to_string(pid) + "/task";
    if (DIR* d = ::opendir(tasks.c_str())) {
      while (dirent* e = ::readdir(d)) {
        if (e->d_name[0] == '.') continue;
        std::string mask = allowed_cpus(tasks + "/" + e->d_name + "/status");
        ++masks[mask];
        single += mask.find_first_of(",-") == std::string::npos ? 1 : 0;
      }
      ::closedir(d);
    }
    if (single >= want) break;
  }
  return masks;
}

// The first and the last CPU this process may use ("" when only one).
std::pair<std::string, std::string> two_cpus() {
  std::string own = allowed_cpus("/proc/self/status");
  auto first_end = own.find_first_of(",-"), last_start = own.find_last_of(",-");
  if (own.empty() || first_end == std::string::npos) return {"", ""};
  return {own.substr(0, first_end), own.substr(last_start + 1)};
}

TEST(AffinityMechanism, WholeProcessIsPinnedToTheCpu) {
  auto [first, last] = two_cpus();
  if (last.empty()) GTEST_SKIP() << "one CPU only: pinned and unpinned look alike";
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", port_text(port)});
  ASSERT_TRUE(wait_for_listener(port, 10s));
  Process client({NPERF_BINARY, "-c", "127.0.0.1", "-p", port_text(port), "-t", "2", "-A", last});
  std::map<std::string, int> masks = thread_masks(client.pid(), 2);
  ProcessResult c = client.wait(20s);
  server.wait(20s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(masks.size(), 1u) << "every thread on CPU " << last;
  EXPECT_GE(masks[last], 2) << "the control thread and the stream's";
}

TEST(AffinityMechanism, EachStreamThreadIsPinnedToItsCpu) {
  // -A A:B (nperf's per-stream form): stream 0 on A, stream 1 on B, the rest unpinned.
  auto [first, last] = two_cpus();
  if (last.empty()) GTEST_SKIP() << "one CPU only: pinned and unpinned look alike";
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", port_text(port)});
  ASSERT_TRUE(wait_for_listener(port, 10s));
  Process client({NPERF_BINARY, "-c", "127.0.0.1", "-p", port_text(port), "-t", "2", "-P", "2", "-A",
                  first + ":" + last});
  std::map<std::string, int> masks = thread_masks(client.pid(), 2);
  ProcessResult c = client.wait(20s);
  server.wait(20s);
  EXPECT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(masks[first], 1) << "stream 0's thread";
  EXPECT_EQ(masks[last], 1) << "stream 1's thread";
}

}  // namespace
}  // namespace nperf::test
