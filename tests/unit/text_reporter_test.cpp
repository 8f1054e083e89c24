#include "nperf/report/text_reporter.hpp"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

// Golden tests: each builds the report model by hand from the numbers of a
// captured iperf3 3.12 run and compares nperf's text, line by line, with the
// capture (tests/golden/text_*.txt).
//
// Provenance of the golden files:
//   from /work/shared/data/iperf3-reference (the capture script's final
//   "client rc=0" / "server rc=0" line removed):
//     text_tcp312_client.txt      tcp312.client.out
//     text_tcp312_server.txt      tcp312.server.out
//     text_bidir_p2_client.txt    x_MO__t_2___bidir__b_10M__P_2_.client.out  (3.12 client)
//     text_bidir_p2_server.txt    x_OM__t_2___bidir__b_10M__P_2_.server.out  (3.12 server)
//     text_udp312_client.txt      udp312.client.out
//     text_udp312_server.txt      udp312.server.out
//     text_udp_bidir_p2_client.txt x_MO__t_2__u___bidir__b_1M__P_2_.client.out (3.12 client)
//     text_term_client.txt        term_O.client.out, also without its first line
//                                 (the stderr message "iperf3: interrupt - ...")
//   captured with Debian's iperf3 3.12 on loopback (port 5399):
//     text_verbose_p2_omit_{client,server}.txt  -V -t 1 -P 2 -b 10M -O 1  (server -V)
//     text_verbose_bidir_{client,server}.txt    -V -t 2 --bidir -b 10M      (server -V)
//     text_verbose_rev_{client,server}.txt      -V -t 2 -R -b 10M           (server -V)
//     text_title_gso_client.txt                 -t 1 -T mytitle --get-server-output -b 10M
//     text_rev_p2_t1_client.txt                 -t 1 -R -P 2 -b 10M
//     text_verbose_title_bytes_client.txt       -V -T tt -M 1000 -n 1M
// A -V server prints "iperf 3.12" and its uname before the listening banner
// (TextOptions::server_preamble); VerboseParallelOmitServer checks them, the
// other server -V tests skip those two lines.

