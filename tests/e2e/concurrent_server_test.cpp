// One nperf server serving several tests at once (issue #14): port ranges,
// --max-tests, connections that are not yet tests, killed clients. Debian's
// iperf3 3.12 is the main client (it is what people run against a node's
// server); the rates are bounded so that the slowest peer keeps up on a busy
// machine: these tests check bytes and behaviour, never speed.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// iperf3's path; "" (the test skips) where it is missing, a failure in CI.
std::string iperf3_or_skip() {
  std::string path = find_program("iperf3");
  if (path.empty() && running_in_ci())
    ADD_FAILURE() << "iperf3 is not installed, and CI must run these tests";
  return path;
}

bool port_is_free(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

// `count` consecutive ports that were free a moment ago.
int free_port_range(int count) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    int base = free_port();
    bool all = base + count <= 65535;
    for (int p = base + 1; all && p < base + count; ++p) all = port_is_free(p);
    if (all) return base;
  }
  return 0;
}

// A server's -J output holds one document per test (each printed whole at
// its end): they start with a '{' line and end with a '}' line.
std::vector<json> documents(const std::string& out) {
  std::vector<json> docs;
  std::istringstream in(out);
  std::string line, chunk;
  while (std::getline(in, line)) {
    chunk += line + "\n";
    if (line == "}") {
      docs.push_back(json::parse(chunk, nullptr, false));
      chunk.clear();
    }
  }
  return docs;
}

const json* server_test_of(const json& doc) {
  if (!doc.is_object() || !doc.contains("end") || !doc["end"].contains("nperf")) return nullptr;
  const json& ext = doc["end"]["nperf"];
  return ext.contains("server_test") ? &ext["server_test"] : nullptr;
}

