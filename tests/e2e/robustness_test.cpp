// Robustness of nperf against hostile or broken peers, on loopback only.
//
// Server side: a raw socket plays a misbehaving client against a real
// `nperf -s`; afterwards the server must still be alive and serve a real
// `nperf -c 127.0.0.1 -p PORT -t 1` (exit 0).
// Client side: a raw listener plays a misbehaving server against a real
// `nperf -c`; the client must exit 1 within a bound with a clear message.
//
// Every wait is bounded (poll() with deadlines), every process is killed and
// reaped by Process, every fake-server thread is joined.
//
// LONG cases (each waits out one of nperf's deadlines on purpose, once):
//   ServerGivesUpOnTruncatedCookieThenSilence             ~11 s (cookie, 10 s)
//   ServerGivesUpOnValidCookieThenSilenceAtParamExchange  ~11 s (params, 10 s)
//   ServerRecoversFromClientThatVanishesAfterCreateStreams ~31 s (streams, 30 s)
//   ClientGivesUpOnSilentServer                            ~30 s (control read, 30 s)
// Everything else takes about a second (one real `-t 1` client) when nperf
// behaves; a misbehaving nperf is measured up to ~13 s (server) or bound + 30 s
// (client) so that the failure message says how long it really took.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using Ms = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr uint8_t kTestStart = 1, kTestRunning = 2, kTestEnd = 4, kParamExchange = 9, kCreateStreams = 10,
                  kExchangeResults = 13, kDisplayResults = 14, kAccessDenied = 0xFF, kServerError = 0xFE;
constexpr size_t kCookieSize = 37;

std::string port_text(int port) {
  return std::to_string(port);
}

Ms elapsed_since(SteadyClock::time_point start) {
  return std::chrono::duration_cast<Ms>(SteadyClock::now() - start);
}

// Shown in the test log and recorded in the XML report (observed bounds).
void note(const std::string& key, const std::string& value) {
  std::printf("[   NOTE   ] %s = %s\n", key.c_str(), value.c_str());
  std::fflush(stdout);
  ::testing::Test::RecordProperty(key, value);
}
void note(const std::string& key, Ms value) {
  note(key, fmt::format("{} ms", value.count()));
}

// ---------------------------------------------------------------------------
// Raw peer: plain POSIX sockets, every read bounded by poll().

struct ReadResult {
  enum class How { kComplete, kEof, kError, kTimeout };
  How how = How::kTimeout;
  int err = 0;
  std::string bytes;
  Ms elapsed{0};

  bool complete() const { return how == How::kComplete; }
  // The peer closed (FIN) or reset (RST) the connection.
  bool closed() const {
    return how == How::kEof || (how == How::kError && (err == ECONNRESET || err == EPIPE));
  }
  std::string describe() const {
    std::string hex;
    for (size_t i = 0; i < bytes.size() && i < 32; ++i)
      hex += fmt::format("{:02x} ", static_cast<uint8_t>(bytes[i]));
    const char* names[] = {"complete", "eof", "error", "timeout"};
    return fmt::format("{} after {} ms{}, {} bytes [{}{}]", names[static_cast<int>(how)], elapsed.count(),
                       how == How::kError ? fmt::format(" ({})", std::strerror(err)) : "", bytes.size(), hex,
                       bytes.size() > 32 ? "..." : "");
  }
};

class Conn {
 public:
  Conn() = default;
  explicit Conn(int fd) : fd_(fd) {}
  ~Conn() { close(); }
  Conn(Conn&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Conn& operator=(Conn&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }

  // Connects to 127.0.0.1:port (loopback connects complete at once or are refused).
  static Conn connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Conn();
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);  // bounds connect() and send()
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return Conn();
    }
    return Conn(fd);
  }

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

  bool send(std::string_view bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      sent += static_cast<size_t>(n);
    }
    return true;
  }
  bool send_byte(uint8_t b) { return send(std::string_view(reinterpret_cast<const char*>(&b), 1)); }

  // Reads exactly n bytes, or stops at EOF, error or the deadline.
  ReadResult read_exact(size_t n, Ms timeout) { return read(n, timeout); }
  // Reads until the peer closes (or resets) the connection or the deadline passes.
  ReadResult read_until_close(Ms timeout) { return read(SIZE_MAX, timeout); }

  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
  // close() that sends RST instead of FIN, as a killed process with unread data would.
  void abort() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  ReadResult read(size_t n, Ms timeout) {
    ReadResult r;
    auto start = SteadyClock::now();
    auto deadline = start + timeout;
    char buf[16384];
    for (;;) {
      if (r.bytes.size() >= n) {
        r.how = ReadResult::How::kComplete;
        break;
      }
      auto left = std::chrono::duration_cast<Ms>(deadline - SteadyClock::now());
      if (left.count() <= 0) {
        r.how = ReadResult::How::kTimeout;
        break;
      }
      pollfd p{fd_, POLLIN, 0};
      int rc = ::poll(&p, 1, static_cast<int>(left.count()));
      if (rc < 0 && errno == EINTR) continue;
      if (rc < 0) {
        r.how = ReadResult::How::kError;
        r.err = errno;
        break;
      }
      if (rc == 0) continue;  // the deadline check above ends the loop
      size_t want = std::min(sizeof buf, n - r.bytes.size());
      ssize_t got = ::recv(fd_, buf, want, MSG_DONTWAIT);
      if (got > 0) {
        if (r.bytes.size() < (1u << 20))
          r.bytes.append(buf, static_cast<size_t>(got));  // keep at most ~1 MiB
        continue;
      }
      if (got == 0) {
        r.how = ReadResult::How::kEof;
        break;
      }
      if (errno == EINTR || errno == EAGAIN) continue;
      r.how = ReadResult::How::kError;
      r.err = errno;
      break;
    }
    r.elapsed = elapsed_since(start);
    return r;
  }

  int fd_ = -1;
};

