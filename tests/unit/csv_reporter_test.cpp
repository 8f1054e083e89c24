#include "nperf/report/csv_reporter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

// --csv rows built from hand-made report models (the numbers are arbitrary;
// what is checked is which rows appear, in which order, and each column).
namespace nperf::report {
namespace {

using namespace std::chrono;

struct Captured {
  std::string out, err;
};

CsvOptions options(bool server, std::string title = "") {
  CsvOptions o;
  o.role = server ? Role::kServer : Role::kClient;
  o.title = std::move(title);
  o.now = [] {
    return system_clock::time_point(milliseconds(1'764'158'400'250));
  };  // 2025-11-26T12:00:00.250Z
  return o;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TestStartInfo start(bool server, Direction direction, Protocol protocol = Protocol::kTcp) {
  TestStartInfo s;
  s.is_server = server;
  s.host = server ? "::ffff:10.0.0.2" : "10.0.0.3";
  s.port = server ? 40000 : 5101;
  s.spec.direction = direction;
  s.spec.protocol = protocol;
  return s;
}

IntervalStream tcp_sender(int socket, double start, double end, uint64_t bytes) {
  IntervalStream s;
  s.socket = socket;
  s.start = start;
  s.end = end;
  s.seconds = end - start;
  s.bytes = bytes;
  s.sender = true;
  s.has_tcp_info = true;
  s.retransmits = 2;
  s.snd_cwnd = 65536;
  s.rtt = 84;
  s.cpu = 3;
  return s;
}

EndStream end_stream(int socket, bool local_sender, bool forward, uint64_t sent, uint64_t received) {
  EndStream e;
  e.info.socket = socket;
  e.info.sender = local_sender;
  e.info.forward = forward;
  e.sender_known = e.receiver_known = true;
  e.sent_bytes = sent;
  e.sender_seconds = 2;
  e.received_bytes = received;
  e.receiver_seconds = 2;
  e.has_retransmits = true;
  e.retransmits = 4;
  e.max_snd_cwnd = 131072;
  e.mean_rtt = 90;
  return e;
}

TEST(CsvReporter, TcpClientIntervalsAndSummaryWithOneHeader) {
  Captured c;
  CsvReporter r(
      options(false, "rack 3, port 7"), [&](std::string_view s) { c.out += s; },
      [&](std::string_view s) { c.err += s; });
  r.on_connected(start(false, Direction::kForward));
  IntervalReport iv;
  iv.streams = {tcp_sender(5, 0, 1, 1'000'000), tcp_sender(7, 0, 1, 3'000'000)};
  iv.sum.start = 0;
  iv.sum.end = iv.sum.seconds = 1;
  iv.sum.bytes = 4'000'000;
  iv.sum.sender = true;
  iv.sum.has_retransmits = true;
  iv.sum.retransmits = 4;
  r.on_interval(iv);
  EndReport end;
  end.direction = Direction::kForward;
  end.streams = {end_stream(5, true, true, 2'000'000, 1'999'000)};
  end.sum = sum_streams(end.streams, true);
  Verdict v;
  v.cause = Bottleneck::kReceiverWindow;
  end.streams[0].verdict = v;
  end.verdict = v;
  r.on_end(end);
  r.on_finish();
  // A second test on the same reporter (a server's next client) adds rows, not a header.
  r.on_connected(start(false, Direction::kForward));
  r.on_interval(iv);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 3 + 4 + 3);
  EXPECT_EQ(rows[0], kCsvHeader);
  const std::string lead = "2025-11-26T12:00:00.250Z,\"rack 3, port 7\",client,10.0.0.3,5101,tcp,";
  EXPECT_EQ(rows[1],
            lead + "interval,5,forward,sender,0.000,1.000,1.000,1000000,8000000,2,65536,84,,,,,0,3,,,,,,,,,");
  EXPECT_EQ(
      rows[2],
      lead + "interval,7,forward,sender,0.000,1.000,1.000,3000000,24000000,2,65536,84,,,,,0,3,,,,,,,,,");
  EXPECT_EQ(rows[3],
            lead + "interval,sum,forward,sender,0.000,1.000,1.000,4000000,32000000,4,,,,,,,0,,,,,,,,,,");
  EXPECT_EQ(rows[4], lead +
                         "summary,5,forward,sender,0.000,2.000,2.000,2000000,8000000,4,131072,90,,,,,,,"
                         "receiver-window-limited,,,,,,,,");
  EXPECT_EQ(rows[5], lead +
                         "summary,5,forward,receiver,0.000,2.000,2.000,1999000,7996000,,,,,,,,,,receiver-"
                         "window-limited,,,,,,,,");
  EXPECT_EQ(rows[6], lead +
                         "summary,sum,forward,sender,0.000,2.000,2.000,2000000,8000000,4,,,,,,,,,receiver-"
                         "window-limited,,,,,,,,");
  EXPECT_EQ(rows[7], lead +
                         "summary,sum,forward,receiver,0.000,2.000,2.000,1999000,7996000,,,,,,,,,,receiver-"
                         "window-limited,,,,,,,,");
  EXPECT_EQ(c.err, "");
  // Every row has as many cells as the header (the quoted title holds a comma).
  const auto header_commas = std::count(rows[0].begin(), rows[0].end(), ',');
  for (size_t i = 1; i < rows.size(); ++i)
    EXPECT_EQ(std::count(rows[i].begin(), rows[i].end(), ','), header_commas + 1) << rows[i];
}

TEST(CsvReporter, UdpReceivingServerRowsCarryLossAndJitter) {
  // A server receiving a forward UDP test: its rows say forward, receiver; its
  // summary has only the receiver's half (it prints before the results exchange).
  Captured c;
  CsvReporter r(
      options(true), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(true, Direction::kForward, Protocol::kUdp));
  IntervalReport iv;
  IntervalStream s;
  s.socket = 11;
  s.end = s.seconds = 1;
  s.bytes = 140'000;
  s.udp = true;
  s.packets = 100;
  s.lost_packets = 2;
  s.lost_percent = 2;
  s.jitter_ms = 0.25;
  iv.streams = {s};
  iv.sum.end = iv.sum.seconds = 1;
  iv.sum.bytes = 140'000;
  iv.sum.udp = true;
  iv.sum.packets = 100;
  iv.sum.lost_packets = 2;
  iv.sum.lost_percent = 2;
  iv.sum.jitter_ms = 0.25;
  r.on_interval(iv);
  EndReport end;
  end.is_server = true;
  EndStream e;
  e.info.socket = 11;
  e.info.forward = true;
  e.udp = true;
  e.receiver_known = true;  // the client's (sender's) half comes only with the results
  e.received_bytes = 140'000;
  e.receiver_seconds = 1;
  e.receiver_packets = 100;
  e.lost_packets = 2;
  e.jitter_ms = 0.25;
  end.streams = {e};
  end.sum = sum_streams(end.streams, true);
  r.on_end(end);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 2 + 2);
  const std::string lead = "2025-11-26T12:00:00.250Z,,server,::ffff:10.0.0.2,40000,udp,";
  EXPECT_EQ(
      rows[1],
      lead +
          "interval,11,forward,receiver,0.000,1.000,1.000,140000,1120000,,,,100,2,2.000,0.250,0,,,,,,,,,,");
  EXPECT_EQ(
      rows[2],
      lead +
          "interval,sum,forward,receiver,0.000,1.000,1.000,140000,1120000,,,,100,2,2.000,0.250,0,,,,,,,,,,");
  EXPECT_EQ(
      rows[3],
      lead + "summary,11,forward,receiver,0.000,1.000,1.000,140000,1120000,,,,100,2,2.000,0.250,,,,,,,,,,,");
  EXPECT_EQ(
      rows[4],
      lead + "summary,sum,forward,receiver,0.000,1.000,1.000,140000,1120000,,,,100,2,2.000,0.250,,,,,,,,,,,");
}

TEST(CsvReporter, BidirClientNamesBothDirections) {
  Captured c;
  CsvReporter r(
      options(false), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(false, Direction::kBidir));
  IntervalReport iv;
  IntervalStream rx;
  rx.socket = 7;
  rx.end = rx.seconds = 1;
  rx.bytes = 10;
  iv.streams = {tcp_sender(5, 0, 1, 20), rx};
  iv.sum.end = iv.sum.seconds = 1;
  iv.sum.bytes = 20;
  iv.sum.sender = true;
  IntervalSum back;
  back.end = back.seconds = 1;
  back.bytes = 10;
  iv.sum_reverse = back;
  r.on_interval(iv);
  EndReport end;
  end.direction = Direction::kBidir;
  end.streams = {end_stream(5, true, true, 20, 20), end_stream(7, false, false, 10, 10)};
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  r.on_end(end);
  std::vector<std::string> keys;  // kind,stream,direction,side
  for (const auto& row : lines_of(c.out)) {
    std::vector<std::string> cells;
    std::istringstream in(row);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    if (cells.size() > 9) keys.push_back(cells[6] + " " + cells[7] + " " + cells[8] + " " + cells[9]);
  }
  const std::vector<std::string> expected = {
      "kind stream direction side",  "interval 5 forward sender",     "interval 7 reverse receiver",
      "interval sum forward sender", "interval sum reverse receiver", "summary 5 forward sender",
      "summary 5 forward receiver",  "summary 7 reverse sender",      "summary 7 reverse receiver",
      "summary sum forward sender",  "summary sum forward receiver",  "summary sum reverse sender",
      "summary sum reverse receiver"};
  EXPECT_EQ(keys, expected);
}

TEST(CsvReporter, ReverseClientSummaryHasThePeersSenderHalfWithoutCwndOrRtt) {
  // -R: the server sent; its results carry bytes and retransmits, no TCP_INFO.
  Captured c;
  CsvReporter r(
      options(false), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(false, Direction::kReverse));
  EndReport end;
  end.direction = Direction::kReverse;
  EndStream e = end_stream(5, false, false, 2'000'000, 1'999'000);
  e.max_snd_cwnd = 0;  // as TestRun leaves them for a remote sender
  e.mean_rtt = 0;
  end.streams = {e};
  end.sum = sum_streams(end.streams, false);
  r.on_end(end);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 4);
  const std::string lead = "2025-11-26T12:00:00.250Z,,client,10.0.0.3,5101,tcp,";
  EXPECT_EQ(rows[1], lead + "summary,5,reverse,sender,0.000,2.000,2.000,2000000,8000000,4,,,,,,,,,,,,,,,,,");
  EXPECT_EQ(rows[2], lead + "summary,5,reverse,receiver,0.000,2.000,2.000,1999000,7996000,,,,,,,,,,,,,,,,,,");
  EXPECT_EQ(rows[3],
            lead + "summary,sum,reverse,sender,0.000,2.000,2.000,2000000,8000000,4,,,,,,,,,,,,,,,,,");
}

