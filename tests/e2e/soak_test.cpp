// Soak: one long-running `nperf -s` serves several hundred short tests in a
// row (TCP, UDP, -R, --bidir, -P 4), some of whose clients are SIGKILLed at a
// random moment. Every test that is not killed must succeed with valid JSON,
// the server must serve the test after each kill, and its file descriptors,
// threads and memory must stay flat.
//
//   NPERF_SOAK_TESTS=N   number of tests (default kDefaultTests)
//   NPERF_SOAK_SEED=S    random seed (default fixed; printed, so a failure reproduces)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr int kDefaultTests = 250;
constexpr int kWarmUpTests = 20;
constexpr uint64_t kDefaultSeed = 20240605;
// One in kKillOneIn tests has its client SIGKILLed mid-test.
constexpr int kKillOneIn = 10;
// Allowed VmRSS growth between the end of the warm-up and the end of the
// soak. After the warm-up glibc has created its per-thread arenas (workers of
// every kind of test have run) and nothing a test allocates outlives it; what
// still moves is allocator fragmentation: measured +128 KiB over 250 tests,
// +344 KiB over 1000, +472 KiB over 2000, flat after ~300 (docs/robustness.md,
// "Soak"). 2 MiB leaves room for that on other allocators and kernels, and is
// less than a leak of one 128 KiB block buffer per test adds in 16 tests, or
// one of 10 KiB per test over the 230 measured tests of the default run.
constexpr long kRssGrowthBoundKiB = 2048;
constexpr long kConcurrentRssGrowthBoundKiB = 8192;  // see Soak.ConcurrentTests...

// Short tests of every kind: -n/-k end by quota (client-driven), -t 0.2 by time.
const std::vector<std::vector<std::string>> kKinds = {
    {"-n", "2M"},
    {"-n", "2M", "-R"},
    {"-n", "2M", "--bidir"},
    {"-n", "4M", "-P", "4"},
    {"-k", "32", "-P", "4", "-R"},
    {"-t", "0.2", "-P", "2", "--bidir"},
    {"-u", "-b", "100M", "-t", "0.2"},
    {"-u", "-b", "100M", "-t", "0.2", "-R"},
    {"-u", "-b", "100M", "-t", "0.2", "-P", "4", "--bidir"},
};

long env_number(const char* name, long fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

struct ServerFigures {
  size_t fds = 0;
  long threads = 0;
  long rss_kib = 0;
};

ServerFigures figures_of(pid_t pid) {
  ServerFigures f;
  std::string proc = "/proc/" + std::to_string(pid);
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(proc + "/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++f.fds;
  std::ifstream status(proc + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:")
      status >> f.rss_kib;
    else if (key == "Threads:")
      status >> f.threads;
    status.ignore(1 << 20, '\n');
  }
  return f;
}

// Waits until the server is idle again: its fds and threads are back to the
// reference values and stay there for two polls in a row (a dead client's
// connection still being accepted would show up in between).
bool wait_until_idle(pid_t pid, const ServerFigures& idle, std::chrono::milliseconds timeout,
                     ServerFigures* seen) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int calm = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    *seen = figures_of(pid);
    calm = (seen->fds == idle.fds && seen->threads == idle.threads) ? calm + 1 : 0;
    if (calm >= 2) return true;
    std::this_thread::sleep_for(30ms);
  }
  return false;
}