// A listening socket on 127.0.0.1 with a kernel-chosen port (no race).
class Listener {
 public:
  Listener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(fd_, 64);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() { close(); }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  int port() const { return port_; }
  Conn accept(Ms timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return Conn();
    int fd = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return Conn();
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return Conn(fd);
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// ---------------------------------------------------------------------------
// Wire helpers.

std::string be32(uint32_t v) {
  std::string out(4, '\0');
  out[0] = static_cast<char>(v >> 24);
  out[1] = static_cast<char>(v >> 16);
  out[2] = static_cast<char>(v >> 8);
  out[3] = static_cast<char>(v);
  return out;
}

uint32_t read_be32(std::string_view b, size_t at) {
  return (uint32_t{static_cast<uint8_t>(b[at])} << 24) | (uint32_t{static_cast<uint8_t>(b[at + 1])} << 16) |
         (uint32_t{static_cast<uint8_t>(b[at + 2])} << 8) | uint32_t{static_cast<uint8_t>(b[at + 3])};
}

std::string frame(std::string_view body) {
  return be32(static_cast<uint32_t>(body.size())) + std::string(body);
}

// 36 base32 characters and the NUL, as iperf3 >= 3.2 sends.
std::string make_cookie() {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::random_device rd;
  std::string cookie;
  for (size_t i = 0; i < kCookieSize - 1; ++i) cookie += alphabet[rd() % 32];
  cookie += '\0';
  return cookie;
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xFF);
  return out;
}

// A params document like iperf3 3.12 sends for `-c ... -t 10`, with some
// values replaced by raw JSON text (or added).
std::string params_json(const std::vector<std::pair<std::string, std::string>>& overrides = {}) {
  std::vector<std::pair<std::string, std::string>> fields = {{"tcp", "true"},
                                                             {"omit", "0"},
                                                             {"time", "10"},
                                                             {"num", "0"},
                                                             {"blockcount", "0"},
                                                             {"parallel", "1"},
                                                             {"len", "131072"},
                                                             {"pacing_timer", "1000"},
                                                             {"client_version", "\"3.12\""}};
  for (const auto& [key, value] : overrides) {
    bool replaced = false;
    for (auto& field : fields)
      if (field.first == key) {
        field.second = value;
        replaced = true;
      }
    if (!replaced) fields.emplace_back(key, value);
  }
  std::string out = "{";
  for (const auto& [key, value] : fields)
    out += fmt::format("{}\"{}\":{}", out.size() > 1 ? "," : "", key, value);
  return out + "}";
}

// Reads one 4-byte-length + JSON message; "" (and a failure) when it does not arrive.
std::string read_frame(Conn& conn, Ms timeout, const char* what) {
  ReadResult header = conn.read_exact(4, timeout);
  if (!header.complete()) {
    ADD_FAILURE() << what << ": no length header: " << header.describe();
    return "";
  }
  uint32_t length = read_be32(header.bytes, 0);
  if (length == 0 || length > (1u << 24)) {
    ADD_FAILURE() << what << ": implausible length " << length;
    return "";
  }
  ReadResult body = conn.read_exact(length, timeout);
  if (!body.complete()) {
    ADD_FAILURE() << what << ": short body: " << body.describe();
    return "";
  }
  return body.bytes;
}

// ---------------------------------------------------------------------------
// The real nperf programs.

struct Timed {
  ProcessResult result;
  Ms elapsed{0};
};

std::vector<std::string> real_client_argv(int port, std::vector<std::string> extra = {},
                                          const char* seconds = "1") {
  std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1", "-p", port_text(port), "-t", seconds};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

Timed run_timed(std::vector<std::string> argv, Ms timeout) {
  auto start = SteadyClock::now();
  ProcessResult r = run_process(std::move(argv), timeout);
  return {r, elapsed_since(start)};
}

// A real `nperf -s` on a free port; stopped with SIGTERM (and reaped) at the end.
class NperfServer {
 public:
  NperfServer() : port_(free_port()), process_({NPERF_BINARY, "-s", "-p", port_text(port_)}) {
    listening_ = wait_for_listener(port_, 5s);
  }
  ~NperfServer() { stop(); }
  NperfServer(const NperfServer&) = delete;
  NperfServer& operator=(const NperfServer&) = delete;

  int port() const { return port_; }
  bool listening() const { return listening_; }

  // The server is alive and serves a real client: `nperf -c ... -t 1` exits 0.
  void expect_serves_a_real_client(Ms timeout = 15s) {
    Timed t = run_timed(real_client_argv(port_), timeout);
    EXPECT_FALSE(t.result.timed_out) << "real client hung for " << t.elapsed.count() << " ms\n"
                                     << t.result.err;
    EXPECT_EQ(t.result.exit_code, 0) << "real client after the hostile peer failed (" << t.elapsed.count()
                                     << " ms):\n"
                                     << t.result.out << t.result.err << "\nserver so far:\n"
                                     << stop_and_describe();
  }

  // Stops the server; it must still be there to answer SIGTERM (exit 0).
  void expect_alive_then_stop() {
    ProcessResult r = stop();
    EXPECT_FALSE(r.timed_out) << "server ignored SIGTERM";
    EXPECT_EQ(r.exit_code, 0) << "server died or failed (exit " << r.exit_code << "):\n" << r.out << r.err;
  }

  ProcessResult stop() {
    if (!stopped_) {
      process_.signal(SIGTERM);
      result_ = process_.wait(5s);
      stopped_ = true;
    }
    return result_;
  }

 private:
  std::string stop_and_describe() {
    ProcessResult r = stop();
    return fmt::format("exit {}\n--- stdout\n{}--- stderr\n{}", r.exit_code, r.out, r.err);
  }

  int port_;
  Process process_;
  bool listening_ = false;
  bool stopped_ = false;
  ProcessResult result_;
};

// ---------------------------------------------------------------------------
// Hostile clients.

// Connects, sends a cookie and expects PARAM_EXCHANGE.
Conn open_control(int port, const std::string& cookie) {
  Conn control = Conn::connect_loopback(port);
  EXPECT_TRUE(control.valid()) << "connect to the server failed: " << std::strerror(errno);
  if (!control.valid()) return control;
  EXPECT_TRUE(control.send(cookie));
  ReadResult r = control.read_exact(1, 5s);
  EXPECT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kParamExchange)
      << "expected PARAM_EXCHANGE: " << r.describe();
  return control;
}

// After the hostile client's parameters: SERVER_ERROR (0xFE + two BE int32),
// then the server closes the connection. Returns the error code.
int32_t expect_server_error_then_close(Conn& control, Ms within = 5s) {
  ReadResult r = control.read_until_close(within);
  EXPECT_TRUE(r.closed()) << "server did not close the control connection: " << r.describe();
  EXPECT_EQ(r.bytes.size(), 9u) << "expected exactly SERVER_ERROR + two ints: " << r.describe();
  if (r.bytes.size() < 9) return 0;
  EXPECT_EQ(static_cast<uint8_t>(r.bytes[0]), kServerError) << r.describe();
  auto code = static_cast<int32_t>(read_be32(r.bytes, 1));
  EXPECT_GT(code, 0) << r.describe();
  note("server_error_code", std::to_string(code));
  return code;
}

// One hostile params document: the server must reject it with SERVER_ERROR,
// close the control connection and then serve a real client.
void expect_params_rejected(const std::string& params) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.valid());
  ASSERT_TRUE(control.send(frame(params)));
  expect_server_error_then_close(control);
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