TEST(CsvReporter, SummaryRowsEndWithThePathColumns) {
  Captured c;
  CsvReporter r(
      options(false), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(false, Direction::kForward));
  EndReport end;
  end.streams = {end_stream(5, true, true, 2'000'000, 1'999'000)};
  end.sum = sum_streams(end.streams, true);
  PathReport p;
  p.local.local = {"198.18.0.1", 40000};
  p.local.device = {"veth0", "veth", 1400, 0};
  p.local.conntrack_before = {1, 100, 0, 0, 0};
  p.local.conntrack_after = {2, 100, 1, 0, 0};
  protocol::PathRecord server;
  server.peer = {"198.18.0.9", 61000};
  server.conntrack_before = {1, 100, 0, 5, 0};
  server.conntrack_after = {1, 100, 0, 7, 0};
  p.remote = server;
  end.path = p;
  r.on_end(end);
  auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 4);
  EXPECT_TRUE(
      rows[0].ends_with(",verdict,path_kind,path_mtu,nat,conntrack_drops,server_test,server_port,other_tests,"
                        "other_bits_per_second"))
      << rows[0];
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_TRUE(rows[i].ends_with(",veth,1400,1,3,,,,")) << rows[i];
  // An iperf3 server: NAT unknown (empty), conntrack this end's only.
  c.out.clear();
  end.path->remote.reset();
  r.on_end(end);
  rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_TRUE(rows[0].ends_with(",veth,1400,,1,,,,")) << rows[0];
}