namespace nperf::report {
namespace {

constexpr uint64_t kMiB = 1024 * 1024;
constexpr uint64_t kCwnd112 = 1178694;  // prints as "1.12 MBytes"
constexpr uint64_t kCwnd106 = 1111490;  // prints as "1.06 MBytes"
const char* const kUname = "Linux vm 6.18.44-fc-v669 #1 SMP PREEMPT_DYNAMIC @0 x86_64";

std::string golden(const std::string& name) {
  std::ifstream in(std::string(NPERF_GOLDEN_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing golden file " << name;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::string drop_lines(const std::string& text, size_t n) {
  size_t pos = 0;
  for (size_t i = 0; i < n && pos != std::string::npos; ++i) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  return pos == std::string::npos ? std::string() : text.substr(pos);
}

// Line by line first (readable failures), then byte for byte.
void expect_text(const std::string& actual, const std::string& expected) {
  const auto a = lines_of(actual);
  const auto e = lines_of(expected);
  for (size_t i = 0; i < std::max(a.size(), e.size()); ++i) {
    EXPECT_EQ(i < a.size() ? a[i] : "<no line>", i < e.size() ? e[i] : "<no line>") << "line " << i + 1;
  }
  EXPECT_EQ(actual, expected);
}

// Collects what the reporter writes; checks that every sink call is one whole line.
class Harness {
 public:
  explicit Harness(TextOptions options)
      : reporter_(
            std::move(options), [this](std::string_view s) { take(out_, s); },
            [this](std::string_view s) { take(err_, s); }) {}
  Harness(const Harness&) = delete;
  Harness& operator=(const Harness&) = delete;
  TextReporter& r() { return reporter_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  static void take(std::string& into, std::string_view s) {
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 1) << "not one line: [" << s << "]";
    EXPECT_EQ(s.back(), '\n');
    into += s;
  }
  std::string out_, err_;
  TextReporter reporter_;
};

TextOptions client_opts(bool verbose = false, std::string title = "") {
  TextOptions o;
  o.verbose = verbose;
  o.title = std::move(title);
  return o;
}
TextOptions server_opts(bool verbose = false) {
  TextOptions o;
  o.verbose = verbose;
  o.role = Role::kServer;
  return o;
}

TestStartInfo start_info(bool server, std::string host, int port, Direction dir, int parallel,
                         double duration, uint64_t rate = 0) {
  TestStartInfo s;
  s.is_server = server;
  s.version = "iperf 3.12";
  s.system_info = kUname;
  s.host = std::move(host);
  s.port = port;
  s.spec.direction = dir;
  s.spec.parallel = parallel;
  s.spec.duration_s = duration;
  s.spec.rate_bps = rate;
  if (!server) {
    s.control_mss = 32768;
    s.tcp_mss_default = 32768;
  }
  return s;
}

StreamInfo sinfo(int socket, bool sender, bool forward, int local_port, int remote_port) {
  StreamInfo s;
  s.socket = socket;
  s.sender = sender;
  s.forward = forward;
  s.local_host = "127.0.0.1";
  s.local_port = local_port;
  s.remote_host = "127.0.0.1";
  s.remote_port = remote_port;
  return s;
}

double bps(uint64_t bytes, double seconds) {
  return static_cast<double>(bytes) * 8 / seconds;
}

IntervalStream rcv_iv(int socket, double start, double end, uint64_t bytes, bool omitted = false) {
  IntervalStream s;
  s.socket = socket;
  s.start = start;
  s.end = end;
  s.seconds = end - start;
  s.bytes = bytes;
  s.bits_per_second = bps(bytes, end - start);
  s.omitted = omitted;
  return s;
}

IntervalStream snd_iv(int socket, double start, double end, uint64_t bytes, uint64_t cwnd,
                      bool omitted = false) {
  IntervalStream s = rcv_iv(socket, start, end, bytes, omitted);
  s.sender = true;
  s.has_tcp_info = true;
  s.retransmits = 0;
  s.snd_cwnd = cwnd;
  return s;
}

IntervalSum iv_sum(double start, double end, uint64_t bytes, bool sender, bool omitted = false) {
  IntervalSum s;
  s.start = start;
  s.end = end;
  s.seconds = end - start;
  s.bytes = bytes;
  s.bits_per_second = bps(bytes, end - start);
  s.sender = sender;
  s.has_retransmits = sender;
  s.omitted = omitted;
  return s;
}

EndStream end_stream(StreamInfo info, uint64_t sent, double sender_s, uint64_t received, double receiver_s,
                     bool has_retransmits = true, bool sender_known = true, bool receiver_known = true) {
  EndStream e;
  e.info = std::move(info);
  e.sender_known = sender_known;
  e.sent_bytes = sent;
  e.sender_seconds = sender_s;
  e.has_retransmits = has_retransmits;
  e.receiver_known = receiver_known;
  e.received_bytes = received;
  e.receiver_seconds = receiver_s;
  return e;
}

// ---------------------------------------------------------------- TCP, plain

TEST(TextReporterGolden, Tcp312Client) {
  Harness h(client_opts());
  TestStartInfo start = start_info(false, "127.0.0.1", 5301, Direction::kForward, 1, 2, 8000000);
  const StreamInfo s5 = sinfo(5, true, true, 37664, 5301);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, i, i + 1.0, kMiB, kCwnd112)};
    iv.sum = iv_sum(i, i + 1.0, kMiB, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.streams = {end_stream(s5, 2 * kMiB, 2.000352, 2 * kMiB, 2.000457)};
  end.sum = sum_streams(end.streams, true);
  end.sender_congestion = end.receiver_congestion = "bbr";  // printed with -V only
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_tcp312_client.txt"));
  EXPECT_EQ(h.err(), "");
}

TEST(TextReporterGolden, Tcp312Server) {
  Harness h(server_opts());
  TestStartInfo start = start_info(true, "127.0.0.1", 37656, Direction::kForward, 1, 2, 8000000);
  const StreamInfo s5 = sinfo(5, false, true, 5301, 37664);
  h.r().on_server_listening(5301, 1);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {rcv_iv(5, i, i + 1.0, kMiB)};
    iv.sum = iv_sum(i, i + 1.0, kMiB, false);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  end.streams = {end_stream(s5, 0, 0, 2 * kMiB, 2.000457, false, /*sender_known=*/false)};
  end.sum = sum_streams(end.streams, true);
  end.receiver_congestion = "bbr";
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_tcp312_server.txt"));
}

// A server reuses its reporter: the second test starts from a clean state.
TEST(TextReporter, ServerReporterIsReusable) {
  Harness h(server_opts());
  for (int test = 1; test <= 2; ++test) {
    TestStartInfo start = start_info(true, "127.0.0.1", 37656, Direction::kForward, 1, 2, 8000000);
    const StreamInfo s5 = sinfo(5, false, true, 5301, 37664);
    h.r().on_server_listening(5301, test);
    h.r().on_connected(start);
    h.r().on_stream_connected(s5);
    h.r().on_test_start(start);
    for (int i = 0; i < 2; ++i) {
      IntervalReport iv;
      iv.streams = {rcv_iv(5, i, i + 1.0, kMiB)};
      iv.sum = iv_sum(i, i + 1.0, kMiB, false);
      h.r().on_interval(iv);
    }
    EndReport end;
    end.streams = {end_stream(s5, 0, 0, 2 * kMiB, 2.000457, false, false)};
    end.sum = sum_streams(end.streams, true);
    h.r().on_end(end);
    h.r().on_finish();
  }
  std::string second = golden("text_tcp312_server.txt");
  second.replace(second.find("(test #1)"), 9, "(test #2)");
  expect_text(h.out(), golden("text_tcp312_server.txt") + second);
}

// ------------------------------------------------------------ --bidir -P 2

TEST(TextReporterGolden, BidirP2Client) {
  Harness h(client_opts());
  TestStartInfo start = start_info(false, "127.0.0.1", 5301, Direction::kBidir, 2, 2, 8000000);
  const std::vector<StreamInfo> infos = {sinfo(5, true, true, 46544, 5301), sinfo(7, true, true, 46552, 5301),
                                         sinfo(9, false, false, 46554, 5301),
                                         sinfo(12, false, false, 46566, 5301)};
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;  // 1.25 MBytes, 10.5 Mbits/sec
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, i, i + 1.0, b, kCwnd112), snd_iv(7, i, i + 1.0, b, kCwnd112),
                  rcv_iv(9, i, i + 1.0, b), rcv_iv(12, i, i + 1.0, b)};
    iv.sum = iv_sum(i, i + 1.0, 2 * b, true);
    iv.sum_reverse = iv_sum(i, i + 1.0, 2 * b, false);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.direction = Direction::kBidir;
  for (const auto& s : infos) end.streams.push_back(end_stream(s, 2 * b, 2.0, 2 * b, 2.0));
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_bidir_p2_client.txt"));
}

TEST(TextReporterGolden, BidirP2Server) {
  Harness h(server_opts());
  TestStartInfo start = start_info(true, "127.0.0.1", 35530, Direction::kBidir, 2, 2, 8000000);
  // On the server the client->server streams are the receiving ones ([RX-S]).
  const std::vector<StreamInfo> infos = {
      sinfo(5, false, true, 5301, 35540), sinfo(8, false, true, 5301, 35546),
      sinfo(11, true, false, 5301, 35548), sinfo(13, true, false, 5301, 35562)};
  h.r().on_server_listening(5301, 1);
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {rcv_iv(5, i, i + 1.0, b), rcv_iv(8, i, i + 1.0, b), snd_iv(11, i, i + 1.0, b, kCwnd112),
                  snd_iv(13, i, i + 1.0, b, kCwnd112)};
    iv.sum = iv_sum(i, i + 1.0, 2 * b, false);
    iv.sum_reverse = iv_sum(i, i + 1.0, 2 * b, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  end.direction = Direction::kBidir;
  for (const auto& s : infos) {
    // The server prints its summary before the results exchange: it knows
    // only its own half of each stream.
    if (s.sender)
      end.streams.push_back(end_stream(s, 2 * b, 2.0, 0, 0, true, true, false));
    else
      end.streams.push_back(end_stream(s, 0, 0, 2 * b, 2.0, false, false, true));
  }
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_bidir_p2_server.txt"));
}

// --------------------------------------------------------------- -V layouts

TEST(TextReporterGolden, VerboseParallelOmitClient) {
  Harness h(client_opts(/*verbose=*/true));
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kForward, 2, 1, 10000000);
  start.spec.omit_s = 1;
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:29 GMT";
  start.cookie = "swtmv7urn2mlsnhug6g6roieycgzopw5bvg4";
  const std::vector<StreamInfo> infos = {sinfo(5, true, true, 36050, 5399),
                                         sinfo(7, true, true, 36060, 5399)};
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (bool omitted : {true, false}) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, 0, 1.0, b, kCwnd112, omitted), snd_iv(7, 0, 1.0, b, kCwnd112, omitted)};
    iv.sum = iv_sum(0, 1.0, 2 * b, true, omitted);
    h.r().on_interval(iv);
  }
  EndReport end;
  for (const auto& s : infos) end.streams.push_back(end_stream(s, b, 1.0, b, 1.0));
  end.sum = sum_streams(end.streams, true);
  end.cpu = {4.0, 0.4, 3.6, 0.1, 0.0, 0.1};
  end.sender_congestion = end.receiver_congestion = "bbr";
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_verbose_p2_omit_client.txt"));
}