// The hostile peer has closed its side: the server must notice at once and
// close too, not only when its deadline (10 s for cookie and params) expires.
// Waits up to 13 s so that a late close is measured, not just flagged.
ReadResult expect_server_notices_close(Conn& conn, const std::string& what) {
  ReadResult r = conn.read_until_close(13s);
  EXPECT_TRUE(r.closed()) << what << ": server never closed: " << r.describe();
  EXPECT_LT(r.elapsed, 2s) << what << ": server noticed that the peer had closed only after "
                           << r.elapsed.count() << " ms: " << r.describe();
  note("server_closed_after", r.elapsed);
  return r;
}

// A hostile client that got as far as TEST_RUNNING with one (idle) data stream.
struct RunningTest {
  Conn control;
  Conn data;
};

RunningTest start_running_test(int port) {
  RunningTest t;
  std::string cookie = make_cookie();
  t.control = open_control(port, cookie);
  if (!t.control.valid()) return t;
  EXPECT_TRUE(t.control.send(frame(params_json())));
  ReadResult r = t.control.read_exact(1, 5s);
  EXPECT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kCreateStreams)
      << "expected CREATE_STREAMS: " << r.describe();
  t.data = Conn::connect_loopback(port);
  EXPECT_TRUE(t.data.valid());
  EXPECT_TRUE(t.data.send(cookie));
  r = t.control.read_exact(2, 5s);
  EXPECT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kTestStart &&
              static_cast<uint8_t>(r.bytes[1]) == kTestRunning)
      << "expected TEST_START, TEST_RUNNING: " << r.describe();
  return t;
}

// Runs real clients until one succeeds; those that find the server busy
// (exit 1, "busy") are retried. Returns the last result and when it ended.
Timed real_client_until_served(int port, Ms within, int* busy_attempts) {
  auto start = SteadyClock::now();
  *busy_attempts = 0;
  for (;;) {
    Timed t = run_timed(real_client_argv(port), 15s);
    t.elapsed = elapsed_since(start);
    bool busy = t.result.exit_code == 1 && t.result.err.find("busy") != std::string::npos;
    if (!busy || t.elapsed >= within) return t;
    ++*busy_attempts;
    std::this_thread::sleep_for(250ms);
  }
}