std::string joined(const std::vector<std::string>& args) {
  std::string s;
  for (const auto& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

TEST(Soak, HundredsOfTestsWithKilledClientsLeaveTheServerFlat) {
  const long count = std::max<long>(env_number("NPERF_SOAK_TESTS", kDefaultTests), kWarmUpTests + 1);
  const auto seed = static_cast<uint64_t>(env_number("NPERF_SOAK_SEED", static_cast<long>(kDefaultSeed)));
  std::cout << "soak: " << count << " tests, seed " << seed << " (NPERF_SOAK_SEED=" << seed
            << " NPERF_SOAK_TESTS=" << count << " reproduces this run)" << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 rng(seed);

  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 10s));
  const pid_t pid = server.pid();
  std::this_thread::sleep_for(200ms);
  ServerFigures idle = figures_of(pid), warm, seen;
  std::cout << "soak: server started: fds " << idle.fds << ", threads " << idle.threads << ", VmRSS "
            << idle.rss_kib << " KiB" << std::endl;

  auto started = std::chrono::steady_clock::now();
  int kills = 0, failures = 0;
  for (long i = 0; i < count && failures < 5; ++i) {
    if (i == kWarmUpTests) {  // measured before test 20 starts, whether test 19 was killed or not
      ASSERT_TRUE(wait_until_idle(pid, idle, 5s, &warm)) << "server not idle after the warm-up";
      std::this_thread::sleep_for(200ms);
      warm = figures_of(pid);
      std::cout << "soak: after " << kWarmUpTests << " warm-up tests: fds " << warm.fds << ", threads "
                << warm.threads << ", VmRSS " << warm.rss_kib << " KiB" << std::endl;
    }
    if (i > 0 && i % 100 == 0)
      std::cout << "soak: " << i << " tests (" << kills << " killed): VmRSS " << figures_of(pid).rss_kib
                << " KiB" << std::endl;
    const auto& kind = kKinds[rng() % kKinds.size()];
    // The first test (it sets the idle reference) and the first after the warm-up are never killed.
    const bool killed = i > 0 && i != kWarmUpTests && rng() % kKillOneIn == 0;
    std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-J"};
    if (killed) {
      // Long enough that the kill lands before the end: a 2 s test of the same kind.
      for (size_t a = 0; a < kind.size(); ++a) {
        if (kind[a] == "-n" || kind[a] == "-k" || kind[a] == "-t") {
          ++a;
          continue;
        }
        argv.push_back(kind[a]);
      }
      argv.insert(argv.end(), {"-t", "2"});
      const auto delay = std::chrono::milliseconds(20 + rng() % 400);
      Process victim(argv);
      std::this_thread::sleep_for(delay);
      victim.signal(SIGKILL);
      ProcessResult r = victim.wait(5s);
      ++kills;
      // It must have been killed, not have ended by itself (0 is tolerated: a test that finished in time).
      EXPECT_TRUE(r.exit_code == -1 || r.exit_code == 0)
          << "test " << i << " (" << joined(argv) << ", killed after " << delay.count() << " ms): exit "
          << r.exit_code << "\n"
          << r.err;
      // The server must notice the dead client, drop the test and be idle again.
      if (!wait_until_idle(pid, idle, 10s, &seen)) {
        ADD_FAILURE() << "test " << i << ": the server is not idle 10 s after its client was killed after "
                      << delay.count() << " ms (" << joined(argv) << "): fds " << seen.fds << " (idle "
                      << idle.fds << "), threads " << seen.threads << " (idle " << idle.threads << ")";
        ++failures;
      }
      continue;
    }
    argv.insert(argv.end(), kind.begin(), kind.end());
    ProcessResult r = run_process(argv, 20s);
    json doc = json::parse(r.out, nullptr, false);
    bool ok = r.exit_code == 0 && !doc.is_discarded() && doc.is_object() && !doc.contains("error") &&
              doc.contains("end") && doc["end"].is_object() && !doc["end"].empty();
    if (!ok) {
      ADD_FAILURE() << "test " << i << " (" << joined(argv) << "): exit " << r.exit_code
                    << (r.timed_out ? " (timed out)" : "") << "\nstderr: " << r.err
                    << "\nstdout: " << r.out.substr(0, 2000);
      ++failures;
    }
    if (i == 0) {
      // The reference for "idle": after one whole test the reactor's lazily created fds exist.
      std::this_thread::sleep_for(300ms);
      idle = figures_of(pid);
    }
  }
  ASSERT_EQ(failures, 0);

  ServerFigures end;
  bool settled = wait_until_idle(pid, warm, 5s, &end);
  std::this_thread::sleep_for(200ms);
  end = figures_of(pid);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "soak: " << count << " tests (" << kills << " clients killed) in " << seconds
            << " s; server fds " << warm.fds << " -> " << end.fds << ", threads " << warm.threads << " -> "
            << end.threads << ", VmRSS " << warm.rss_kib << " -> " << end.rss_kib << " KiB ("
            << end.rss_kib - warm.rss_kib << " KiB)" << std::endl;
  RecordProperty("soak_tests", std::to_string(count));
  RecordProperty("kills", std::to_string(kills));
  RecordProperty("rss_growth_kib", std::to_string(end.rss_kib - warm.rss_kib));
  EXPECT_TRUE(settled);
  EXPECT_EQ(end.fds, warm.fds) << "file descriptors leaked";
  EXPECT_EQ(end.threads, warm.threads) << "threads leaked";
  EXPECT_EQ(end.threads, idle.threads);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // ASan's quarantine (256 MiB by default) and TSan's shadow memory make RSS
  // meaningless; leaks are LeakSanitizer's job there (it runs at the server's exit).
  std::cout << "soak: sanitized build, RSS bound not checked" << std::endl;
#else
  EXPECT_LE(end.rss_kib - warm.rss_kib, kRssGrowthBoundKiB) << "server memory grew";
#endif

  server.signal(SIGTERM);
  ProcessResult srv = server.wait(20s);
  EXPECT_FALSE(srv.timed_out) << "server ignored SIGTERM";
  EXPECT_EQ(srv.exit_code, 0) << srv.err.substr(0, 4000);
}