// A server running tests at once tags each test's summary rows with the test,
// its port and what ran beside it (issue #14); interval rows stay untagged.
TEST(CsvReporter, SummaryRowsOfAConcurrentServerTestSayWhatRanBesideIt) {
  Captured c;
  CsvReporter r(
      options(true), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(true, Direction::kForward));
  EndReport end;
  end.streams = {end_stream(5, false, true, 2'000'000, 1'999'000)};
  end.sum = sum_streams(end.streams, true);
  TestOverlap o;
  o.test_id = 3;
  o.port = 5102;
  o.other_tests = 2;
  o.other_bits_per_second = 1.25e9;
  end.overlap = o;
  r.on_end(end);
  auto rows = lines_of(c.out);
  ASSERT_GE(rows.size(), 2u);
  for (size_t i = 1; i < rows.size(); ++i) EXPECT_TRUE(rows[i].ends_with(",3,5102,2,1250000000")) << rows[i];
}

TEST(CsvReporter, UnknownUdpLossIsMinusOneWithAnEmptyPercentage) {
  Captured c;
  CsvReporter r(
      options(false), [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(false, Direction::kReverse, Protocol::kUdp));
  EndReport end;
  end.direction = Direction::kReverse;
  EndStream e;
  e.info.socket = 5;
  e.info.forward = false;
  e.udp = true;
  e.receiver_known = true;
  e.received_bytes = 1400;
  e.receiver_seconds = 1;
  e.receiver_packets = 1;
  e.lost_packets = -1;  // a pre-3.14 sender with -O cannot say
  end.streams = {e};
  end.sum = sum_streams(end.streams, false);
  r.on_end(end);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 2);
  EXPECT_NE(rows[1].find(",1,-1,,0.000,"), std::string::npos) << rows[1];
  EXPECT_NE(rows[2].find(",1,-1,,0.000,"), std::string::npos) << rows[2];
}