// ---------------------------------------------------------------------------
// Fake servers for the client-side cases.

// Runs `script` on a thread against a loopback listener; the script must
// bound all its waits. The thread is joined on destruction.
class FakeServer {
 public:
  explicit FakeServer(std::function<void(Listener&)> script)
      : thread_([this, script = std::move(script)] { script(listener_); }) {}
  ~FakeServer() { join(); }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;
  int port() const { return listener_.port(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  Listener listener_;
  std::thread thread_;
};

// Accepts the control connection and reads the cookie.
Conn accept_control(Listener& listener, std::string* cookie = nullptr) {
  Conn control = listener.accept(10s);
  EXPECT_TRUE(control.valid()) << "the client never connected";
  if (!control.valid()) return control;
  ReadResult r = control.read_exact(kCookieSize, 5s);
  EXPECT_TRUE(r.complete()) << "no cookie from the client: " << r.describe();
  if (cookie) *cookie = r.bytes;
  return control;
}

// Waits (bounded) for the client to go away so that the script ends cleanly.
void drain_until_client_leaves(Conn& control, Ms timeout = 15s) {
  control.read_until_close(timeout);
}

// Runs the real client against a fake server; it must exit 1 within `bound`
// and say `expected` on stderr.
// Any one of `expected` will do. The client is killed only 30 s after the
// bound, so that a late exit is measured and its message shown.
Timed expect_client_fails(int port, Ms bound, const std::vector<std::string>& expected) {
  Timed t = run_timed(real_client_argv(port), bound + 30s);
  EXPECT_FALSE(t.result.timed_out) << "client hung (killed after " << t.elapsed.count() << " ms)\n"
                                   << t.result.err;
  EXPECT_EQ(t.result.exit_code, 1) << t.result.out << t.result.err;
  EXPECT_LE(t.elapsed, bound) << "client took " << t.elapsed.count() << " ms\n" << t.result.err;
  bool said = false;
  std::string wanted;
  for (const auto& e : expected) {
    said = said || t.result.err.find(e) != std::string::npos;
    wanted += (wanted.empty() ? "'" : " or '") + e + "'";
  }
  EXPECT_TRUE(said) << "stderr lacks " << wanted << ":\n" << t.result.err << "\nstdout:\n" << t.result.out;
  note("client_exit", fmt::format("{} after {} ms", t.result.exit_code, t.elapsed.count()));
  note("client_stderr", t.result.err.substr(0, t.result.err.find_last_not_of('\n') + 1));
  return t;
}

// Plays a well-behaved server up to EXCHANGE_RESULTS (one TCP stream, the
// client sends), reads the client's results, then lets `at_results` answer.
void play_server_until_results(Listener& listener, const std::function<void(Conn&)>& at_results) {
  std::string cookie;
  Conn control = accept_control(listener, &cookie);
  if (!control.valid()) return;
  control.send_byte(kParamExchange);
  std::string params = read_frame(control, 10s, "client params");
  if (params.empty()) return;
  control.send_byte(kCreateStreams);
  Conn data = listener.accept(10s);
  EXPECT_TRUE(data.valid()) << "no data connection";
  if (!data.valid()) return;
  ReadResult data_cookie = data.read_exact(kCookieSize, 5s);
  EXPECT_EQ(data_cookie.bytes, cookie) << "data connection cookie: " << data_cookie.describe();
  // Drain the test data so the client's senders never block.
  std::thread drain([&data] { data.read_until_close(20s); });
  control.send_byte(kTestStart);
  control.send_byte(kTestRunning);
  ReadResult end = control.read_exact(1, 15s);
  EXPECT_TRUE(end.complete() && static_cast<uint8_t>(end.bytes[0]) == kTestEnd)
      << "expected TEST_END: " << end.describe();
  if (end.complete()) {
    ::shutdown(data.fd(), SHUT_RDWR);  // as iperf3: data sockets close on TEST_END
    control.send_byte(kExchangeResults);
    std::string results = read_frame(control, 10s, "client results");
    if (!results.empty()) at_results(control);
  }
  ::shutdown(data.fd(), SHUT_RDWR);
  drain.join();
  drain_until_client_leaves(control);
}

// ===========================================================================
// Server side.

TEST(Robustness, ServerSurvivesGarbageInsteadOfACookie) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  // Fewer, exactly, and more than 37 bytes; then the hostile peer closes.
  for (size_t size : {1u, 36u, 37u, 64u, 5000u}) {
    SCOPED_TRACE(fmt::format("{} random bytes", size));
    Conn hostile = Conn::connect_loopback(server.port());
    ASSERT_TRUE(hostile.valid());
    ASSERT_TRUE(hostile.send(random_bytes(size, static_cast<uint32_t>(size))));
    hostile.shutdown_write();
    ReadResult r = expect_server_notices_close(hostile, fmt::format("{} garbage bytes", size));
    // An idle server takes the first 37 bytes as a cookie: PARAM_EXCHANGE, never "busy".
    if (!r.bytes.empty()) {
      EXPECT_EQ(static_cast<uint8_t>(r.bytes[0]), kParamExchange) << r.describe();
    }
    if (::testing::Test::HasFailure()) break;  // the next rounds would meet a busy server
  }
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

// Garbage, then an abrupt close (RST) before the server has answered: the
// server's reads and its PARAM_EXCHANGE write both fail at once.
TEST(Robustness, ServerSurvivesGarbageThenReset) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  {
    Conn hostile = Conn::connect_loopback(server.port());
    ASSERT_TRUE(hostile.valid());
    ASSERT_TRUE(hostile.send(random_bytes(300, 7)));
    hostile.abort();
  }
  // The server learns of the reset asynchronously: retry "busy" for a while,
  // long enough to measure a server that waits for a deadline instead.
  int busy = 0;
  Timed t = real_client_until_served(server.port(), 13s, &busy);
  note("server_serves_again_after", t.elapsed);
  EXPECT_EQ(t.result.exit_code, 0) << "busy attempts " << busy << "\n" << t.result.err;
  EXPECT_LT(t.elapsed, 3s) << "the server was busy with a reset connection for " << t.elapsed.count()
                           << " ms (" << busy << " busy attempts)";
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerSurvivesTruncatedCookieThenClose) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn hostile = Conn::connect_loopback(server.port());
  ASSERT_TRUE(hostile.valid());
  ASSERT_TRUE(hostile.send(make_cookie().substr(0, 20)));
  hostile.shutdown_write();
  ReadResult r = expect_server_notices_close(hostile, "truncated cookie then close");
  EXPECT_TRUE(r.bytes.empty()) << "server answered a truncated cookie: " << r.describe();
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

// LONG (~10 s): waits out the server's 10 s cookie deadline.
TEST(Robustness, ServerGivesUpOnTruncatedCookieThenSilence) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  auto start = SteadyClock::now();
  Conn hostile = Conn::connect_loopback(server.port());
  ASSERT_TRUE(hostile.valid());
  ASSERT_TRUE(hostile.send(make_cookie().substr(0, 20)));
  // Meanwhile a real client is served at once: a connection that has not
  // sent its cookie and parameters holds no test slot (issue #14).
  Timed served = run_timed(real_client_argv(server.port()), 10s);
  EXPECT_EQ(served.result.exit_code, 0) << served.result.err;
  EXPECT_LT(served.elapsed, 5s);
  ReadResult r = hostile.read_until_close(13s);
  EXPECT_TRUE(r.closed()) << "server did not give up on the cookie: " << r.describe();
  note("server_gave_up_after", elapsed_since(start));
  server.expect_serves_a_real_client();
  EXPECT_LT(elapsed_since(start), 15s);
  server.expect_alive_then_stop();
}

