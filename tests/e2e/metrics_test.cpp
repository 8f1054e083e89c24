// --metrics (issue #15): a server's OpenMetrics endpoint, scraped during and
// after real tests, agrees with the tests' own reports; hostile HTTP (garbage,
// a giant header, a slowloris that never finishes its request) does not
// disturb a running test nor the next scrape.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "e2e/peer_pair.hpp"
#include "e2e/process.hpp"

namespace nperf::test {
namespace {

using namespace std::chrono_literals;

// The value of the first sample whose line starts with `prefix` (name and
// labels and the space), or -1.
double sample(const std::string& text, const std::string& prefix) {
  size_t at = text.find("\n" + prefix);
  if (at == std::string::npos) return -1;
  // `prefix` ends with the space before the value.
  size_t start = at + 1 + prefix.size();
  return std::stod(text.substr(start, text.find('\n', start) - start));
}

// A raw connection that sends `bytes` and then whatever the test says.
int connect_raw(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// GET /metrics as Prometheus would; the body, or "" on any failure. The
// status line and content type are checked here, once for every scrape.
std::string scrape(int port) {
  int fd = connect_raw(port);
  if (fd < 0) return "";
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n";
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string reply;
  char buffer[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10'000) <= 0) break;  // the server closes after one answer
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  size_t body = reply.find("\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("Content-Type: application/openmetrics-text"), std::string::npos);
  if (body == std::string::npos || reply.rfind("HTTP/1.1 200", 0) != 0) return "";
  return reply.substr(body + 4);
}

TEST(Metrics, ScrapedDuringAndAfterTestsMatchTheirReports) {
  int port = free_port(), metrics_port = free_port();
  while (metrics_port == port) metrics_port = free_port();
  Process server({NPERF_BINARY, "-s", "-p", std::to_string(port), "--metrics",
                  "127.0.0.1:" + std::to_string(metrics_port)});
  ASSERT_TRUE(wait_for_listener(port, 5s));
  ASSERT_TRUE(wait_for_listener(metrics_port, 5s));
  std::string before = scrape(metrics_port);
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(sample(before, "nperf_tests_total "), 0);
  EXPECT_EQ(before.substr(before.size() - 6), "# EOF\n");

  // A 3 s test; hostile HTTP and a scrape while it runs.
  Process client(
      {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "3", "-J", "-T", "pod-a"});
  std::this_thread::sleep_for(1200ms);
  int garbage = connect_raw(metrics_port);
  ASSERT_GE(garbage, 0);
  const std::string junk = "\x16\x03\x01 not http at all\r\n\r\n";
  ASSERT_GT(::send(garbage, junk.data(), junk.size(), MSG_NOSIGNAL), 0);
  int giant = connect_raw(metrics_port);
  ASSERT_GE(giant, 0);
  std::string header = "GET /metrics HTTP/1.1\r\nX-Big: " + std::string(200 * 1024, 'a') + "\r\n\r\n";
  ::send(giant, header.data(), header.size(), MSG_NOSIGNAL);  // the server may close before all is sent
  int slowloris = connect_raw(metrics_port);
  ASSERT_GE(slowloris, 0);
  const std::string partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n";  // never finished
  ASSERT_GT(::send(slowloris, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
  std::string during = scrape(metrics_port);
  ASSERT_FALSE(during.empty()) << "a scrape beside garbage, a giant header and a slowloris got no answer";
  EXPECT_EQ(sample(during, "nperf_tests_active "), 1) << during;
  EXPECT_EQ(sample(during, "nperf_tests_total "), 1);

  ProcessResult done = client.wait(30s);
  ASSERT_EQ(done.exit_code, 0) << done.err;
  nlohmann::json doc = nlohmann::json::parse(done.out);
  for (int fd : {garbage, giant, slowloris}) ::close(fd);
  // sum_received is the receiving end's own count: the server's, as the client prints it.
  uint64_t server_received = doc.at("end").at("sum_received").at("bytes").get<uint64_t>();
  ASSERT_GT(server_received, 0u);

  // The finished test, as the server recorded it (it may take a moment after
  // the client's exit for the server to close the test).
  std::string after;
  for (int i = 0; i < 50; ++i) {
    after = scrape(metrics_port);
    if (sample(after, "nperf_tests_finished_total ") == 1) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(sample(after, "nperf_tests_active "), 0) << after;
  EXPECT_EQ(sample(after, "nperf_data_bytes_total{direction=\"received\"} "),
            static_cast<double>(server_received))
      << after;
  std::smatch m;
  std::regex last(
      R"re(nperf_last_test_received_bits_per_second\{test="1",port="(\d+)",client="127\.0\.0\.1",)re"
      R"re(client_port="\d+",title="pod-a",protocol="tcp",direction="forward",verdict="([a-zA-Z-]*)",)re"
      R"re(error=""\} (\d+))re");
  ASSERT_TRUE(std::regex_search(after, m, last)) << after;
  EXPECT_EQ(m[1].str(), std::to_string(port));
  // The rate the client printed for the receiver is the server's own measurement.
  double reported = doc.at("end").at("sum_received").at("bits_per_second").get<double>();
  EXPECT_NEAR(std::stod(m[3].str()), reported, reported * 0.01 + 1);
  // The server draws its verdict from both halves after the exchange, as the client does.
  EXPECT_FALSE(m[2].str().empty()) << "no verdict label";

  // A client turned away is counted as busy; a second test is counted too.
  ProcessResult second = run_process(
      {NPERF_BINARY, "-c", "127.0.0.1", "-p", std::to_string(port), "-t", "1", "-u", "-b", "10M"}, 30s);
  EXPECT_EQ(second.exit_code, 0) << second.err;
  std::string last_scrape;
  for (int i = 0; i < 50; ++i) {
    last_scrape = scrape(metrics_port);
    if (sample(last_scrape, "nperf_tests_finished_total ") == 2) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(sample(last_scrape, "nperf_tests_finished_total "), 2) << last_scrape;
  EXPECT_NE(last_scrape.find("protocol=\"udp\""), std::string::npos);
}

TEST(Metrics, BadListenAddressIsAClearError) {
  ProcessResult r = run_process(
      {NPERF_BINARY, "-s", "-1", "-p", std::to_string(free_port()), "--metrics", "::1:9100", "-J"}, 10s);
  EXPECT_EQ(r.exit_code, 1);
  nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << r.out;
  EXPECT_NE(doc.value("error", "").find("[ADDR]:PORT"), std::string::npos) << r.out;
  ProcessResult client = run_process({NPERF_BINARY, "-c", "127.0.0.1", "--metrics", "9100"}, 10s);
  EXPECT_EQ(client.exit_code, 2);
  EXPECT_NE(client.err.find("--metrics is a server option"), std::string::npos) << client.err;
}

}  // namespace
}  // namespace nperf::test
