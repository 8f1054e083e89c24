// End-to-end: iperf3's RSA authentication both ways against Debian's iperf3
// 3.12 (which pads with PKCS#1 v1.5, so nperf runs with --use-pkcs1-padding
// there), nperf against nperf (OAEP, iperf3 >= 3.17's default), the
// parameter errors, and the server's --allow list. Keys and users:
// tests/data/auth/README.md (mario/rossi, luigi/verdi).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

const std::string kData = std::string(NPERF_GOLDEN_DIR) + "/../data/auth/";
const std::string kPrivate = kData + "server_private.pem";
const std::string kUsers = kData + "users.csv";

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// iperf3's path; skips (fails in CI) where it is missing.
std::string iperf3_or_skip() {
  std::string path = find_program("iperf3");
  if (path.empty() && running_in_ci())
    ADD_FAILURE() << "iperf3 is not installed, and CI must run the interop tests";
  return path;
}

struct Credentials {
  std::string user = "mario";
  std::string password = "rossi";
  std::string key = "server_public.pem";
  bool pkcs1 = false;
  long clock_offset_s = 0;  // the test-only hook: shifts the time the nperf client's token claims
  std::string label;
};

ProcessResult run_client(const std::string& binary, int port, const Credentials& c,
                         const std::string& host = "127.0.0.1") {
  std::vector<std::string> argv = {"env", "IPERF3_PASSWORD=" + c.password};
  if (c.clock_offset_s) argv.push_back("NPERF_TEST_AUTH_CLOCK_OFFSET_S=" + std::to_string(c.clock_offset_s));
  std::vector<std::string> rest = {binary,       "-c", host,         "-p",   std::to_string(port),
                                   "-t",         "1",  "--username", c.user, "--rsa-public-key-path",
                                   kData + c.key};
  argv.insert(argv.end(), rest.begin(), rest.end());
  if (c.pkcs1) argv.push_back("--use-pkcs1-padding");
  return run_process(argv, 30s);
}

// Sends a parameter message the way an iperf3 client does (cookie, wait for
// PARAM_EXCHANGE, length-prefixed JSON) and returns what the server answers
// (up to 9 bytes, until it closes).
std::vector<uint8_t> send_params(int port, const std::string& json) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<uint8_t> answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    std::string cookie = "abcdefghijklmnopqrstuvwxyz234567abcd";
    ::send(fd, cookie.c_str(), cookie.size() + 1, 0);  // 36 characters and the NUL: 37 bytes
    uint8_t state = 0;
    if (::recv(fd, &state, 1, MSG_WAITALL) == 1 && state == 9) {
      uint32_t length = htonl(static_cast<uint32_t>(json.size()));
      ::send(fd, &length, 4, 0);
      ::send(fd, json.data(), json.size(), 0);
      std::array<uint8_t, 9> buffer{};
      ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_WAITALL);
      if (n > 0) answer.assign(buffer.begin(), buffer.begin() + n);
    }
  }
  ::close(fd);
  return answer;
}

TEST(Auth, NperfClientAgainstIperf3ServerPassesOnlyWithTheRightCredentials) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  int port = free_port();
  Process server({iperf3, "-s", "-p", std::to_string(port), "--rsa-private-key-path", kPrivate,
                  "--authorized-users-path", kUsers});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Credentials good;
  good.pkcs1 = true;  // 3.12 decrypts PKCS#1 v1.5 only
  ProcessResult ok = run_client(NPERF_BINARY, port, good);
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("iperf Done."), std::string::npos) << ok.out;

  std::vector<Credentials> refused(5, good);
  refused[0].password = "wrong", refused[0].label = "wrong password";
  refused[1].user = "wario", refused[1].label = "unknown user";
  refused[2].clock_offset_s = -3600, refused[2].label = "token an hour old (threshold 10 s)";
  refused[3].key = "other_public.pem", refused[3].label = "token for another key";
  refused[4].pkcs1 = false, refused[4].label = "OAEP, which 3.12 cannot decrypt";
  for (const Credentials& c : refused) {
    ProcessResult r = run_client(NPERF_BINARY, port, c);
    EXPECT_EQ(r.exit_code, 1) << c.label << "\n" << r.err;
    EXPECT_NE(r.err.find("nperf: error - the server reported an error: test authorization failed"),
              std::string::npos)
        << c.label << "\n"
        << r.err;
    EXPECT_EQ(r.out.find("connected to"), std::string::npos) << c.label << "\n" << r.out;
  }
  server.signal(SIGTERM);
  ProcessResult s = server.wait(10s);
  EXPECT_EQ(count_of(s.err, "iperf3: error - test authorization failed"), refused.size()) << s.err;
  // One test ran: one control connection accepted, one data connection.
  EXPECT_EQ(count_of(s.out, "Accepted connection from"), 1u) << s.out;
  EXPECT_EQ(count_of(s.out, "connected to"), 1u) << s.out;
}

