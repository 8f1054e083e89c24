#include "nperf/stats/metrics.hpp"

#include <gtest/gtest.h>

#include "nperf/net/http_request.hpp"
#include "nperf/net/metrics_server.hpp"

namespace nperf {
namespace {

TestRecord record(uint64_t id) {
  TestRecord r;
  r.id = id;
  r.port = 5201;
  r.client_address = "10.244.1.7";
  r.client_port = 51234;
  r.title = "node=a \"pod\"";
  r.protocol = "tcp";
  r.direction = "forward";
  r.streams = 2;
  r.seconds = 10.0;
  r.bytes_received = 1'000'000'000;
  r.received_bps = 8e8;
  r.verdict = "receiver-window-limited";
  r.end_unix_s = 1700000000.5;
  return r;
}

TEST(MetricsRegistry, CountsTestsActiveBytesAndErrors) {
  MetricsRegistry m;
  m.test_started();
  m.test_started();
  EXPECT_EQ(m.active(), 2u);
  m.test_finished(record(1));
  TestRecord failed = record(2);
  failed.error = "client_vanished";
  failed.bytes_received = 5;
  m.test_finished(failed);
  m.error("busy");
  m.error("busy");
  std::string text = m.render();
  EXPECT_NE(text.find("nperf_tests_total 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("nperf_tests_finished_total 2\n"), std::string::npos);
  EXPECT_NE(text.find("nperf_tests_active 0\n"), std::string::npos);
  EXPECT_NE(text.find("nperf_data_bytes_total{direction=\"received\"} 1000000005\n"), std::string::npos);
  EXPECT_NE(text.find("nperf_errors_total{kind=\"busy\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("nperf_errors_total{kind=\"client_vanished\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.substr(text.size() - 6), "# EOF\n");
}

TEST(MetricsRegistry, LastTestsCarryTheirLabelsEscaped) {
  MetricsRegistry m;
  m.test_started();
  m.test_finished(record(7));
  std::string text = m.render();
  EXPECT_NE(
      text.find("nperf_last_test_received_bits_per_second{test=\"7\",port=\"5201\",client=\"10.244.1.7\","
                "client_port=\"51234\",title=\"node=a \\\"pod\\\"\",protocol=\"tcp\",direction=\"forward\","
                "verdict=\"receiver-window-limited\",error=\"\"} 800000000\n"),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("# TYPE nperf_last_test_duration_seconds gauge\n# UNIT nperf_last_test_duration_seconds "
                "seconds\n"),
      std::string::npos);
}

TEST(MetricsRegistry, KeepsOnlyTheLastN) {
  MetricsRegistry m(2);
  for (uint64_t id = 1; id <= 3; ++id) {
    m.test_started();
    m.test_finished(record(id));
  }
  std::string text = m.render();
  EXPECT_EQ(text.find("test=\"1\""), std::string::npos);
  EXPECT_NE(text.find("test=\"2\""), std::string::npos);
  EXPECT_NE(text.find("test=\"3\""), std::string::npos);
}

TEST(MetricsRegistry, EscapesBackslashQuoteNewline) {
  EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
}

TEST(MetricsListenAddress, PortAloneOrWithAnAddress) {
  std::string address, error;
  int port = 0;
  ASSERT_TRUE(net::parse_listen_address("9101", &address, &port, &error)) << error;
  EXPECT_EQ(address, "");
  EXPECT_EQ(port, 9101);
  ASSERT_TRUE(net::parse_listen_address("127.0.0.1:9102", &address, &port, &error));
  EXPECT_EQ(address, "127.0.0.1");
  EXPECT_EQ(port, 9102);
  ASSERT_TRUE(net::parse_listen_address("[::1]:9103", &address, &port, &error));
  EXPECT_EQ(address, "::1");
  EXPECT_EQ(port, 9103);
}

TEST(MetricsListenAddress, RefusesWhatIsNotAddrPort) {
  std::string address, error;
  int port = 0;
  for (const char* bad : {"", "x", "0", "65536", "1.2.3.4:", "::1:9000", "[::1]9000", "9101x", ":"})
    EXPECT_FALSE(net::parse_listen_address(bad, &address, &port, &error)) << bad;
}

using net::parse_request_head;
using State = net::RequestHead::State;

TEST(HttpRequestHead, CompleteGetWithHeaders) {
  auto head = parse_request_head("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
  EXPECT_EQ(head.state, State::kComplete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/metrics?x=1");
  EXPECT_EQ(parse_request_head("GET / HTTP/1.0\r\n\r\n").state, State::kComplete);
}

TEST(HttpRequestHead, IncompleteUntilTheBlankLine) {
  EXPECT_EQ(parse_request_head("").state, State::kIncomplete);
  EXPECT_EQ(parse_request_head("GET /metr").state, State::kIncomplete);
  EXPECT_EQ(parse_request_head("GET /metrics HTTP/1.1\r\nHost: x\r\n").state, State::kIncomplete);
}

TEST(HttpRequestHead, BadRequestLinesAreBadAtOnce) {
  for (const char* bad : {"\x16\x03\x01 hello\r\n", "GET\r\n\r\n", "GET /metrics\r\n\r\n",
                          "GET  / HTTP/1.1\r\n\r\n", "GET / HTTP/2\r\n\r\n", "G\x01T / HTTP/1.1\r\n\r\n",
                          " / HTTP/1.1\r\n\r\n", "GET /a\x7f HTTP/1.1\r\n\r\n"})
    EXPECT_EQ(parse_request_head(bad).state, State::kBad) << bad;
}

TEST(HttpRequestHead, AHeadOver8KiBIsTooLarge) {
  std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(net::kMaxRequestHead, 'a');
  EXPECT_EQ(parse_request_head(big).state, State::kTooLarge);
  EXPECT_EQ(parse_request_head(big + "\r\n\r\n").state, State::kTooLarge);
}

}  // namespace
}  // namespace nperf