// LONG (~10 s): waits out the server's 10 s params deadline.
TEST(Robustness, ServerGivesUpOnValidCookieThenSilenceAtParamExchange) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  auto start = SteadyClock::now();
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.valid());
  ReadResult r = control.read_until_close(13s);
  EXPECT_TRUE(r.closed()) << "server did not give up waiting for params: " << r.describe();
  EXPECT_GE(r.elapsed, 8s) << "server gave up early";
  note("server_gave_up_after", r.elapsed);
  server.expect_serves_a_real_client();
  EXPECT_LT(elapsed_since(start), 15s);
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerRejectsParamsLengthZero) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.send(be32(0)));
  expect_server_error_then_close(control);
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerRejectsParamsLengthAllOnes) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.send(be32(0xFFFFFFFFu)));  // CVE-2023-38403's length; "-1" to a signed reader
  expect_server_error_then_close(control);
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerRejectsParamsLengthJustOverTheLimit) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.send(be32(8193)));  // iperf3 >= 3.18: 1..8192
  expect_server_error_then_close(control);
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerSurvivesParamsShorterThanAnnouncedThenClose) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.send(be32(100) + std::string("{\"tcp\":tru")));
  control.shutdown_write();
  ReadResult r = expect_server_notices_close(control, "10 of 100 params bytes then close");
  EXPECT_TRUE(r.bytes.empty() || static_cast<uint8_t>(r.bytes[0]) == kServerError) << r.describe();
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerRejectsParamsThatAreNotJson) {
  expect_params_rejected("this is not JSON at all }{");
}

TEST(Robustness, ServerRejectsParamsThatAreAJsonArray) {
  expect_params_rejected(R"([{"tcp":true,"time":1}])");
}

TEST(Robustness, ServerRejectsParamsThatAreAJsonString) {
  expect_params_rejected(R"("tcp")");
}

TEST(Robustness, ServerRejectsParallelAsString) {
  expect_params_rejected(params_json({{"parallel", "\"4\""}}));
}

TEST(Robustness, ServerRejectsTitleAsNumber) {
  expect_params_rejected(params_json({{"title", "5"}}));
}

TEST(Robustness, ServerRejectsTimeAsString) {
  expect_params_rejected(params_json({{"time", "\"x\""}}));
}