TEST(Auth, Iperf3ClientAgainstNperfServerPassesOnlyWithTheRightCredentials) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--rsa-private-key-path", kPrivate,
                  "--authorized-users-path", kUsers, "--use-pkcs1-padding"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  ProcessResult ok = run_client(iperf3, port, Credentials{});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("iperf Done."), std::string::npos) << ok.out;

  std::vector<Credentials> refused(3);
  refused[0].password = "wrong", refused[0].label = "wrong password";
  refused[1].user = "wario", refused[1].label = "unknown user";
  refused[2].key = "other_public.pem", refused[2].label = "token for another key";
  for (const Credentials& c : refused) {
    ProcessResult r = run_client(iperf3, port, c);
    EXPECT_EQ(r.exit_code, 1) << c.label << "\n" << r.out << r.err;
    // Exactly what iperf3 3.12 prints against a 3.12 server.
    EXPECT_NE((r.out + r.err).find("iperf3: error - test authorization failed\n"), std::string::npos)
        << c.label << "\n"
        << r.out << r.err;
  }
  // A token iperf3 3.12 made long ago (tests/data/auth), replayed: past the
  // skew threshold. The answer is 3.12's: SERVER_ERROR (-2), IEAUTHTEST (142),
  // then errno 0 (3.12 sends no errno; its clients read EOF there as 0).
  std::string captured = read_file(kData + "iperf3_312_params.json");
  ASSERT_NE(captured.find("authtoken"), std::string::npos);
  EXPECT_EQ(send_params(port, captured), (std::vector<uint8_t>{0xfe, 0, 0, 0, 142, 0, 0, 0, 0}));

  server.signal(SIGTERM);
  ProcessResult s = server.wait(10s);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(count_of(s.err, "nperf: error - test authorization failed: "), 4u) << s.err;
  EXPECT_EQ(count_of(s.err, "unknown user or wrong password"), 2u) << s.err;
  EXPECT_EQ(count_of(s.err, "does not decrypt with this server's key"), 1u) << s.err;
  EXPECT_EQ(count_of(s.err, "s from this server's clock (--time-skew-threshold 10)"), 1u) << s.err;
  EXPECT_EQ(count_of(s.out, "Accepted connection from"), 1u) << s.out;
  EXPECT_EQ(count_of(s.out, "connected to"), 1u) << s.out;
}

TEST(Auth, NperfBothEndsUseOaepAndAOneOffServerRefusingExitsOne) {
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--rsa-private-key-path", kPrivate,
                  "--authorized-users-path", kUsers});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  // The password from a file (a Kubernetes Secret mount), with echo's newline.
  std::string password_file = ::testing::TempDir() + "nperf_e2e_password_" + std::to_string(getpid());
  std::ofstream(password_file) << "verdi\n";
  ProcessResult ok = run_process(
      {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "1", "--username", "luigi",
       "--rsa-public-key-path", kData + "server_public.pem", "--password-file", password_file},
      30s);
  std::remove(password_file.c_str());
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  Credentials stale, pkcs1;
  stale.clock_offset_s = 3600;  // a client clock an hour ahead
  pkcs1.pkcs1 = true;           // the other padding than the server's
  for (const Credentials* c : {&stale, &pkcs1}) {
    ProcessResult r = run_client(NPERF_BINARY, port, *c);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("test authorization failed"), std::string::npos) << r.err;
  }
  server.signal(SIGTERM);
  ProcessResult s = server.wait(10s);
  EXPECT_EQ(count_of(s.err, "test authorization failed"), 2u) << s.err;
  EXPECT_EQ(count_of(s.out, "connected to"), 1u) << s.out;

  port = free_port();
  Process one_off({NPERF_BINARY, "-s", "-1", "-p", std::to_string(port), "--rsa-private-key-path", kPrivate,
                   "--authorized-users-path", kUsers});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Credentials wrong;
  wrong.password = "wrong";
  ProcessResult r = run_client(NPERF_BINARY, port, wrong);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  s = one_off.wait(10s);
  EXPECT_EQ(s.exit_code, 1) << s.err;
  EXPECT_NE(s.err.find("test authorization failed: user 'mario'"), std::string::npos) << s.err;
  EXPECT_EQ(s.out.find("connected to"), std::string::npos) << s.out;
}