// The same with tests at once (issue #14): a server with --max-tests 3 serves
// rounds of three clients started together, one of which is SIGKILLed
// mid-test; the two others must succeed, and after every round the server's
// fds and threads return to their idle values; at the end RSS is flat too.
TEST(Soak, ConcurrentTestsWithKilledClientsLeaveTheServerFlat) {
  const long rounds = std::max<long>(env_number("NPERF_SOAK_ROUNDS", 30), 4);
  const auto seed = static_cast<uint64_t>(env_number("NPERF_SOAK_SEED", static_cast<long>(kDefaultSeed)));
  std::cout << "soak: " << rounds << " rounds of 3 concurrent tests, seed " << seed << std::endl;
  std::mt19937_64 rng(seed);
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--max-tests", "3"});
  ASSERT_TRUE(wait_for_listener(port, 10s));
  const pid_t pid = server.pid();
  std::this_thread::sleep_for(200ms);
  ServerFigures idle = figures_of(pid), warm, seen;
  int kills = 0;
  for (long round = 0; round < rounds; ++round) {
    // Two complete tests of random kinds and one killed 20..420 ms into a 2 s test.
    std::vector<std::vector<std::string>> argvs;
    for (int i = 0; i < 2; ++i) {
      const auto& kind = kKinds[rng() % kKinds.size()];
      std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-J"};
      argv.insert(argv.end(), kind.begin(), kind.end());
      argvs.push_back(argv);
    }
    std::vector<std::unique_ptr<Process>> clients;
    for (const auto& argv : argvs) clients.push_back(std::make_unique<Process>(argv));
    const bool kill_one = round > 0;  // round 0 sets the idle reference
    if (kill_one) {
      Process victim({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "2", "-P", "2"});
      std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 400));
      victim.signal(SIGKILL);
      victim.wait(5s);
      ++kills;
    }
    for (size_t i = 0; i < clients.size(); ++i) {
      ProcessResult r = clients[i]->wait(20s);
      json doc = json::parse(r.out, nullptr, false);
      bool ok = r.exit_code == 0 && !doc.is_discarded() && doc.is_object() && !doc.contains("error") &&
                doc.contains("end");
      ASSERT_TRUE(ok) << "round " << round << " (" << joined(argvs[i]) << "): exit " << r.exit_code << "\n"
                      << r.err << r.out.substr(0, 2000);
    }
    if (round == 0) {
      std::this_thread::sleep_for(300ms);
      idle = figures_of(pid);
      continue;
    }
    ASSERT_TRUE(wait_until_idle(pid, idle, 10s, &seen))
        << "round " << round << ": not idle 10 s after a killed client: fds " << seen.fds << " (idle "
        << idle.fds << "), threads " << seen.threads << " (idle " << idle.threads << ")";
    if (round == rounds / 3) warm = figures_of(pid);  // after glibc's per-thread arenas exist
    if (round % 10 == 0)
      std::cout << "soak: round " << round << ": VmRSS " << figures_of(pid).rss_kib << " KiB" << std::endl;
  }
  ServerFigures end = figures_of(pid);
  std::cout << "soak: " << rounds << " rounds (" << kills << " clients killed): fds " << warm.fds << " -> "
            << end.fds << ", threads " << warm.threads << " -> " << end.threads << ", VmRSS " << warm.rss_kib
            << " -> " << end.rss_kib << " KiB" << std::endl;
  EXPECT_EQ(end.fds, idle.fds) << "file descriptors leaked";
  EXPECT_EQ(end.threads, idle.threads) << "threads leaked";
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // Tests at once run up to ~20 stream threads together, and glibc gives
  // colliding threads new malloc arenas as they appear: RSS moves in steps
  // (measured: flat at 15.9 MB from round 10 to 60 of 90, then +3 MB and
  // +2 MB), not per test. A leak of one 128 KiB block per test would add
  // 11 MB over the 30 default rounds' last 20.
  EXPECT_LE(end.rss_kib - warm.rss_kib, kConcurrentRssGrowthBoundKiB) << "server memory grew";
#endif
  server.signal(SIGTERM);
  ProcessResult srv = server.wait(20s);
  EXPECT_FALSE(srv.timed_out) << "server ignored SIGTERM";
}