TEST(TextReporterGolden, VerboseParallelOmitServer) {
  // The server -V preamble (version, uname) comes from main(); here the golden's own two lines.
  const std::string whole = golden("text_verbose_p2_omit_server.txt");
  TextOptions options = server_opts(/*verbose=*/true);
  options.server_preamble = whole.substr(0, whole.size() - drop_lines(whole, 2).size());
  Harness h(options);
  TestStartInfo start = start_info(true, "127.0.0.1", 36034, Direction::kForward, 2, 1, 10000000);
  start.spec.omit_s = 1;
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:29 GMT";
  start.cookie = "swtmv7urn2mlsnhug6g6roieycgzopw5bvg4";
  const std::vector<StreamInfo> infos = {sinfo(5, false, true, 5399, 36050),
                                         sinfo(8, false, true, 5399, 36060)};
  h.r().on_server_listening(5399, 1);
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (bool omitted : {true, false}) {
    IntervalReport iv;
    iv.streams = {rcv_iv(5, 0, 1.0, b, omitted), rcv_iv(8, 0, 1.0, b, omitted)};
    iv.sum = iv_sum(0, 1.0, 2 * b, false, omitted);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  for (const auto& s : infos) end.streams.push_back(end_stream(s, 0, 0, b, 1.0, false, false, true));
  end.sum = sum_streams(end.streams, true);
  end.cpu = {0.1, 0.0, 0.1, 0, 0, 0};  // not printed: this side does not send
  end.receiver_congestion = "bbr";     // the server's own; the client's is not known yet
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), whole);
}

TEST(TextReporterGolden, VerboseBidirClient) {
  Harness h(client_opts(true));
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kBidir, 1, 2, 10000000);
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:27 GMT";
  start.cookie = "b7qytxjbyuosgbmoyw6iwdcnpakjanzkdv4l";
  const StreamInfo tx = sinfo(5, true, true, 36002, 5399);
  const StreamInfo rx = sinfo(7, false, false, 36018, 5399);
  h.r().on_connected(start);
  h.r().on_stream_connected(tx);
  h.r().on_stream_connected(rx);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, i, i + 1.0, b, kCwnd112), rcv_iv(7, i, i + 1.0, b)};
    iv.sum = iv_sum(i, i + 1.0, b, true);
    iv.sum_reverse = iv_sum(i, i + 1.0, b, false);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.direction = Direction::kBidir;
  end.streams = {end_stream(tx, 2 * b, 2.0, 2 * b, 2.0), end_stream(rx, 2 * b, 2.0, 2 * b, 2.0)};
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  end.cpu = {2.8, 0.0, 2.8, 2.8, 2.8, 0.0};
  end.sender_congestion = end.receiver_congestion = "bbr";
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_verbose_bidir_client.txt"));
}