TEST(Auth, AServerWithAuthenticationRefusesAClientWithout) {
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", std::to_string(port), "--rsa-private-key-path", kPrivate,
                  "--authorized-users-path", kUsers});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  ProcessResult r =
      run_process({NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "1"}, 30s);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("test authorization failed"), std::string::npos) << r.err;
  ProcessResult s = server.wait(10s);
  EXPECT_NE(s.err.find("the client sent no authtoken"), std::string::npos) << s.err;
}

TEST(Auth, BadOptionsAreParameterErrors) {
  const std::string pub = kData + "server_public.pem";
  struct Case {
    std::vector<std::string> args;
    std::string env;  // IPERF3_PASSWORD, when set
    std::string expected;
  } cases[] = {
      {{"-c", "127.0.0.1", "--username", "mario"},
       "rossi",
       "needs both --username and --rsa-public-key-path"},
      {{"-c", "127.0.0.1", "--rsa-public-key-path", pub}, "rossi", "needs both"},
      {{"-c", "127.0.0.1", "--rsa-private-key-path", kPrivate},
       "",
       "--rsa-private-key-path is a server option"},
      {{"-c", "127.0.0.1", "--allow", "127.0.0.1"}, "", "--allow is a server option"},
      {{"-s", "--username", "mario"}, "", "--username is a client option"},
      {{"-s", "--rsa-private-key-path", kPrivate},
       "",
       "needs both --rsa-private-key-path and --authorized-users-path"},
      {{"-s", "--time-skew-threshold", "0", "--rsa-private-key-path", kPrivate, "--authorized-users-path",
        kUsers},
       "",
       "time-skew-threshold"},
      {{"-c", "127.0.0.1", "--username", "mario", "--rsa-public-key-path", pub}, "", "no password"},
      {{"-c", "127.0.0.1", "--username", "mario", "--rsa-public-key-path", pub}, "two words", "whitespace"},
      {{"-c", "127.0.0.1", "--username", "mario", "--rsa-public-key-path", kData + "missing.pem"},
       "rossi",
       "cannot read the key file"},
      {{"-c", "127.0.0.1", "--username", "mario", "--rsa-public-key-path", kPrivate},
       "rossi",
       "not a PEM public key"},
      {{"-s", "--rsa-private-key-path", pub, "--authorized-users-path", kUsers}, "", "private key"},
      {{"-s", "--rsa-private-key-path", kPrivate, "--authorized-users-path", kData + "missing.csv"},
       "",
       "cannot read the authorized users file"},
      {{"-s", "--allow", "10.0.0.1/8"}, "", "--allow: '10.0.0.1/8' has bits set"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {"env", "-u", "IPERF3_PASSWORD"};
    if (!c.env.empty()) argv = {"env", "IPERF3_PASSWORD=" + c.env};
    argv.push_back(NPERF_BINARY);
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    ProcessResult r = run_process(argv, 10s);
    EXPECT_EQ(r.exit_code, 2) << c.expected << "\n" << r.err;
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
  }
}

TEST(Auth, AllowRefusesAddressesOutsideTheListBeforeReadingAndServesThoseInside) {
  std::string iperf3 = find_program("iperf3");
  int port = free_port();
  Process server({NPERF_BINARY, "-s", "-1", "-p", std::to_string(port), "--allow", "127.0.0.2/32"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  std::vector<std::string> client = {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "1"};
  ProcessResult r = run_process(client, 30s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out.find("connected to"), std::string::npos) << r.out;
  if (!iperf3.empty()) {
    r = run_process({iperf3, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "1"}, 30s);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  }
  server.signal(SIGTERM);  // -1 is still waiting: a refused connection is no test
  ProcessResult s = server.wait(10s);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  // Counted, but logged once a minute per source.
  EXPECT_EQ(count_of(s.err, "not in --allow"), 1u) << s.err;
  EXPECT_NE(s.err.find("refused 1 connection from 127.0.0.1: not in --allow"), std::string::npos) << s.err;
  EXPECT_EQ(s.out.find("Accepted connection"), std::string::npos) << s.out;

  // ::1 is outside 127.0.0.0/8 (IPv4-mapped clients are matched as IPv4).
  port = free_port();
  Process inside({NPERF_BINARY, "-s", "-1", "-p", std::to_string(port), "--allow", "127.0.0.0/8"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  r = run_process({NPERF_BINARY, "-c", "::1", "-p", std::to_string(port), "-t", "1"}, 30s);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  client[4] = std::to_string(port);
  r = run_process(client, 30s);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("iperf Done."), std::string::npos) << r.out;
  s = inside.wait(10s);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_NE(s.err.find("refused 1 connection from ::1: not in --allow"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace nperf::test