// A raw client (plain blocking sockets, 5 s receive timeouts) that plays
// iperf3 3.12's side of a one-stream TCP test up to DISPLAY_RESULTS and keeps
// its IPERF_DONE back until send_done().
class HeldClient {
 public:
  explicit HeldClient(int port) : port_(port) {}
  // Plays the test up to DISPLAY_RESULTS.
  void play() {
    const std::string cookie = "soaksoaksoaksoaksoaksoaksoaksoaksoak" + std::string(1, '\0');
    control_ = connect_loopback();
    ASSERT_GE(control_, 0);
    ASSERT_TRUE(send_all(control_, cookie));
    ASSERT_TRUE(expect_state(9, "PARAM_EXCHANGE"));
    const std::string params = R"({"tcp":true,"omit":0,"time":10,"num":0,"blockcount":0,"parallel":1,)"
                               R"("len":131072,"client_version":"3.12"})";
    ASSERT_TRUE(send_all(control_, frame(params)));
    ASSERT_TRUE(expect_state(10, "CREATE_STREAMS"));
    data_ = connect_loopback();
    ASSERT_GE(data_, 0);
    ASSERT_TRUE(send_all(data_, cookie));
    ASSERT_TRUE(expect_state(1, "TEST_START"));
    ASSERT_TRUE(expect_state(2, "TEST_RUNNING"));
    ASSERT_TRUE(send_all(control_, std::string(1, '\x04')));  // TEST_END
    ASSERT_TRUE(expect_state(13, "EXCHANGE_RESULTS"));
    const std::string results = R"({"cpu_util_total":1,"cpu_util_user":0.5,"cpu_util_system":0.5,)"
                                R"("sender_has_retransmits":0,"streams":[{"id":1,"bytes":0,"retransmits":0,)"
                                R"("jitter":0,"errors":0,"packets":0,"start_time":0,"end_time":0.1}]})";
    ASSERT_TRUE(send_all(control_, frame(results)));
    std::string length = recv_exact(control_, 4);  // the server's results
    ASSERT_EQ(length.size(), 4u) << "no results from the server";
    uint32_t n = (uint32_t{static_cast<uint8_t>(length[0])} << 24) |
                 (uint32_t{static_cast<uint8_t>(length[1])} << 16) |
                 (uint32_t{static_cast<uint8_t>(length[2])} << 8) | uint32_t{static_cast<uint8_t>(length[3])};
    ASSERT_EQ(recv_exact(control_, n).size(), n) << "short results from the server";
    ASSERT_TRUE(expect_state(14, "DISPLAY_RESULTS"));
    ready_ = true;
  }
  ~HeldClient() {
    if (data_ >= 0) ::close(data_);
    if (control_ >= 0) ::close(control_);
  }
  bool ready() const { return ready_; }
  void send_done() { send_all(control_, std::string(1, '\x10')); }  // IPERF_DONE

 private:
  static std::string frame(const std::string& body) {
    uint32_t n = htonl(static_cast<uint32_t>(body.size()));
    return std::string(reinterpret_cast<const char*>(&n), 4) + body;
  }
  int connect_loopback() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      return -1;
    }
    return fd;
  }
  static bool send_all(int fd, const std::string& bytes) {
    return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
  }
  static std::string recv_exact(int fd, size_t n) {
    std::string out;
    char buf[4096];
    while (out.size() < n) {
      ssize_t got = ::recv(fd, buf, std::min(sizeof buf, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buf, static_cast<size_t>(got));
    }
    return out;
  }
  bool expect_state(int state, const char* name) {
    std::string byte = recv_exact(control_, 1);
    EXPECT_EQ(byte.size(), 1u) << "no " << name;
    EXPECT_TRUE(byte.size() == 1 && static_cast<uint8_t>(byte[0]) == state) << "expected " << name;
    return byte.size() == 1 && static_cast<uint8_t>(byte[0]) == state;
  }

  int port_;
  int control_ = -1, data_ = -1;
  bool ready_ = false;
};

// A client that starts the moment the previous one has exited can reach the
// server before it has read that test's last message (IPERF_DONE, already
// sent); the server must serve it once IPERF_DONE is read (it waits up to 1 s),
// not answer "busy". The soak met this race 3 times in 2000 tests on a loaded
// machine; a shell loop of `-n 1M -R` clients, 39 times in 1500 (iperf3 3.12:
// 2 in 500). Here it is made deterministic by holding IPERF_DONE back.
TEST(Soak, ClientArrivingBeforeTheLastIperfDoneIsServed) {
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 10s));
  {
    HeldClient held(port);
    held.play();
    ASSERT_TRUE(held.ready());
    Process next({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-n", "1M", "-R"});
    std::this_thread::sleep_for(300ms);
    held.send_done();
    ProcessResult r = next.wait(20s);
    EXPECT_EQ(r.exit_code, 0) << r.err;
  }
  server.signal(SIGTERM);
  ProcessResult srv = server.wait(20s);
  EXPECT_FALSE(srv.timed_out) << "server ignored SIGTERM";
  EXPECT_EQ(srv.exit_code, 0) << srv.err.substr(0, 4000);
}

}  // namespace
}  // namespace nperf::test