TEST(Robustness, ServerRejectsAbsurdParallel) {
  expect_params_rejected(params_json({{"parallel", "100000"}}));
}

TEST(Robustness, ServerRejectsNegativeLen) {
  expect_params_rejected(params_json({{"len", "-1"}}));
}

TEST(Robustness, ServerRejectsAbsurdTime) {
  expect_params_rejected(params_json({{"time", "1e12"}}));
}

TEST(Robustness, ServerRejectsAbsurdOmit) {
  expect_params_rejected(params_json({{"omit", "99999"}}));
}

TEST(Robustness, ServerRejectsNegativeWindow) {
  expect_params_rejected(params_json({{"window", "-5"}}));
}

TEST(Robustness, ServerRejectsTosOutOfRangeWithIperf3sCode) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Conn control = open_control(server.port(), make_cookie());
  ASSERT_TRUE(control.send(frame(params_json({{"TOS", "300"}}))));
  EXPECT_EQ(expect_server_error_then_close(control), 21) << "IEBADTOS";
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerRejectsNegativeFqrate) {
  expect_params_rejected(params_json({{"fqrate", "-1"}}));
}

TEST(Robustness, ServerRejectsExtraDataAsNumber) {
  expect_params_rejected(params_json({{"extra_data", "7"}}));
}

TEST(Robustness, ServerRejectsAbsurdMss) {
  expect_params_rejected(params_json({{"MSS", "1e9"}}));
}

// 10000 '[' is over the 8192-byte params limit: rejected by length.
TEST(Robustness, ServerRejectsTenThousandNestedArrays) {
  expect_params_rejected(std::string(10000, '['));
}

// 8192 '[' fits the length limit and reaches the JSON parser.
TEST(Robustness, ServerRejectsNestingUpToTheLengthLimit) {
  expect_params_rejected(std::string(8192, '['));
}

TEST(Robustness, ServerRejectsDeeplyNestedObjectInsideValidParams) {
  std::string nested;
  for (int i = 0; i < 2000; ++i) nested += "{\"a\":";
  nested += "1" + std::string(2000, '}');
  expect_params_rejected(params_json({{"nperf", nested}}));
}

TEST(Robustness, ConnectionFloodDuringATestIsDeniedAndTheTestSucceeds) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  Process real(real_client_argv(server.port(), {}, "3"));
  std::this_thread::sleep_for(1000ms);  // the real test is running now
  constexpr int kFlood = 200;
  std::vector<Conn> flood;
  auto start = SteadyClock::now();
  for (int i = 0; i < kFlood; ++i) {
    Conn c = Conn::connect_loopback(server.port());
    if (c.valid()) flood.push_back(std::move(c));
  }
  EXPECT_EQ(static_cast<int>(flood.size()), kFlood) << "connects failed";
  // Half of them leave at once; the other half stay, send nothing and read.
  for (size_t i = 0; i < flood.size(); i += 2) flood[i].close();
  int denied = 0, closed_without_byte = 0, other = 0, silent = 0;
  Ms slowest{0};
  for (size_t i = 1; i < flood.size(); i += 2) {
    auto left = std::chrono::duration_cast<Ms>(start + 5s - SteadyClock::now());
    ReadResult r = flood[i].read_exact(1, std::max(left, Ms(1)));
    if (r.complete() && static_cast<uint8_t>(r.bytes[0]) == kAccessDenied)
      ++denied;
    else if (r.complete())
      ++other;
    else if (r.closed())
      ++closed_without_byte;
    else
      ++silent;
    slowest = std::max(slowest, elapsed_since(start));
  }
  int readers = static_cast<int>(flood.size() / 2);
  EXPECT_EQ(silent, 0) << "connections left hanging by the busy server";
  EXPECT_EQ(denied, readers) << "closed without ACCESS_DENIED " << closed_without_byte << ", other byte "
                             << other;
  note("flood_all_answered_within", slowest);
  ProcessResult r = real.wait(15s);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0) << "the real test failed under the flood:\n" << r.out << r.err;
  flood.clear();
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

// LONG (~30 s): waits out the server's 30 s data-connection deadline.
// A client sends `params`, reads CREATE_STREAMS and closes its control
// connection without any data stream; returns how long after that a real
// client was served again (and that it was).
Ms server_recovery_after_client_vanishes(NperfServer& server, const std::string& params) {
  Conn control = open_control(server.port(), make_cookie());
  EXPECT_TRUE(control.send(frame(params)));
  ReadResult r = control.read_exact(1, 5s);
  EXPECT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kCreateStreams) << r.describe();
  auto vanished = SteadyClock::now();
  control.close();  // no data connection or UDP hello ever comes
  int busy = 0;
  Timed t = real_client_until_served(server.port(), 35s, &busy);
  Ms recovered = elapsed_since(vanished);
  note("server_serves_again_after", recovered);
  note("busy_attempts", std::to_string(busy));
  EXPECT_EQ(t.result.exit_code, 0) << "server still not serving " << recovered.count()
                                   << " ms after the client vanished\n"
                                   << t.result.err;
  return recovered;
}