// A raw TCP connection to the server that sends `bytes` and then stays silent.
class SilentConnection {
 public:
  SilentConnection(int port, const std::string& bytes) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                 (bytes.empty() || ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
                                       static_cast<ssize_t>(bytes.size()));
  }
  ~SilentConnection() { ::close(fd_); }
  bool connected() const { return connected_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

std::vector<std::string> iperf3_client(const std::string& iperf3, int port, std::vector<std::string> args) {
  std::vector<std::string> argv = {iperf3, "-c", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

std::vector<std::string> nperf_client(int port, std::vector<std::string> args) {
  std::vector<std::string> argv = {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port)};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// What the client sent agrees with what the server's report of the same test
// received (TCP, client to server).
void expect_client_matches_server_test(const json& client, const json& server, const std::string& what) {
  expect_sent_matches_received(sent_bytes(client), received_bytes(server), tcp_unread_ceiling(), what);
}

TEST(ConcurrentServer, ThreeIperf3ClientsOnThreePortsOfOneServer) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  const int base = free_port_range(3);
  ASSERT_NE(base, 0) << "no three consecutive free ports";
  const std::string range = fmt::format("{}-{}", base, base + 2);
  Process server({NPERF_BINARY, "-s", "-p", range, "-J"});
  for (int p = base; p < base + 3; ++p) ASSERT_TRUE(wait_for_listener(p, 5s)) << "port " << p;
  std::vector<std::unique_ptr<Process>> clients;
  for (int p = base; p < base + 3; ++p)
    clients.push_back(std::make_unique<Process>(iperf3_client(iperf3, p, {"-t", "5", "-b", "1G", "-J"})));
  std::map<int, json> by_port;
  for (int i = 0; i < 3; ++i) {
    ProcessResult r = clients[i]->wait(30s);
    ASSERT_EQ(r.exit_code, 0) << "client on port " << base + i << ": " << r.err << r.out.substr(0, 2000);
    json doc = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.out.substr(0, 2000);
    ASSERT_FALSE(doc.contains("error")) << doc["error"];
    by_port[base + i] = doc;
  }
  std::this_thread::sleep_for(300ms);  // the last test's document is written when its IPERF_DONE came
  server.signal(SIGTERM);
  ProcessResult srv = server.wait(10s);
  std::vector<json> docs = documents(srv.out);
  ASSERT_EQ(docs.size(), 3u) << srv.out.substr(0, 4000);
  std::set<int> ids, ports;
  for (const json& doc : docs) {
    ASSERT_FALSE(doc.is_discarded());
    const json* t = server_test_of(doc);
    ASSERT_NE(t, nullptr) << doc["end"].dump().substr(0, 2000);
    const int port = (*t)["port"].get<int>();
    ids.insert((*t)["id"].get<int>());
    ports.insert(port);
    EXPECT_EQ((*t)["other_tests"], 2) << "the three tests overlapped in time: " << t->dump();
    EXPECT_GT((*t)["other_bits_per_second"].get<double>(), 0) << t->dump();
    ASSERT_TRUE(by_port.count(port)) << port;
    EXPECT_EQ(doc["start"]["connected"][0]["local_port"], port);
    expect_client_matches_server_test(by_port[port], doc, fmt::format("test on port {}", port));
  }
  EXPECT_EQ(ids, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(ports, (std::set<int>{base, base + 1, base + 2}));
}

// Three tests at once on one port (TCP and UDP, -R and --bidir among them),
// first three iperf3 3.12 clients, then three nperf clients; each time a
// fourth client, of the other kind, is told the server is busy (exit 1).
TEST(ConcurrentServer, MaxTestsThreeServesThreeAtOnceAndTurnsAFourthAway) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  const int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--max-tests", "3"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  const std::vector<std::vector<std::string>> rounds[2] = {
      {iperf3_client(iperf3, port, {"-t", "3", "-b", "500M", "-J"}),
       iperf3_client(iperf3, port, {"-t", "3", "-u", "-b", "20M", "-J"}),
       iperf3_client(iperf3, port, {"-t", "3", "-b", "500M", "-R", "-J"})},
      {nperf_client(port, {"-t", "3", "-b", "500M", "-J"}),
       nperf_client(port, {"-t", "3", "-u", "-b", "20M", "-J"}),
       nperf_client(port, {"-t", "3", "-b", "300M", "--bidir", "-J"})}};
  const std::vector<std::string> fourth[2] = {nperf_client(port, {"-t", "1"}),
                                              iperf3_client(iperf3, port, {"-t", "1"})};
  for (int round = 0; round < 2; ++round) {
    std::vector<std::unique_ptr<Process>> clients;
    for (const auto& argv : rounds[round]) clients.push_back(std::make_unique<Process>(argv));
    std::this_thread::sleep_for(1500ms);  // all three are running (3 s tests)
    ProcessResult turned_away = run_process(fourth[round], 10s);
    EXPECT_EQ(turned_away.exit_code, 1) << "round " << round << ": " << turned_away.out << turned_away.err;
    EXPECT_NE((turned_away.out + turned_away.err).find("busy"), std::string::npos)
        << turned_away.out << turned_away.err;
    for (size_t i = 0; i < clients.size(); ++i) {
      ProcessResult r = clients[i]->wait(30s);
      EXPECT_EQ(r.exit_code, 0) << "round " << round << " client " << i << ": " << r.err
                                << r.out.substr(0, 2000);
      json doc = json::parse(r.out, nullptr, false);
      ASSERT_FALSE(doc.is_discarded()) << r.out.substr(0, 2000);
      EXPECT_FALSE(doc.contains("error")) << doc.value("error", "");
      EXPECT_GT(received_bytes(doc) + sent_bytes(doc), 0u) << "round " << round << " client " << i;
      if (round == 1) {  // an nperf client learns from the server what ran beside its test
        const json* t = server_test_of(doc);
        ASSERT_NE(t, nullptr) << doc["end"].dump().substr(0, 1000);
        EXPECT_EQ((*t)["other_tests"], 2) << t->dump();
      }
    }
  }
  server.signal(SIGTERM);
  EXPECT_FALSE(server.wait(10s).timed_out);
}

// A connection that never sends its cookie, and one that stops halfway
// through its parameters, hold no slot: a real client is served at once,
// with the default --max-tests 1 as with more.
TEST(ConcurrentServer, SilentAndHalfSentConnectionsMakeNobodyBusy) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  for (const char* max_tests : {"1", "3"}) {
    const int port = free_port();
    Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--max-tests", max_tests});
    ASSERT_TRUE(wait_for_listener(port, 5s));
    const std::string cookie = "halfhalfhalfhalfhalfhalfhalfhalfhalf" + std::string(1, '\0');
    const std::string params = R"({"tcp":true,"omit":0,"time":10,"parallel":1,"len":131072})";
    std::string half = cookie;
    const uint32_t length = htonl(static_cast<uint32_t>(params.size()));
    half.append(reinterpret_cast<const char*>(&length), 4);
    half += params.substr(0, params.size() / 2);
    SilentConnection silent(port, "");
    SilentConnection halfway(port, half);
    ASSERT_TRUE(silent.connected());
    ASSERT_TRUE(halfway.connected());
    std::this_thread::sleep_for(300ms);  // both are accepted and waiting before the real client comes
    auto start = std::chrono::steady_clock::now();
    ProcessResult r = run_process(iperf3_client(iperf3, port, {"-t", "1", "-b", "200M"}), 20s);
    auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    EXPECT_EQ(r.exit_code, 0) << "--max-tests " << max_tests << ": " << r.out << r.err;
    // The handshake deadlines are 10 s: a client that waited for them would take over 10 s.
    EXPECT_LT(took, 8s) << "--max-tests " << max_tests;
    server.signal(SIGTERM);
    EXPECT_FALSE(server.wait(10s).timed_out);
  }
}