TEST(CsvReporter, TitleThatASpreadsheetWouldRunIsDefused) {
  Captured c;
  CsvReporter r(
      options(true), [&](std::string_view s) { c.out += s; }, nullptr);
  TestStartInfo st = start(true, Direction::kForward);
  st.spec.title = "=HYPERLINK(\"http://x\")";  // a server prints the title its client sent
  r.on_connected(st);
  IntervalReport iv;
  r.on_interval(iv);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].substr(25, 27), "\"'=HYPERLINK(\"\"http://x\"\")\"") << rows[1];
}

TEST(CsvReporter, MessagesSharingTheRowsFileAreComments) {
  Captured c;
  CsvOptions o = options(false);
  o.messages_as_comments = true;
  CsvReporter r(
      o, [&](std::string_view s) { c.out += s; }, [&](std::string_view s) { c.err += s; });
  r.on_warning("w");
  r.on_error("e");
  EXPECT_EQ(c.err, "# warning: w\n# nperf: error - e\n");
}

TEST(CsvReporter, AnIntervalsRowsShareOneTimestamp) {
  Captured c;
  CsvOptions o = options(false);
  int64_t ms = 1'764'158'400'000;
  o.now = [&ms] { return system_clock::time_point(milliseconds(ms += 7)); };  // moves at every call
  CsvReporter r(
      o, [&](std::string_view s) { c.out += s; }, nullptr);
  r.on_connected(start(false, Direction::kForward));
  IntervalReport iv;
  iv.streams = {tcp_sender(5, 0, 1, 1), tcp_sender(7, 0, 1, 1)};
  iv.sum.sender = true;
  r.on_interval(iv);
  r.on_interval(iv);
  const auto rows = lines_of(c.out);
  ASSERT_EQ(rows.size(), 1u + 3 + 3);
  for (size_t i : {2, 3}) EXPECT_EQ(rows[i].substr(0, 24), rows[1].substr(0, 24));
  EXPECT_EQ(rows[1].substr(0, 24), "2025-11-26T12:00:00.007Z");
  EXPECT_EQ(rows[4].substr(0, 24), "2025-11-26T12:00:00.014Z");
}

TEST(CsvReporter, ErrorsAndWarningsGoToTheErrorSinkAsText) {
  Captured c;
  CsvReporter r(
      options(false), [&](std::string_view s) { c.out += s; }, [&](std::string_view s) { c.err += s; });
  r.on_warning("w");
  r.on_error("unable to connect to server");
  r.on_error("interrupt - the client has terminated by signal 2");
  r.on_finish();
  EXPECT_EQ(c.out, "");  // no header without a row
  EXPECT_EQ(c.err,
            "warning: w\nnperf: error - unable to connect to server\nnperf: interrupt - the client has "
            "terminated by signal 2\n");
}

}  // namespace
}  // namespace nperf::report