TEST(TextReporterGolden, VerboseBidirServer) {
  Harness h(server_opts(true));
  TestStartInfo start = start_info(true, "127.0.0.1", 35990, Direction::kBidir, 1, 2, 10000000);
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:27 GMT";
  start.cookie = "b7qytxjbyuosgbmoyw6iwdcnpakjanzkdv4l";
  const StreamInfo rx = sinfo(5, false, true, 5399, 36002);
  const StreamInfo tx = sinfo(8, true, false, 5399, 36018);
  h.r().on_server_listening(5399, 1);
  h.r().on_connected(start);
  h.r().on_stream_connected(rx);
  h.r().on_stream_connected(tx);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {rcv_iv(5, i, i + 1.0, b), snd_iv(8, i, i + 1.0, b, kCwnd106)};
    iv.sum = iv_sum(i, i + 1.0, b, false);
    iv.sum_reverse = iv_sum(i, i + 1.0, b, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  end.direction = Direction::kBidir;
  end.streams = {end_stream(rx, 0, 0, 2 * b, 2.0, false, false, true),
                 end_stream(tx, 2 * b, 2.0, 0, 0, true, true, false)};
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  end.cpu = {2.8, 2.8, 0.0, 0, 0, 0};
  end.receiver_congestion = "bbr";  // the server's (client->server receiver)
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), drop_lines(golden("text_verbose_bidir_server.txt"), 2));
}

TEST(TextReporterGolden, VerboseReverseClient) {
  Harness h(client_opts(true));
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kReverse, 1, 2, 10000000);
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:25 GMT";
  start.cookie = "yismxrimz52tikuwc6ij43g6f34cdbepmbtl";
  const StreamInfo s5 = sinfo(5, false, false, 41616, 5399);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {rcv_iv(5, i, i + 1.0, b)};
    iv.sum = iv_sum(i, i + 1.0, b, false);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.direction = Direction::kReverse;
  end.streams = {end_stream(s5, 2 * b, 2.0, 2 * b, 2.0)};  // sender half from the server's results
  end.sum = sum_streams(end.streams, false);
  end.cpu = {1, 1, 0, 1, 1, 0};  // a receiving client prints no CPU line
  end.sender_congestion = end.receiver_congestion = "bbr";
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_verbose_rev_client.txt"));
}

TEST(TextReporterGolden, VerboseReverseServer) {
  Harness h(server_opts(true));
  TestStartInfo start = start_info(true, "127.0.0.1", 41606, Direction::kReverse, 1, 2, 10000000);
  start.time_rfc1123 = "Wed, 25 Nov 2026 20:47:25 GMT";
  start.cookie = "yismxrimz52tikuwc6ij43g6f34cdbepmbtl";
  const StreamInfo s5 = sinfo(5, true, false, 5399, 41616);
  h.r().on_server_listening(5399, 1);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, i, i + 1.0, b, kCwnd106)};
    iv.sum = iv_sum(i, i + 1.0, b, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  end.direction = Direction::kReverse;
  end.streams = {end_stream(s5, 2 * b, 2.0, 0, 0, true, true, false)};
  end.sum = sum_streams(end.streams, false);
  end.cpu = {4.7, 4.7, 0.0, 0, 0, 0};
  end.receiver_congestion = "bbr";  // the server's: it sends in a -R test
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), drop_lines(golden("text_verbose_rev_server.txt"), 2));
}

// -V with -T: 3.12 prints "title:  title:  <uname>" (an empty print call in
// between) and "Control connection MSS" with plain printf (no title); -M
// drops "(default)"; -n gives the "bytes to send" variant; no -b, no Target
// Bitrate line.
TEST(TextReporterGolden, VerboseTitleBytesClient) {
  Harness h(client_opts(true, "tt"));
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kForward, 1, 0);
  start.spec.bytes = kMiB;
  start.spec.mss = 1000;
  start.tcp_mss = 1000;
  start.time_rfc1123 = "Wed, 25 Nov 2026 21:00:04 GMT";
  start.cookie = "b2dlcuv22ss4wfx5ct2rxj737nxzmdfaw6mg";
  const StreamInfo s5 = sinfo(5, true, true, 59916, 5399);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  IntervalReport iv;
  iv.streams = {snd_iv(5, 0, 0.000617, kMiB, 315392)};  // 308 KBytes
  iv.streams[0].bits_per_second = 13.6e9;
  iv.sum = iv_sum(0, 0.000617, kMiB, true);
  h.r().on_interval(iv);
  EndReport end;
  end.streams = {end_stream(s5, kMiB, 0.000617, 786432, 0.003177)};
  end.sum = sum_streams(end.streams, true);
  end.cpu = {52.3, 0.0, 52.2, 9.1, 9.1, 0.0};
  end.sender_congestion = end.receiver_congestion = "bbr";
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_verbose_title_bytes_client.txt"));
}

// ------------------------------------------------- title, server output, -R

TEST(TextReporterGolden, TitleAndServerOutputClient) {
  Harness h(client_opts(false, "mytitle"));
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kForward, 1, 1, 10000000);
  start.spec.get_server_output = true;
  const StreamInfo s5 = sinfo(5, true, true, 51444, 5399);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  IntervalReport iv;
  iv.streams = {snd_iv(5, 0, 1.0, b, kCwnd112)};
  iv.sum = iv_sum(0, 1.0, b, true);
  h.r().on_interval(iv);
  EndReport end;
  end.streams = {end_stream(s5, b, 1.0, b, 1.0)};
  end.sum = sum_streams(end.streams, true);
  // The server's own text, as it sends it: not prefixed with the title.
  const std::string text = golden("text_title_gso_client.txt");
  const size_t from = text.find("Accepted connection");
  const size_t to = text.find("receiver\n", text.find("Server output:")) + 9;
  ASSERT_NE(from, std::string::npos);
  end.server_output_text = text.substr(from, to - from);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), text);
}