TEST(ConcurrentServer, AClientKilledMidTestLeavesTheOthersAlone) {
  std::string iperf3 = iperf3_or_skip();
  if (iperf3.empty()) GTEST_SKIP() << "iperf3 is not installed";
  const int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--max-tests", "3", "-J"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process a(iperf3_client(iperf3, port, {"-t", "4", "-b", "500M", "-J"}));
  Process b(nperf_client(port, {"-t", "4", "-b", "500M", "-J"}));
  {
    Process victim(nperf_client(port, {"-t", "10", "-P", "2", "-b", "300M"}));
    std::this_thread::sleep_for(1500ms);
    victim.signal(SIGKILL);
    victim.wait(5s);
  }
  std::map<int, json> clients;  // by the client's control port as the server saw it
  for (Process* p : {&a, &b}) {
    ProcessResult r = p->wait(30s);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out.substr(0, 2000);
    json doc = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    ASSERT_FALSE(doc.contains("error")) << doc["error"];
    clients[doc["start"]["connected"][0]["local_port"].get<int>()] = doc;
  }
  std::this_thread::sleep_for(300ms);
  server.signal(SIGTERM);
  ProcessResult srv = server.wait(10s);
  int matched = 0;
  for (const json& doc : documents(srv.out)) {
    if (doc.is_discarded() || !doc.contains("start") || doc["start"]["connected"].empty()) continue;
    int remote = doc["start"]["connected"][0]["remote_port"].get<int>();
    if (!clients.count(remote)) continue;  // the killed client's test
    ++matched;
    expect_client_matches_server_test(clients[remote], doc, fmt::format("client port {}", remote));
  }
  EXPECT_EQ(matched, 2) << srv.out.substr(0, 4000);
}

// --csv on a server running tests at once: one table (one header), each
// test's summary rows tagged with its test id, port and what ran beside it.
TEST(ConcurrentServer, CsvIsOneTableWithEachTestTagged) {
  const int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--max-tests", "2", "--csv"});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process a(nperf_client(port, {"-t", "2", "-b", "200M"}));
  Process b(nperf_client(port, {"-t", "2", "-b", "200M"}));
  EXPECT_EQ(a.wait(20s).exit_code, 0);
  EXPECT_EQ(b.wait(20s).exit_code, 0);
  std::this_thread::sleep_for(300ms);
  server.signal(SIGTERM);
  ProcessResult srv = server.wait(10s);
  std::istringstream in(srv.out);
  std::string line;
  int headers = 0;
  std::set<std::string> tests;
  while (std::getline(in, line)) {
    if (line.rfind("timestamp,", 0) == 0) {
      ++headers;
      EXPECT_TRUE(line.ends_with(",server_test,server_port,other_tests,other_bits_per_second")) << line;
      continue;
    }
    if (line.find(",summary,") == std::string::npos) continue;
    // ...,server_test,server_port,other_tests,other_bits_per_second
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    if (line.back() == ',') cells.push_back("");
    ASSERT_GE(cells.size(), 4u) << line;
    const size_t n = cells.size();
    EXPECT_EQ(cells[n - 3], std::to_string(port)) << line;
    EXPECT_EQ(cells[n - 2], "1") << "the other test ran beside it: " << line;
    tests.insert(cells[n - 4]);
  }
  EXPECT_EQ(headers, 1) << srv.out.substr(0, 3000);
  EXPECT_EQ(tests, (std::set<std::string>{"1", "2"})) << srv.out.substr(0, 3000);
}

// --busy-retry: a client that finds the server busy waits its turn instead of failing.
TEST(ConcurrentServer, BusyRetryWaitsForTheServer) {
  const int port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  Process first(nperf_client(port, {"-t", "2", "-b", "200M"}));
  std::this_thread::sleep_for(700ms);
  ProcessResult without = run_process(nperf_client(port, {"-t", "1"}), 10s);
  EXPECT_EQ(without.exit_code, 1) << without.err;
  ProcessResult with = run_process(nperf_client(port, {"-t", "1", "-b", "200M", "--busy-retry", "20"}), 30s);
  EXPECT_EQ(with.exit_code, 0) << with.out << with.err;
  EXPECT_NE((with.out + with.err).find("the server is busy; trying again"), std::string::npos)
      << with.out << with.err;
  EXPECT_NE(with.out.find("receiver"), std::string::npos) << with.out;
  EXPECT_EQ(first.wait(20s).exit_code, 0);
  server.signal(SIGTERM);
  EXPECT_FALSE(server.wait(10s).timed_out);
}

}  // namespace
}  // namespace nperf::test