TEST(Robustness, ServerRecoversFromClientThatVanishesAfterCreateStreams) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  EXPECT_LE(server_recovery_after_client_vanishes(server, params_json({{"parallel", "2"}})), 33s);
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerNoticesAtOnceAClientThatVanishesDuringUdpStreamSetUp) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  std::string params = params_json({{"parallel", "2"}, {"len", "1400"}, {"bandwidth", "1000000"}});
  params.replace(params.find("\"tcp\":true"), 10, "\"udp\":true");
  // The UDP stream deadline is 30 s; the control connection's EOF must end the wait long before.
  EXPECT_LE(server_recovery_after_client_vanishes(server, params), 5s)
      << "the server waited for the UDP hello instead of noticing the closed control connection";
  server.expect_alive_then_stop();
}

TEST(Robustness, DataConnectionWithWrongCookieIsDenied) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  std::string cookie = make_cookie();
  Conn control = open_control(server.port(), cookie);
  ASSERT_TRUE(control.send(frame(params_json())));
  ReadResult r = control.read_exact(1, 5s);
  ASSERT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kCreateStreams) << r.describe();
  Conn intruder = Conn::connect_loopback(server.port());
  ASSERT_TRUE(intruder.valid());
  ASSERT_TRUE(intruder.send(make_cookie()));  // a different cookie
  ReadResult denied = intruder.read_until_close(3s);
  EXPECT_TRUE(denied.closed()) << denied.describe();
  ASSERT_FALSE(denied.bytes.empty()) << denied.describe();
  EXPECT_EQ(static_cast<uint8_t>(denied.bytes[0]), kAccessDenied) << denied.describe();
  // The right cookie still gets the test going; then the client leaves.
  Conn data = Conn::connect_loopback(server.port());
  ASSERT_TRUE(data.send(cookie));
  r = control.read_exact(2, 5s);
  EXPECT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kTestStart &&
              static_cast<uint8_t>(r.bytes[1]) == kTestRunning)
      << r.describe();
  control.shutdown_write();
  r = control.read_until_close(5s);
  EXPECT_TRUE(r.closed()) << "server did not end the test when the client closed: " << r.describe();
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, UnknownStateByteDuringTheTestEndsItAndTheServerCarriesOn) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  RunningTest t = start_running_test(server.port());
  ASSERT_TRUE(t.control.valid());
  ASSERT_TRUE(t.control.send_byte(0x55));
  ReadResult r = t.control.read_until_close(5s);
  EXPECT_TRUE(r.closed()) << "server did not end the test on an unknown state byte: " << r.describe();
  EXPECT_LT(r.elapsed, 2s);
  ReadResult data = t.data.read_until_close(5s);
  EXPECT_TRUE(data.closed()) << "server kept the data connection: " << data.describe();
  t = {};
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerSurvivesBogusResultsLengthFromClient) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  RunningTest t = start_running_test(server.port());
  ASSERT_TRUE(t.control.valid());
  ASSERT_TRUE(t.control.send_byte(kTestEnd));
  ReadResult r = t.control.read_exact(1, 5s);
  ASSERT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kExchangeResults) << r.describe();
  ASSERT_TRUE(t.control.send(be32(0xFFFFFFFFu)));
  r = t.control.read_until_close(5s);
  EXPECT_TRUE(r.closed()) << r.describe();
  t = {};
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerSurvivesGarbageResultsFromClient) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  RunningTest t = start_running_test(server.port());
  ASSERT_TRUE(t.control.valid());
  ASSERT_TRUE(t.control.send_byte(kTestEnd));
  ReadResult r = t.control.read_exact(1, 5s);
  ASSERT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kExchangeResults) << r.describe();
  ASSERT_TRUE(t.control.send(frame(R"({"cpu_util_total":"x","streams":[{"id":"y"}],)")));  // and malformed
  r = t.control.read_until_close(5s);
  EXPECT_TRUE(r.closed()) << r.describe();
  EXPECT_EQ(r.bytes.find(static_cast<char>(kDisplayResults)), std::string::npos)
      << "server displayed results built from garbage: " << r.describe();
  t = {};
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerSurvivesResultsForAnUnknownStream) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  RunningTest t = start_running_test(server.port());
  ASSERT_TRUE(t.control.valid());
  ASSERT_TRUE(t.control.send_byte(kTestEnd));
  ReadResult r = t.control.read_exact(1, 5s);
  ASSERT_TRUE(r.complete() && static_cast<uint8_t>(r.bytes[0]) == kExchangeResults) << r.describe();
  ASSERT_TRUE(t.control.send(
      frame(R"({"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,"sender_has_retransmits":0,)"
            R"("streams":[{"id":99,"bytes":1000,"retransmits":0,"jitter":0,"errors":0,"packets":0}]})")));
  r = t.control.read_until_close(5s);
  EXPECT_TRUE(r.closed()) << r.describe();
  t = {};
  server.expect_serves_a_real_client();
  server.expect_alive_then_stop();
}

