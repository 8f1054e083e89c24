// Both sessions through their running phase against a scripted peer, with a
// fake engine (scripted byte counts, no threads, no data sockets) and, on
// the client, a fake clock: the interval reports, the TEST_END /
// EXCHANGE_RESULTS / DISPLAY_RESULTS exchange on the wire and the end report
// are checked value for value. The -J reporter formats them, so the test
// reads the figures a user reads.
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_engine.hpp"
#include "nperf/protocol/cookie.hpp"
#include "nperf/protocol/frame.hpp"
#include "nperf/protocol/params.hpp"
#include "nperf/protocol/results.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/session/client_session.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/server_session.hpp"

namespace nperf::session {
namespace {

using nlohmann::json;

// Reads what one end wrote, piece by piece, in order.
class WireReader {
 public:
  explicit WireReader(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::vector<uint8_t> take(size_t n) {
    n = std::min(n, bytes_.size() - at_);
    std::vector<uint8_t> out(bytes_.begin() + static_cast<long>(at_),
                             bytes_.begin() + static_cast<long>(at_ + n));
    at_ += n;
    return out;
  }
  int byte() { return at_ < bytes_.size() ? bytes_[at_++] : -1; }
  // One length-prefixed JSON message; "" when the bytes do not hold one.
  std::string frame() {
    if (bytes_.size() - at_ < 4) return "";
    std::array<uint8_t, 4> length{};
    std::copy_n(bytes_.begin() + static_cast<long>(at_), 4, length.begin());
    uint32_t n = protocol::read_be32(length);
    if (bytes_.size() - at_ - 4 < n) return "";
    std::string body(bytes_.begin() + static_cast<long>(at_ + 4),
                     bytes_.begin() + static_cast<long>(at_ + 4 + n));
    at_ += 4 + n;
    return body;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::vector<uint8_t> bytes_;
  size_t at_ = 0;
};

class RunningSessionTest : public testing::Test {
 public:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    mine_ = fds[0];  // the session's end
    peer_ = fds[1];  // the scripted peer's end
  }
  void TearDown() override {
    ::close(peer_);
    release_termination_signals();  // run() leaves them blocked for main()
  }

  void peer_writes(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(::write(peer_, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  }
  void peer_writes_json(const std::string& body) { peer_writes(protocol::encode_frame(body)); }
  // Everything the session wrote.
  std::vector<uint8_t> session_wrote() {
    std::vector<uint8_t> bytes(64 * 1024);
    ssize_t n = ::recv(peer_, bytes.data(), bytes.size(), MSG_DONTWAIT);
    bytes.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return bytes;
  }
  json document() const {
    EXPECT_FALSE(json_text_.empty()) << "the reporter wrote no document";
    return json_text_.empty() ? json::object() : json::parse(json_text_);
  }

  int mine_ = -1, peer_ = -1;
  std::string json_text_;
};

// One TCP stream, the client sends; the peer's (receiver's) half of the results.
protocol::TestResults receiver_results(uint64_t bytes, double end_time) {
  protocol::TestResults r;
  r.cpu_total = 1.5;
  r.cpu_user = 0.5;
  r.cpu_system = 1.0;
  r.sender_has_retransmits = -1;
  protocol::StreamResult s;
  s.id = 1;
  s.bytes = bytes;
  s.end_time = end_time;
  r.streams.push_back(s);
  return r;
}

// Runs a client with one TCP stream whose counts follow `bytes` against a
// server that answers TEST_END with `server_results`; returns the exit code.
int run_client(RunningSessionTest& t, const Config& config, SteppingClock& clock,
               FakeEngine::ByteScript bytes, const protocol::TestResults& server_results);

TEST_F(RunningSessionTest, ClientRunsTwoIntervalsThenExchangesResultsWithTheServer) {
  Config config;
  config.host = "scripted";
  config.spec.duration_s = 2;
  config.interval_s = 1;
  // The streams' counts: 1 MB in the first second, 3 MB more in the second.
  SteppingClock clock(100);
  auto bytes = [&clock](size_t, bool) -> uint64_t {
    return clock.now() >= 102 ? 4'000'000 : clock.now() >= 101 ? 1'000'000 : 0;
  };
  EXPECT_EQ(run_client(*this, config, clock, bytes, receiver_results(3'900'000, 2.0)), kExitOk);

  // The wire: cookie, parameters, TEST_END, the client's results, IPERF_DONE.
  WireReader wire(session_wrote());
  EXPECT_EQ(wire.take(protocol::kCookieWireSize).size(), protocol::kCookieWireSize);
  auto params = protocol::decode_params(wire.frame());
  ASSERT_TRUE(params.spec) << params.error;
  EXPECT_EQ(params.spec->duration_s, 2);
  EXPECT_EQ(wire.byte(), 4) << "TEST_END";
  auto results = protocol::decode_results(wire.frame());
  ASSERT_TRUE(results.results) << results.error;
  ASSERT_EQ(results.results->streams.size(), 1u);
  EXPECT_EQ(results.results->streams[0].id, 1);
  EXPECT_EQ(results.results->streams[0].bytes, 4'000'000u);
  EXPECT_DOUBLE_EQ(results.results->streams[0].start_time, 0);
  EXPECT_DOUBLE_EQ(results.results->streams[0].end_time, 2);
  EXPECT_EQ(wire.byte(), 16) << "IPERF_DONE";
  EXPECT_TRUE(wire.done());

  // What the user reads: two intervals, then the sender's and the receiver's sums.
  json doc = document();
  ASSERT_EQ(doc["intervals"].size(), 2u) << doc.dump(1);
  const json& first = doc["intervals"][0]["sum"];
  EXPECT_DOUBLE_EQ(first["start"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(first["end"].get<double>(), 1);
  EXPECT_EQ(first["bytes"].get<uint64_t>(), 1'000'000u);
  EXPECT_DOUBLE_EQ(first["bits_per_second"].get<double>(), 8e6);
  const json& second = doc["intervals"][1]["sum"];
  EXPECT_DOUBLE_EQ(second["start"].get<double>(), 1);
  EXPECT_DOUBLE_EQ(second["end"].get<double>(), 2);
  EXPECT_EQ(second["bytes"].get<uint64_t>(), 3'000'000u);
  EXPECT_DOUBLE_EQ(second["bits_per_second"].get<double>(), 24e6);
  const json& end = doc["end"];
  EXPECT_EQ(end["sum_sent"]["bytes"].get<uint64_t>(), 4'000'000u);
  EXPECT_DOUBLE_EQ(end["sum_sent"]["seconds"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(end["sum_sent"]["bits_per_second"].get<double>(), 16e6);
  EXPECT_EQ(end["sum_received"]["bytes"].get<uint64_t>(), 3'900'000u);
  EXPECT_DOUBLE_EQ(end["sum_received"]["seconds"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(end["sum_received"]["bits_per_second"].get<double>(), 15.6e6);
  EXPECT_DOUBLE_EQ(end["cpu_utilization_percent"]["remote_total"].get<double>(), 1.5);
  EXPECT_FALSE(doc.contains("error")) << doc["error"];
}

int run_client(RunningSessionTest& t, const Config& config, SteppingClock& clock,
               FakeEngine::ByteScript bytes, const protocol::TestResults& server_results) {
  // The server answers TEST_END (its bytes are waiting when the client reads
  // them; they are written when the client stops its streams, just before
  // TEST_END, so that nothing answers before the test ended).
  auto answer_test_end = [&t, &server_results] {
    t.peer_writes({13});  // EXCHANGE_RESULTS
    t.peer_writes_json(protocol::encode_results(server_results));
    t.peer_writes({14});  // DISPLAY_RESULTS
  };
  int streams_opened = 0;
  TestSeams seams;
  seams.open_stream = [&streams_opened](int) {
    ++streams_opened;
    return -1;
  };
  seams.make_engine = [&](std::vector<engine::StreamPlan> plans) {
    return std::make_unique<FakeEngine>(std::move(plans), bytes, answer_test_end);
  };
  seams.clock = &clock;

  t.peer_writes({9, 10, 1, 2});  // PARAM_EXCHANGE, CREATE_STREAMS, TEST_START, TEST_RUNNING
  report::JsonReporter reporter({}, [&t](std::string_view text) { t.json_text_ += text; });
  ClientSession client(config, reporter);
  client.set_test_seams(seams);
  int exit_code = client.run_connected(t.mine_);
  EXPECT_EQ(streams_opened, 1);
  EXPECT_LT(clock.waits(), SteppingClock::kMaxWaits) << "the test did not end by itself";
  return exit_code;
}

TEST_F(RunningSessionTest, ClientOmitsTheFirstSecondFromItsTotals) {
  Config config;
  config.host = "scripted";
  config.spec.duration_s = 2;
  config.spec.omit_s = 1;
  config.interval_s = 1;
  // 1 MB during -O, then 2 MB and 3 MB: the test is 3 s long, its totals 2.
  SteppingClock clock(100);
  auto bytes = [&clock](size_t, bool) -> uint64_t {
    double now = clock.now();
    return now >= 103 ? 6'000'000 : now >= 102 ? 3'000'000 : now >= 101 ? 1'000'000 : 0;
  };
  EXPECT_EQ(run_client(*this, config, clock, bytes, receiver_results(4'900'000, 2.0)), kExitOk);

  WireReader wire(session_wrote());
  wire.take(protocol::kCookieWireSize);
  ASSERT_TRUE(protocol::decode_params(wire.frame()).spec);
  EXPECT_EQ(wire.byte(), 4) << "TEST_END";
  auto results = protocol::decode_results(wire.frame());
  ASSERT_TRUE(results.results) << results.error;
  ASSERT_EQ(results.results->streams.size(), 1u);
  EXPECT_EQ(results.results->streams[0].bytes, 5'000'000u) << "the omitted second is not sent";

  json doc = document();
  ASSERT_EQ(doc["intervals"].size(), 3u) << doc.dump(1);
  const json& omitted = doc["intervals"][0]["sum"];
  EXPECT_TRUE(omitted["omitted"].get<bool>());
  EXPECT_EQ(omitted["bytes"].get<uint64_t>(), 1'000'000u);
  for (int i : {1, 2}) {
    const json& sum = doc["intervals"][i]["sum"];
    EXPECT_FALSE(sum["omitted"].get<bool>()) << i;
    EXPECT_EQ(sum["bytes"].get<uint64_t>(), i == 1 ? 2'000'000u : 3'000'000u);
    EXPECT_DOUBLE_EQ(sum["bits_per_second"].get<double>(), i == 1 ? 16e6 : 24e6);
  }
  const json& sent = doc["end"]["sum_sent"];
  EXPECT_EQ(sent["bytes"].get<uint64_t>(), 5'000'000u);
  EXPECT_DOUBLE_EQ(sent["seconds"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(sent["bits_per_second"].get<double>(), 20e6);
  EXPECT_EQ(doc["end"]["sum_received"]["bytes"].get<uint64_t>(), 4'900'000u);
}

TEST_F(RunningSessionTest, ServerReceivesUntilTestEndThenExchangesResults) {
  Config config;
  config.role = Role::kServer;
  config.one_off = true;
  TestSpec spec;
  spec.duration_s = 2;
  // The client's script, all of it at once: cookie, parameters, TEST_END,
  // its (sender's) results, IPERF_DONE. The server reads each when due.
  std::array<uint8_t, protocol::kCookieTextSize> random{};
  random.fill(7);
  auto cookie = protocol::cookie_to_wire(protocol::make_cookie(random));
  peer_writes(std::vector<uint8_t>(cookie.begin(), cookie.end()));
  peer_writes_json(protocol::encode_params(spec));
  peer_writes({4});  // TEST_END
  protocol::TestResults sender = receiver_results(5'000'000, 2.0);
  sender.sender_has_retransmits = 1;
  sender.streams[0].retransmits = 3;
  peer_writes_json(protocol::encode_results(sender));
  peer_writes({16});  // IPERF_DONE

  TestSeams seams;
  seams.open_stream = [](int) { return -1; };
  seams.make_engine = [](std::vector<engine::StreamPlan> plans) {
    // The server has received 4.8 MB by TEST_END.
    return std::make_unique<FakeEngine>(
        std::move(plans), [](size_t, bool started) -> uint64_t { return started ? 4'800'000 : 0; }, nullptr);
  };
  report::JsonOptions options;
  options.role = Role::kServer;
  report::JsonReporter reporter(options, [this](std::string_view text) { json_text_ += text; });
  ServerSession server(config, reporter);
  server.set_test_seams(seams);
  EXPECT_EQ(server.serve_connected(mine_), kExitOk);

  // The wire: PARAM_EXCHANGE .. TEST_RUNNING, then EXCHANGE_RESULTS, the
  // server's results, DISPLAY_RESULTS.
  WireReader wire(session_wrote());
  EXPECT_EQ(wire.take(5), (std::vector<uint8_t>{9, 10, 1, 2, 13}));
  auto results = protocol::decode_results(wire.frame());
  ASSERT_TRUE(results.results) << results.error;
  ASSERT_EQ(results.results->streams.size(), 1u);
  EXPECT_EQ(results.results->streams[0].id, 1);
  EXPECT_EQ(results.results->streams[0].bytes, 4'800'000u);
  EXPECT_EQ(results.results->sender_has_retransmits, -1) << "the server only received";
  EXPECT_EQ(wire.byte(), 14) << "DISPLAY_RESULTS";
  EXPECT_TRUE(wire.done());

  // The server prints its summary before it knows the client's numbers, as iperf3.
  json doc = document();
  const json& received = doc["end"]["sum_received"];
  EXPECT_EQ(received["bytes"].get<uint64_t>(), 4'800'000u) << doc["end"].dump(1);
  double seconds = received["seconds"].get<double>();
  ASSERT_GT(seconds, 0);
  EXPECT_DOUBLE_EQ(received["bits_per_second"].get<double>(), 4'800'000 * 8 / seconds);
  EXPECT_FALSE(doc.contains("error")) << doc["error"];
}

}  // namespace
}  // namespace nperf::session