// iperf3 3.12 -R client: an interval that ends the test is printed after the
// results exchange, when the client has learnt that the sender reports
// retransmits, so with -t 1 its first (and only) header has Retr/Cwnd.
TEST(TextReporterGolden, ReverseParallelOneSecondClient) {
  Harness h(client_opts());
  TestStartInfo start = start_info(false, "127.0.0.1", 5399, Direction::kReverse, 2, 1, 10000000);
  const std::vector<StreamInfo> infos = {sinfo(5, false, false, 59492, 5399),
                                         sinfo(7, false, false, 59508, 5399)};
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 1310720;
  IntervalReport iv;
  iv.streams = {rcv_iv(5, 0, 1.000321, b), rcv_iv(7, 0, 1.000321, b)};
  iv.sum = iv_sum(0, 1.000321, 2 * b, false);
  h.r().on_interval(iv);
  EndReport end;
  end.direction = Direction::kReverse;
  for (const auto& s : infos) end.streams.push_back(end_stream(s, b, 1.0, b, 1.0));
  end.sum = sum_streams(end.streams, false);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_rev_p2_t1_client.txt"));
}

// Interrupted client (3.12): the summary has a receiver line with zeros at the
// sender's duration, and no "iperf Done." after the error.
TEST(TextReporterGolden, InterruptedClient) {
  Harness h(client_opts());
  TestStartInfo start = start_info(false, "127.0.0.1", 5301, Direction::kForward, 1, 10, 1000000);
  const StreamInfo s5 = sinfo(5, true, true, 41786, 5301);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  const uint64_t b = 131072;
  const uint64_t cwnds[] = {966656, kCwnd112, kCwnd112};  // 944 KBytes, 1.12 MBytes
  const double edges[] = {0, 1.0, 2.0, 2.5};
  for (int i = 0; i < 3; ++i) {
    IntervalReport iv;
    iv.streams = {snd_iv(5, edges[i], edges[i + 1], b, cwnds[i])};
    if (i == 2) iv.streams[0].bits_per_second = 2.11e6;
    iv.sum = iv_sum(edges[i], edges[i + 1], b, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.streams = {end_stream(s5, 3 * b, 2.5, 0, 0, true, true, /*receiver_known=*/false)};
  end.sum = sum_streams(end.streams, true);
  h.r().on_end(end);
  h.r().on_error("interrupt - the client has terminated");
  h.r().on_finish();
  expect_text(h.out(), golden("text_term_client.txt"));
  EXPECT_EQ(h.err(), "nperf: interrupt - the client has terminated\n");
}

// ---------------------------------------------------------------------- UDP

IntervalStream udp_snd_iv(int socket, double start, double end, uint64_t bytes, uint64_t packets) {
  IntervalStream s = rcv_iv(socket, start, end, bytes);
  s.sender = true;
  s.udp = true;
  s.packets = packets;
  return s;
}

IntervalStream udp_rcv_iv(int socket, double start, double end, uint64_t bytes, uint64_t packets,
                          double jitter) {
  IntervalStream s = rcv_iv(socket, start, end, bytes);
  s.udp = true;
  s.packets = packets;
  s.jitter_ms = jitter;
  return s;
}

IntervalSum udp_sum(double start, double end, uint64_t bytes, bool sender, uint64_t packets,
                    double jitter = 0) {
  IntervalSum s = iv_sum(start, end, bytes, sender);
  s.has_retransmits = false;
  s.udp = true;
  s.packets = packets;
  s.jitter_ms = jitter;
  return s;
}

EndStream udp_end(StreamInfo info, uint64_t bytes, double seconds, uint64_t packets, double jitter,
                  bool sender_known = true, bool receiver_known = true) {
  EndStream e = end_stream(std::move(info), sender_known ? bytes : 0, sender_known ? seconds : 0,
                           receiver_known ? bytes : 0, receiver_known ? seconds : 0, false, sender_known,
                           receiver_known);
  e.udp = true;
  e.sender_packets = sender_known ? packets : 0;
  e.receiver_packets = receiver_known ? packets : 0;
  e.jitter_ms = jitter;
  return e;
}

TestStartInfo udp_start(bool server, std::string host, int port, Direction dir, int parallel, double duration,
                        uint64_t rate) {
  TestStartInfo s = start_info(server, std::move(host), port, dir, parallel, duration, rate);
  s.spec.protocol = Protocol::kUdp;
  s.spec.block_len = 32768;
  return s;
}

TEST(TextReporterGolden, Udp312Client) {
  Harness h(client_opts());
  TestStartInfo start = udp_start(false, "127.0.0.1", 5301, Direction::kForward, 1, 2, 200000);
  const StreamInfo s5 = sinfo(5, true, true, 52912, 5301);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {udp_snd_iv(5, i, i + 1.0, 32768, 1)};
    iv.sum = udp_sum(i, i + 1.0, 32768, true, 1);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.streams = {udp_end(s5, 65536, 2.0, 2, 0.006)};
  end.sum = sum_streams(end.streams, true);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_udp312_client.txt"));
}

TEST(TextReporterGolden, Udp312Server) {
  Harness h(server_opts());
  TestStartInfo start = udp_start(true, "127.0.0.1", 34306, Direction::kForward, 1, 2, 200000);
  const StreamInfo s5 = sinfo(5, false, true, 5301, 52912);
  h.r().on_server_listening(5301, 1);
  h.r().on_connected(start);
  h.r().on_stream_connected(s5);
  h.r().on_test_start(start);
  const double jitters[] = {0.0, 0.006};
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {udp_rcv_iv(5, i, i + 1.0, 32768, 1, jitters[i])};
    iv.sum = udp_sum(i, i + 1.0, 32768, false, 1, jitters[i]);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.is_server = true;
  end.streams = {udp_end(s5, 65536, 2.0, 2, 0.006, false, true)};
  end.sum = sum_streams(end.streams, true);
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_udp312_server.txt"));
}

TEST(TextReporterGolden, UdpBidirP2Client) {
  Harness h(client_opts());
  TestStartInfo start = udp_start(false, "127.0.0.1", 5301, Direction::kBidir, 2, 2, 1000000);
  const std::vector<StreamInfo> infos = {sinfo(5, true, true, 39864, 5301), sinfo(7, true, true, 50701, 5301),
                                         sinfo(9, false, false, 37884, 5301),
                                         sinfo(12, false, false, 47833, 5301)};
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  const uint64_t b = 131072;  // 128 KBytes, 1.05 Mbits/sec
  const double rx_jitter[2][3] = {{0.026, 0.030, 0.028}, {0.044, 0.065, 0.055}};
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    iv.streams = {udp_snd_iv(5, i, i + 1.0, b, 4), udp_snd_iv(7, i, i + 1.0, b, 4),
                  udp_rcv_iv(9, i, i + 1.0, b, 4, rx_jitter[i][0]),
                  udp_rcv_iv(12, i, i + 1.0, b, 4, rx_jitter[i][1])};
    iv.sum = udp_sum(i, i + 1.0, 2 * b, true, 8);
    iv.sum_reverse = udp_sum(i, i + 1.0, 2 * b, false, 8, rx_jitter[i][2]);
    h.r().on_interval(iv);
  }
  EndReport end;
  end.direction = Direction::kBidir;
  const double jitter[] = {0.036, 0.010, 0.044, 0.065};
  for (size_t i = 0; i < infos.size(); ++i)
    end.streams.push_back(udp_end(infos[i], 2 * b, 2.0, 8, jitter[i]));
  end.sum = sum_streams(end.streams, true);
  end.sum_reverse = sum_streams(end.streams, false);
  end.sum_reverse->jitter_ms = 0.055;  // iperf3 printed the mean of 0.044 and 0.065 as 0.055
  h.r().on_end(end);
  h.r().on_finish();
  expect_text(h.out(), golden("text_udp_bidir_p2_client.txt"));
}

// Loss percentages use %.2g; an unknown loss count (-1) prints "Unknown";
// out-of-order datagrams get a [SUM] line after the sender line.
TEST(TextReporter, UdpLossUnknownAndOutOfOrder) {
  Harness h(server_opts(true));
  TestStartInfo start = udp_start(true, "127.0.0.1", 40000, Direction::kForward, 1, 3, 1000000);
  const StreamInfo s5 = sinfo(5, false, true, 5201, 40001);
  h.r().on_connected(start);
  IntervalReport iv;
  iv.streams = {udp_rcv_iv(5, 0, 1.0, 131072, 100, 0.163)};
  iv.streams[0].lost_packets = 12;
  iv.streams[0].lost_percent = 12.0;
  iv.sum = udp_sum(0, 1.0, 131072, false, 100, 0.163);
  h.r().on_interval(iv);
  EndReport end;
  end.streams = {udp_end(s5, 393216, 3.0, 300, 0.09, false, true)};
  end.streams[0].lost_packets = -1;
  end.streams[0].out_of_order = 3;
  end.sum = sum_streams(end.streams, true);
  h.r().on_end(end);
  EXPECT_EQ(h.out(),
            "Time: \n"
            "Accepted connection from 127.0.0.1, port 40000\n"
            "      Cookie: \n"
            "      Target Bitrate: 1000000\n"
            "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n"
            "[  5]   0.00-1.00   sec   128 KBytes  1.05 Mbits/sec  0.163 ms  12/100 (12%)  \n"
            "- - - - - - - - - - - - - - - - - - - - - - - - -\n"
            "Test Complete. Summary Results:\n"
            "[ ID] Interval           Transfer     Bitrate         Jitter    Lost/Total Datagrams\n"
            "[  5] (sender statistics not available)\n"
            "[SUM]  0.0- 3.0 sec  3 datagrams received out-of-order\n"
            "[  5]   0.00-3.00   sec   384 KBytes  1.05 Mbits/sec  0.090 ms  Unknown/300  receiver\n");
}

// ------------------------------------------------------------- other rules

// Runs a small forward test with `parallel` streams and returns the output.
std::string run_forward(TextOptions options, int parallel, const std::vector<Verdict>& verdicts = {},
                        const std::optional<PathReport>& path = std::nullopt) {
  Harness h(std::move(options));
  TestStartInfo start = start_info(false, "10.0.0.1", 5201, Direction::kForward, parallel, 2);
  std::vector<StreamInfo> infos;
  for (int i = 0; i < parallel; ++i) infos.push_back(sinfo(5 + 2 * i, true, true, 40000 + i, 5201));
  h.r().on_connected(start);
  for (const auto& s : infos) h.r().on_stream_connected(s);
  h.r().on_test_start(start);
  for (int i = 0; i < 2; ++i) {
    IntervalReport iv;
    for (const auto& s : infos) iv.streams.push_back(snd_iv(s.socket, i, i + 1.0, kMiB, kCwnd112));
    iv.sum = iv_sum(i, i + 1.0, parallel * kMiB, true);
    h.r().on_interval(iv);
  }
  EndReport end;
  for (const auto& s : infos) end.streams.push_back(end_stream(s, 2 * kMiB, 2.0, 2 * kMiB, 2.0));
  end.sum = sum_streams(end.streams, true);
  for (size_t i = 0; i < verdicts.size() && i < end.streams.size(); ++i) end.streams[i].verdict = verdicts[i];
  if (!verdicts.empty()) end.verdict = diagnose_test(verdicts);
  end.path = path;
  h.r().on_end(end);
  h.r().on_finish();
  return h.out();
}

size_t count_lines_starting(const std::string& text, std::string_view prefix) {
  size_t n = 0;
  for (const auto& l : lines_of(text)) n += l.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

TEST(TextReporter, NoSumLinesOrIntervalSeparatorWithOneStream) {
  const std::string out = run_forward(client_opts(), 1);
  EXPECT_EQ(count_lines_starting(out, "[SUM]"), 0u) << out;
  // Only the separator before the summary.
  EXPECT_EQ(count_lines_starting(out, "- - -"), 1u) << out;
}

TEST(TextReporter, SumLinesAndSeparatorsWithSeveralStreams) {
  const std::string out = run_forward(client_opts(), 3);
  // One [SUM] per interval (2) plus the sender and receiver sums.
  EXPECT_EQ(count_lines_starting(out, "[SUM]"), 4u) << out;
  EXPECT_EQ(count_lines_starting(out, "- - -"), 2u) << out;  // before interval 2, before the summary
  EXPECT_NE(out.find("[SUM]   0.00-2.00   sec  6.00 MBytes  25.2 Mbits/sec    0             sender\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("[SUM]   0.00-2.00   sec  6.00 MBytes  25.2 Mbits/sec                  receiver\n"),
            std::string::npos)
      << out;
}

Verdict verdict_of(Bottleneck cause, std::string reason, std::string advice) {
  Verdict v;
  v.cause = cause;
  v.reason = std::move(reason);
  v.advice = std::move(advice);
  return v;
}

TEST(TextReporter, VerdictLineUnderTheSummary) {
  const std::string out = run_forward(
      client_opts(), 1,
      {verdict_of(Bottleneck::kSenderCpu, "the sending worker ran 99% of the time", "add streams (-P)")});
  EXPECT_NE(out.find("receiver\nVerdict: sender-CPU-bound: the sending worker ran 99% of the time; next: add "
                     "streams (-P)\n"),
            std::string::npos)
      << out;
}

TEST(TextReporter, VerdictSharedBySomeStreamsSaysHowManyAndListsThemWithVerbose) {
  std::vector<Verdict> v = {verdict_of(Bottleneck::kReceiverWindow, "w", ""),
                            verdict_of(Bottleneck::kReceiverWindow, "w", ""),
                            verdict_of(Bottleneck::kSenderCpu, "c", "")};
  std::string out = run_forward(client_opts(), 3, v);
  EXPECT_NE(out.find("Verdict (2 of 3 streams): receiver-window-limited: w\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("verdict: sender-CPU-bound"), std::string::npos) << out;
  TextOptions verbose = client_opts();
  verbose.verbose = true;
  out = run_forward(verbose, 3, v);
  EXPECT_NE(out.find("[  9] verdict: sender-CPU-bound: c\n"), std::string::npos) << out;
}

TEST(TextReporter, NatAndPathLinesFollowTheVerdict) {
  PathReport p;
  p.local.local = {"198.18.0.1", 40000};
  p.local.device = {"veth0", "veth", 1500, 0};
  protocol::PathRecord server;
  server.peer = {"198.18.0.9", 61000};
  p.remote = server;
  const std::string out = run_forward(client_opts(), 1, {verdict_of(Bottleneck::kSenderCpu, "c", "")}, p);
  EXPECT_NE(out.find("Verdict: sender-CPU-bound: c\n"
                     "NAT between client and server (client 198.18.0.1:40000 seen as 198.18.0.9:61000)\n"
                     "Path: client via veth0 (veth, MTU 1500)\n"),
            std::string::npos)
      << out;
  // Against an iperf3 server (no remote record): no NAT claim, the local path only.
  p.remote.reset();
  const std::string alone = run_forward(client_opts(), 1, {}, p);
  EXPECT_EQ(alone.find("NAT"), std::string::npos) << alone;
  EXPECT_NE(alone.find("Path: client via veth0 (veth, MTU 1500)\n"), std::string::npos) << alone;
}

TEST(TextReporter, NoVerdictNoLine) {
  EXPECT_EQ(run_forward(client_opts(), 1).find("Verdict"), std::string::npos);
}

TEST(TextReporter, TitlePrefixesEveryClientLine) {
  const std::string plain = run_forward(client_opts(), 2);
  const std::string titled = run_forward(client_opts(false, "T1"), 2);
  const auto a = lines_of(plain);
  const auto b = lines_of(titled);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(b[i], "T1:  " + a[i]);
}

TEST(TextReporter, ServerIgnoresTitle) {
  TextOptions o = server_opts();
  o.title = "T1";
  Harness h(std::move(o));
  h.r().on_server_listening(5201, 3);
  EXPECT_EQ(h.out(),
            "-----------------------------------------------------------\n"
            "Server listening on 5201 (test #3)\n"
            "-----------------------------------------------------------\n");
}

// --timestamps: iperf3 puts strftime's text in front of every print call,
// before the client's title (checked against 3.12: every line of a run gets
// both, the server's three banner lines each their own).
TEST(TextReporter, TimestampPrefixesEveryPrintCallBeforeTheTitle) {
  const std::string plain = run_forward(client_opts(), 2);
  TextOptions o = client_opts(false, "T1");
  int calls = 0;
  o.timestamp = [&calls] { return fmt::format("<{}> ", ++calls); };
  const auto a = lines_of(plain);
  const auto b = lines_of(run_forward(o, 2));
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(b[i], fmt::format("<{}> T1:  {}", i + 1, a[i]));
}

TEST(TextReporter, TimestampOnServerBannerLinesWarningsAndErrors) {
  TextOptions o = server_opts();
  o.timestamp = [] { return std::string("TS "); };
  Harness h(std::move(o));
  h.r().on_server_listening(5201, 1);
  h.r().on_warning("w");
  h.r().on_error("e");
  EXPECT_EQ(h.out(),
            "TS -----------------------------------------------------------\n"
            "TS Server listening on 5201 (test #1)\n"
            "TS -----------------------------------------------------------\n");
  EXPECT_EQ(h.err(), "TS warning: w\nTS nperf: error - e\n");
}

TEST(TextReporter, FormatOptionAppliesToBitrateOnly) {
  TextOptions o = client_opts();
  o.format = 'K';
  const std::string out = run_forward(o, 1);
  EXPECT_NE(out.find("[  5]   0.00-1.00   sec  1.00 MBytes  1024 KBytes/sec    0   1.12 MBytes       \n"),
            std::string::npos)
      << out;
}

TEST(TextReporter, WarningsAndErrorsGoToErrSink) {
  Harness h(client_opts(false, "T1"));
  h.r().on_warning("something odd");
  h.r().on_error("unable to connect to server");
  h.r().on_finish();
  EXPECT_EQ(h.err(), "warning: something odd\nnperf: error - unable to connect to server\n");
  EXPECT_EQ(h.out(), "");  // no "iperf Done." after an error
}

TEST(TextReporter, ClientDoneLineAndResetAfterError) {
  Harness h(client_opts());
  h.r().on_error("boom");
  h.r().on_finish();
  EXPECT_EQ(h.out(), "");
  // The next test on the same reporter ends normally.
  h.r().on_finish();
  EXPECT_EQ(h.out(), "\niperf Done.\n");
}

TEST(TextReporter, ServerJsonOutputBeforeDone) {
  Harness h(client_opts());
  TestStartInfo start = start_info(false, "127.0.0.1", 5201, Direction::kForward, 1, 1);
  h.r().on_connected(start);
  EndReport end;
  end.server_output_json = "{\n\t\"start\":\t{}\n}";
  h.r().on_end(end);
  h.r().on_finish();
  const std::string out = h.out();
  EXPECT_NE(out.find("\n\nServer JSON output:\n{\n\t\"start\":\t{}\n}\n\niperf Done.\n"), std::string::npos)
      << out;
}

}  // namespace
}  // namespace nperf::report

namespace nperf::report {
namespace {

// nperf: -V names the call size when a call spans several blocks (no -l);
// one block per call (an explicit -l, every golden above) prints nothing new.
TEST(TextReporterTcpCalls, VerboseStartNamesSeveralBlockCalls) {
  TestStartInfo start = start_info(false, "127.0.0.1", 5301, Direction::kForward, 1, 2);
  start.spec.call_len = 1 << 20;
  Harness several(client_opts(true));
  several.r().on_test_start(start);
  EXPECT_NE(several.out().find("      TCP calls: 1048576 bytes per send/recv (8 blocks of 131072)\n"),
            std::string::npos)
      << several.out();
  start.spec.call_len = 0;
  Harness one(client_opts(true));
  one.r().on_test_start(start);
  EXPECT_EQ(one.out().find("TCP calls"), std::string::npos) << one.out();
  start.spec.call_len = 1 << 20;
  Harness quiet(client_opts(false));
  quiet.r().on_test_start(start);
  EXPECT_EQ(quiet.out(), "");
}

}  // namespace
}  // namespace nperf::report

namespace nperf::report {
namespace {

// -F, as a real iperf3 3.12 run printed it (a 3 000 000-byte file): the line
// follows the sender half and comes before the receiver's, on the client
// that sent the file and on the server that wrote it (which prints no sender
// half), in adaptive singular units.
TEST(TextReporterDataFile, SentLineSitsBetweenTheHalvesOnBothEnds) {
  {
    Harness h(client_opts());
    const StreamInfo s5 = sinfo(5, true, true, 43642, 5990);
    EndReport end;
    end.streams = {end_stream(s5, 3000000, 0.5, 3000000, 0.5)};
    end.sum = sum_streams(end.streams, true);
    end.data_file = DataFileFigures{"f3m.bin", 3000000};
    h.r().on_end(end);
    const std::string out = h.out();
    EXPECT_NE(out.find(" sender\n        Sent 2.86 MByte / 2.86 MByte (100%) of f3m.bin\n[  5]"),
              std::string::npos)
        << out;
  }
  {
    Harness h(server_opts());
    const StreamInfo s5 = sinfo(5, false, true, 5990, 43650);
    EndReport end;
    end.is_server = true;
    end.streams = {end_stream(s5, 0, 0, 5000, 0.5, false, /*sender_known=*/false)};
    end.sum = sum_streams(end.streams, true);
    end.data_file = DataFileFigures{"/tmp/recv.bin", 5000};
    h.r().on_end(end);
    const std::string out = h.out();
    EXPECT_NE(out.find("Bitrate\n        Sent 4.88 KByte / 4.88 KByte (100%) of /tmp/recv.bin\n[  5]"),
              std::string::npos)
        << out;
  }
}

TEST(TextReporterDataFile, PartOfAFileIsATruncatedPercentage) {
  Harness h(client_opts());
  const StreamInfo s5 = sinfo(5, true, true, 43642, 5990);
  EndReport end;
  end.streams = {end_stream(s5, 299, 0.5, 299, 0.5)};
  end.sum = sum_streams(end.streams, true);
  end.data_file = DataFileFigures{"f", 1000};
  h.r().on_end(end);
  EXPECT_NE(h.out().find("        Sent  299 Byte / 1000 Byte (29%) of f\n"), std::string::npos) << h.out();
}

}  // namespace
}  // namespace nperf::report