TEST(Robustness, ServerServesTheNextTestAfterAClientIsKilledMidTest) {
  NperfServer server;
  ASSERT_TRUE(server.listening());
  {
    Process victim(real_client_argv(server.port(), {"-P", "2"}, "10"));
    std::this_thread::sleep_for(800ms);
    victim.signal(SIGKILL);
    ProcessResult v = victim.wait(5s);
    EXPECT_EQ(v.exit_code, -1) << "victim was not killed";
  }
  int busy = 0;
  Timed t = real_client_until_served(server.port(), 3s, &busy);
  note("busy_attempts", std::to_string(busy));
  EXPECT_EQ(t.result.exit_code, 0) << t.result.err;
  server.expect_alive_then_stop();
}

// ===========================================================================
// Client side: a fake server plays the hostile role.

// LONG (~30 s): nperf's client waits 30 s for a control message.
TEST(Robustness, ClientGivesUpOnSilentServer) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    drain_until_client_leaves(control, 40s);  // says nothing at all
  });
  Timed t = expect_client_fails(fake.port(), 35s, {"error - "});
  EXPECT_GE(t.elapsed, 5s) << "gave up suspiciously early: " << t.result.err;
}

TEST(Robustness, ClientRejectsUnknownStateByte) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    control.send_byte(0x55);
    drain_until_client_leaves(control);
  });
  expect_client_fails(fake.port(), 5s, {"unknown control message"});
}

TEST(Robustness, ClientHandlesServerClosingRightAfterAccept) {
  FakeServer fake([](Listener& listener) {
    Conn control = listener.accept(10s);
    EXPECT_TRUE(control.valid());
  });
  expect_client_fails(fake.port(), 5s, {"closed", "reset"});
}

TEST(Robustness, ClientReportsServerErrorWithOnlyOneInt) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    control.send_byte(kParamExchange);
    read_frame(control, 5s, "client params");
    control.send(std::string(1, static_cast<char>(kServerError)) + be32(142));  // iperf3 3.12 auth failure
    control.shutdown_write();
    drain_until_client_leaves(control);
  });
  expect_client_fails(fake.port(), 5s, {"test authorization failed"});
}

TEST(Robustness, ClientReportsAccessDeniedAsBusy) {
  FakeServer fake([](Listener& listener) {
    Conn control = listener.accept(10s);
    control.send_byte(kAccessDenied);
    control.shutdown_write();
    drain_until_client_leaves(control);
  });
  expect_client_fails(fake.port(), 5s, {"busy"});
}

TEST(Robustness, ClientHandlesServerClosingAfterCreateStreams) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    control.send_byte(kParamExchange);
    read_frame(control, 5s, "client params");
    control.send_byte(kCreateStreams);
    control.close();
    Conn data = listener.accept(3s);  // the client may or may not get this far
    if (data.valid()) data.read_until_close(5s);
  });
  expect_client_fails(fake.port(), 5s, {"closed", "reset"});
}

TEST(Robustness, ClientRejectsResultsLengthAllOnes) {
  FakeServer fake([](Listener& listener) {
    play_server_until_results(listener, [](Conn& control) { control.send(be32(0xFFFFFFFFu)); });
  });
  expect_client_fails(fake.port(), 8s, {"4294967295", "length"});
}

TEST(Robustness, ClientRejectsGarbageResultsJson) {
  FakeServer fake([](Listener& listener) {
    play_server_until_results(listener,
                              [](Conn& control) { control.send(frame("}{ this is not JSON \x01\x02")); });
  });
  expect_client_fails(fake.port(), 8s, {"results"});
}

TEST(Robustness, ClientRejectsResultsWithWrongTypes) {
  FakeServer fake([](Listener& listener) {
    play_server_until_results(listener, [](Conn& control) {
      control.send(frame(R"({"cpu_util_total":"x","cpu_util_user":{},"cpu_util_system":[],)"
                         R"("sender_has_retransmits":"no","streams":[{"id":"one","bytes":-5}]})"));
      control.send_byte(kDisplayResults);
    });
  });
  expect_client_fails(fake.port(), 8s, {"results"});
}

TEST(Robustness, ClientRejectsResultsForAnUnknownStream) {
  FakeServer fake([](Listener& listener) {
    play_server_until_results(listener, [](Conn& control) {
      control.send(frame(
          R"({"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,"sender_has_retransmits":-1,)"
          R"("streams":[{"id":99,"bytes":1000,"retransmits":-1,"jitter":0,"errors":0,"packets":0}]})"));
      control.send_byte(kDisplayResults);
    });
  });
  expect_client_fails(fake.port(), 8s, {"stream"});
}

TEST(Robustness, ClientRejectsTestRunningBeforeTestStart) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    control.send_byte(kParamExchange);
    read_frame(control, 5s, "client params");
    control.send_byte(kTestRunning);
    drain_until_client_leaves(control);
  });
  expect_client_fails(fake.port(), 5s, {"error - "});
}

TEST(Robustness, ClientRejectsDisplayResultsBeforeTheTest) {
  FakeServer fake([](Listener& listener) {
    Conn control = accept_control(listener);
    control.send_byte(kDisplayResults);
    drain_until_client_leaves(control);
  });
  expect_client_fails(fake.port(), 5s, {"error - "});
}

}  // namespace
}  // namespace nperf::test
