#include "nperf/report/json_reporter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "nperf/report/end_figures.hpp"
#include "nperf/report/tee_reporter.hpp"
#include "nperf/stats/stream_tracker.hpp"
#include "unit/json_schema_util.hpp"

namespace nperf::report {
namespace {

using Json = nlohmann::ordered_json;
using nperf::testing::join_lines;
using nperf::testing::load_iperf3_json;
using nperf::testing::schema_differences;
using nperf::testing::SchemaOptions;

std::string golden(const std::string& name) {
  return std::string(NPERF_GOLDEN_DIR) + "/" + name;
}

// ---------------------------------------------------------------------------
// A synthetic test run, shaped like the captured iperf3 runs in tests/golden.

struct TestRun {
  TestStartInfo start;
  std::vector<StreamInfo> streams;
  std::vector<IntervalReport> intervals;
  EndReport end;
};

struct RunShape {
  bool is_server = false;
  Direction direction = Direction::kForward;
  int parallel = 2;
  int intervals = 2;
  std::string title;
};

IntervalSum sum_of(const std::vector<IntervalStream>& streams, bool forward_part,
                   const std::vector<StreamInfo>& infos) {
  IntervalSum sum;
  bool first = true;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (infos[i].forward != forward_part) continue;
    const IntervalStream& s = streams[i];
    if (first) {
      sum.start = s.start;
      sum.end = s.end;
      sum.seconds = s.seconds;
      sum.sender = s.sender;
      sum.omitted = s.omitted;
      first = false;
    }
    sum.bytes += s.bytes;
    if (s.has_tcp_info) {
      sum.has_retransmits = true;
      sum.retransmits += s.retransmits;
    }
  }
  sum.bits_per_second = sum.seconds > 0 ? static_cast<double>(sum.bytes) * 8 / sum.seconds : 0;
  return sum;
}

RunShape shape(bool is_server = false, Direction direction = Direction::kForward, int parallel = 2,
               int intervals = 2, std::string title = "") {
  RunShape s;
  s.is_server = is_server;
  s.direction = direction;
  s.parallel = parallel;
  s.intervals = intervals;
  s.title = std::move(title);
  return s;
}

JsonOptions opts(bool is_server, std::string title = "") {
  JsonOptions o;
  o.role = is_server ? Role::kServer : Role::kClient;
  o.title = std::move(title);
  return o;
}

TestRun make_run(const RunShape& shape) {
  TestRun run;
  TestStartInfo& st = run.start;
  st.is_server = shape.is_server;
  st.version = "nperf 0.1 (iperf 3.12 protocol)";
  st.system_info = "Linux vm 6.18.44-fc-v769 #1 SMP PREEMPT_DYNAMIC @0 x86_64";
  st.time_rfc1123 = "Wed, 25 Nov 2026 19:24:01 GMT";
  st.timesecs = 1795634641;
  st.host = "127.0.0.1";
  st.port = shape.is_server ? 44468 : 5301;
  st.control_mss = 32768;
  st.cookie = "pu22m4u3uylkz5embtremoldp7xy6d4hg4wq";
  st.tcp_mss_default = shape.is_server ? 0 : 32768;
  st.sock_bufsize = 0;
  st.sndbuf_actual = 16384;
  st.rcvbuf_actual = 131072;
  st.spec.direction = shape.direction;
  st.spec.parallel = shape.parallel;
  st.spec.duration_s = 2;
  st.spec.rate_bps = 8000000;
  st.spec.title = shape.title;
  st.interval_s = 1;

  // Streams: client->server first.
  const bool bidir = shape.direction == Direction::kBidir;
  std::vector<bool> directions;
  for (int i = 0; i < shape.parallel; ++i) directions.push_back(shape.direction != Direction::kReverse);
  if (bidir)
    for (int i = 0; i < shape.parallel; ++i) directions.push_back(false);
  int fd = shape.is_server ? 5 : 4;
  int id = 1;
  for (bool forward : directions) {
    StreamInfo s;
    s.socket = fd;
    fd += 2;
    s.id = id;
    id = id == 1 ? 3 : id + 1;
    s.forward = forward;
    s.sender = forward != shape.is_server;
    s.local_host = "127.0.0.1";
    s.remote_host = "127.0.0.1";
    s.local_port = shape.is_server ? 5301 : 44484 + 4 * s.id;
    s.remote_port = shape.is_server ? 44484 + 4 * s.id : 5301;
    run.streams.push_back(s);
  }

  for (int k = 0; k < shape.intervals; ++k) {
    IntervalReport rep;
    for (const StreamInfo& info : run.streams) {
      IntervalStream s;
      s.socket = info.socket;
      s.start = 1.000149 * k;
      s.end = 1.000149 * (k + 1);
      s.seconds = 1.0001490116119385;
      s.bytes = 1048576;
      s.bits_per_second = static_cast<double>(s.bytes) * 8 / s.seconds;
      s.sender = info.sender;
      s.omitted = false;
      s.cpu = 2;
      if (info.sender) {
        s.has_tcp_info = true;
        s.retransmits = 1;
        s.snd_cwnd = 1178694;
        s.snd_wnd = 328704;
        s.rtt = 731;
        s.rttvar = 1349;
        s.pmtu = 65535;
        s.reorder = 0;
      }
      rep.streams.push_back(s);
    }
    if (bidir) {
      rep.sum = sum_of(rep.streams, true, run.streams);
      rep.sum_reverse = sum_of(rep.streams, false, run.streams);
    } else {
      rep.sum = sum_of(rep.streams, shape.direction != Direction::kReverse, run.streams);
    }
    run.intervals.push_back(rep);
  }

  EndReport& end = run.end;
  end.is_server = shape.is_server;
  end.direction = shape.direction;
  for (const StreamInfo& info : run.streams) {
    EndStream e;
    e.info = info;
    // The client learns the peer's half in the results exchange; the server
    // prints its summary before that exchange.
    e.sender_known = info.sender || !shape.is_server;
    e.receiver_known = !info.sender || !shape.is_server;
    if (e.sender_known) {
      e.sent_bytes = 2097152;
      e.sender_seconds = 2.000147;
      e.has_retransmits = true;
      e.retransmits = 2;
      e.max_snd_cwnd = 1178694;
      e.max_snd_wnd = 328704;
      e.max_rtt = 936;
      e.min_rtt = 731;
      e.mean_rtt = 833;
    }
    if (e.receiver_known) {
      e.received_bytes = 2097152;
      e.receiver_seconds = 2.005092;
    }
    e.cpus_seen = {2, 3};
    e.pinned_cpu = -1;
    end.streams.push_back(e);
  }
  if (bidir) {
    end.sum = sum_streams(end.streams, true);
    end.sum_reverse = sum_streams(end.streams, false);
  } else {
    end.sum = sum_streams(end.streams, shape.direction != Direction::kReverse);
  }
  end.cpu = {2.2418057128356725,  0.65242595457444952, 1.5894297104819242, 0.072066410818440022, 0,
             0.072016537869776742};
  if (shape.is_server) {
    end.cpu.remote_total = end.cpu.remote_user = end.cpu.remote_system = 0;
    if (bidir || shape.direction == Direction::kReverse) end.sender_congestion = "bbr";
    if (shape.direction != Direction::kReverse) end.receiver_congestion = "bbr";
  } else {
    end.sender_congestion = "bbr";
    end.receiver_congestion = "bbr";
  }
  return run;
}

// A UDP run shaped like judp312 (-u -b 1M -l 1000 -t 2): 125 datagrams of
// 1000 bytes per second and stream. `lost` datagrams go missing in the second
// interval of every receiving stream; -1: the end's loss is unknown (a
// pre-3.14 peer with -O).
TestRun make_udp_run(const RunShape& shape, int64_t lost = 0) {
  TestRun run = make_run(shape);
  TestStartInfo& st = run.start;
  st.spec.protocol = Protocol::kUdp;
  st.spec.block_len = 1000;
  st.spec.rate_bps = 1000000;
  st.tcp_mss_default = 0;
  st.sndbuf_actual = st.rcvbuf_actual = 212992;
  const bool bidir = shape.direction == Direction::kBidir;
  const double jitter_ms = 0.021510139735258747;

  run.intervals.clear();
  for (int k = 0; k < shape.intervals; ++k) {
    IntervalReport rep;
    for (const StreamInfo& info : run.streams) {
      IntervalStream s;
      s.socket = info.socket;
      s.start = 1.000079 * k;
      s.end = 1.000079 * (k + 1);
      s.seconds = 1.0000790357589722;
      s.bytes = 125000;
      s.bits_per_second = static_cast<double>(s.bytes) * 8 / s.seconds;
      s.sender = info.sender;
      s.udp = true;
      s.packets = 125;
      if (!info.sender) {
        s.lost_packets = k == 1 ? std::max<int64_t>(lost, 0) : 0;
        s.jitter_ms = jitter_ms * info.id;
        s.lost_percent = 100.0 * static_cast<double>(s.lost_packets) / static_cast<double>(s.packets);
      }
      rep.streams.push_back(s);
    }
    std::vector<bool> fwd, rev;
    for (const StreamInfo& info : run.streams) {
      fwd.push_back(bidir ? info.forward : true);
      rev.push_back(!info.forward);
    }
    rep.sum = sum_interval(rep.streams, fwd);
    if (bidir) rep.sum_reverse = sum_interval(rep.streams, rev);
    run.intervals.push_back(rep);
  }

  // As TestRun::end_report/fill_udp fill it: the client knows both halves,
  // the server (before the results exchange) only its own.
  EndReport& end = run.end;
  end.streams.clear();
  end.sender_congestion.clear();
  end.receiver_congestion.clear();
  for (const StreamInfo& info : run.streams) {
    EndStream e;
    e.info = info;
    e.udp = true;
    const bool peer = !shape.is_server;
    e.sender_known = info.sender || peer;
    e.receiver_known = !info.sender || peer;
    if (e.sender_known) {
      e.sent_bytes = 250000;
      e.sender_seconds = 2.000096;
      e.sender_packets = 250;
    }
    if (e.receiver_known) {
      e.received_bytes = 250000 - 1000 * static_cast<uint64_t>(std::max<int64_t>(lost, 0));
      e.receiver_seconds = 2.000236;
      e.receiver_packets = 250;
      e.lost_packets = lost;
      e.out_of_order = 1;
      e.jitter_ms = jitter_ms * info.id;
    }
    e.cpus_seen = {1};
    end.streams.push_back(e);
  }
  if (bidir) {
    end.sum = sum_streams(end.streams, true);
    end.sum_reverse = sum_streams(end.streams, false);
  } else {
    end.sum = sum_streams(end.streams, shape.direction != Direction::kReverse);
  }
  return run;
}

// Feeds a whole run in the order the Reporter interface documents.
void play(Reporter& r, const TestRun& run, bool finish = true) {
  if (run.start.is_server) r.on_server_listening(5301, 1);
  r.on_connected(run.start);
  for (const StreamInfo& s : run.streams) r.on_stream_connected(s);
  r.on_test_start(run.start);
  for (const IntervalReport& i : run.intervals) r.on_interval(i);
  r.on_end(run.end);
  if (finish) r.on_finish();
}

// Runs `run` through a JsonReporter and returns the parsed output.
Json render(const TestRun& run, JsonOptions options = {}) {
  options.role = run.start.is_server ? Role::kServer : Role::kClient;
  std::vector<std::string> out;
  JsonReporter r(options, [&](std::string_view text) { out.emplace_back(text); });
  play(r, run);
  EXPECT_EQ(out.size(), 1u);
  if (out.empty()) return nullptr;
  return Json::parse(out.front());
}

std::vector<std::string> keys_of(const Json& obj) {
  std::vector<std::string> keys;
  for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(it.key());
  return keys;
}

// All key names that appear anywhere in `j` (optionally skipping "nperf" subtrees).
void collect_keys(const Json& j, bool skip_nperf, std::set<std::string>& keys) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (skip_nperf && it.key() == "nperf") continue;
      keys.insert(it.key());
      collect_keys(it.value(), skip_nperf, keys);
    }
  } else if (j.is_array()) {
    for (const Json& e : j) collect_keys(e, skip_nperf, keys);
  }
}

// Master-only keys (newer than 3.12) that nperf does not emit.
const SchemaOptions kMasterOnly{{"reorder", "timemillisecs", "fq_rate", "gso", "gro", "extra_data"}};

// ---------------------------------------------------------------------------
// (a) Schema: every key path of iperf3's document exists in ours, same type.

TEST(JsonReporterSchema, Tcp312ClientParallel2) {
  const Json ref = load_iperf3_json(golden("json_jtcp312.client.out"));
  ASSERT_TRUE(ref.is_object());
  ASSERT_EQ(ref["start"]["version"], "iperf 3.12");
  const Json ours = render(make_run(shape()));
  const auto diffs = schema_differences(ref, ours);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterSchema, Tcp312ServerParallel2) {
  const Json ref = load_iperf3_json(golden("json_jtcp312.server.out"));
  ASSERT_TRUE(ref.is_object());
  const Json ours = render(make_run(shape(true)));
  const auto diffs = schema_differences(ref, ours);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterSchema, BidirClient) {
  const Json ref = load_iperf3_json(golden("json_jbidir.client.out"));
  ASSERT_TRUE(ref.is_object());
  const Json ours = render(make_run(shape(false, Direction::kBidir, 1)));
  const auto diffs = schema_differences(ref, ours, kMasterOnly);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterSchema, BidirServer) {
  const Json ref = load_iperf3_json(golden("json_jbidir.server.out"));
  ASSERT_TRUE(ref.is_object());
  const Json ours = render(make_run(shape(true, Direction::kBidir, 1)));
  const auto diffs = schema_differences(ref, ours, kMasterOnly);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterSchema, TitleAndServerOutputJson) {
  const Json ref = load_iperf3_json(golden("json_jtitle.client.out"));
  ASSERT_TRUE(ref.is_object());
  // The server's document travels to the client as a string.
  const Json server_doc = render(make_run(shape(true, Direction::kForward, 1, 1, "mytitle")));
  TestRun client = make_run(shape(false, Direction::kForward, 1, 1, "mytitle"));
  client.start.spec.get_server_output = true;
  client.end.server_output_json = server_doc.dump();
  const Json ours = render(client, opts(false, "mytitle"));
  const auto diffs = schema_differences(ref, ours, kMasterOnly);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonSchemaUtil, NamesMissingAndMismatchedPaths) {
  const Json ref = Json::parse(R"({"a":{"b":1,"c":"x"},"l":[{"d":true}],"n":2.5})");
  const Json ours = Json::parse(R"({"a":{"b":"1"},"l":[{}],"n":3})");
  const auto diffs = schema_differences(ref, ours);
  EXPECT_EQ(diffs, (std::vector<std::string>{"$.a.b: type string, iperf3 has number", "$.a.c: missing",
                                             "$.l[0].d: missing"}));
  EXPECT_TRUE(schema_differences(ref, ref).empty());
}

// ---------------------------------------------------------------------------
// Key order, as iperf3 3.12 prints it.

TEST(JsonReporterOrder, ClientStartKeys) {
  const Json doc = render(make_run(shape()));
  EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"start", "intervals", "end"}));
  EXPECT_EQ(keys_of(doc["start"]),
            (std::vector<std::string>{"connected", "version", "system_info", "timestamp", "connecting_to",
                                      "cookie", "tcp_mss_default", "target_bitrate", "sock_bufsize",
                                      "sndbuf_actual", "rcvbuf_actual", "test_start"}));
  EXPECT_EQ(
      keys_of(doc["start"]["test_start"]),
      (std::vector<std::string>{"protocol", "num_streams", "blksize", "omit", "duration", "bytes", "blocks",
                                "reverse", "tos", "target_bitrate", "bidir", "fqrate", "interval", "nperf"}));
  EXPECT_EQ(keys_of(doc["start"]["connected"][0]),
            (std::vector<std::string>{"socket", "local_host", "local_port", "remote_host", "remote_port"}));
  EXPECT_EQ(keys_of(doc["intervals"][0]["streams"][0]),
            (std::vector<std::string>{"socket", "start", "end", "seconds", "bytes", "bits_per_second",
                                      "retransmits", "snd_cwnd", "snd_wnd", "rtt", "rttvar", "pmtu",
                                      "omitted", "sender"}));
  EXPECT_EQ(keys_of(doc["end"]["streams"][0]["sender"]),
            (std::vector<std::string>{"socket", "start", "end", "seconds", "bytes", "bits_per_second",
                                      "retransmits", "max_snd_cwnd", "max_snd_wnd", "max_rtt", "min_rtt",
                                      "mean_rtt", "sender"}));
  EXPECT_EQ(keys_of(doc["end"]),
            (std::vector<std::string>{"streams", "sum_sent", "sum_received", "cpu_utilization_percent",
                                      "sender_tcp_congestion", "receiver_tcp_congestion", "nperf"}));
}

// nperf's extension: bytes per send/recv call; the block stays "blksize".
TEST(JsonReporterTcpCalls, TestStartReportsTheCallSize) {
  TestRun run = make_run(shape());
  run.start.spec.block_len = 131072;
  run.start.spec.call_len = 0;  // an explicit -l
  Json one = render(run)["start"]["test_start"];
  EXPECT_EQ(one["blksize"], 131072);
  EXPECT_EQ(one["nperf"]["tcp_call_bytes"], 131072);
  EXPECT_EQ(one["nperf"]["blocks_per_call"], 1);
  run.start.spec.call_len = 1 << 20;  // no -l
  EXPECT_EQ(render(run)["start"]["test_start"]["nperf"]["tcp_call_bytes"], 131072)
      << "-b 8M: a millisecond of the rate is less than a block";
  run.start.spec.rate_bps = 0;
  Json several = render(run)["start"]["test_start"];
  EXPECT_EQ(several["blksize"], 131072);
  EXPECT_EQ(several["nperf"]["tcp_call_bytes"], 1 << 20);
  EXPECT_EQ(several["nperf"]["blocks_per_call"], 8);
}

TEST(JsonReporterOrder, ServerStartKeys) {
  const Json doc = render(make_run(shape(true)));
  EXPECT_EQ(keys_of(doc["start"]),
            (std::vector<std::string>{"connected", "version", "system_info", "target_bitrate", "sock_bufsize",
                                      "sndbuf_actual", "rcvbuf_actual", "timestamp", "accepted_connection",
                                      "cookie", "tcp_mss_default", "test_start"}));
  EXPECT_EQ(doc["start"]["tcp_mss_default"], 0);
  EXPECT_EQ(keys_of(doc["intervals"][0]["streams"][0]),
            (std::vector<std::string>{"socket", "start", "end", "seconds", "bytes", "bits_per_second",
                                      "omitted", "sender"}));
}

TEST(JsonReporterOrder, ServerUnlimitedRatePrintsTargetBitrateAfterMss) {
  TestRun run = make_run(shape(true));
  run.start.spec.rate_bps = 0;
  const Json doc = render(run);
  const auto keys = keys_of(doc["start"]);
  EXPECT_EQ(keys[3], "sock_bufsize");
  EXPECT_EQ(keys[10], "target_bitrate");
  EXPECT_EQ(doc["start"]["target_bitrate"], 0);
}

TEST(JsonReporterOrder, MssGivenPrintsTcpMss) {
  TestRun run = make_run(shape());
  run.start.spec.mss = 1400;
  run.start.tcp_mss = 1400;
  const Json doc = render(run);
  EXPECT_FALSE(doc["start"].contains("tcp_mss_default"));
  EXPECT_EQ(doc["start"]["tcp_mss"], 1400);
}

// ---------------------------------------------------------------------------
// (b) Values.

void expect_rate(const Json& obj, const std::string& where) {
  const double seconds = obj["end"].get<double>() - obj["start"].get<double>();
  const double bytes = obj["bytes"].get<double>();
  const double expected = seconds > 0 ? bytes * 8 / seconds : 0;
  EXPECT_NEAR(obj["bits_per_second"].get<double>(), expected, 1e-6 * expected + 1e-9) << where;
}

TEST(JsonReporterValues, BitsPerSecondIsBytesTimesEightOverDuration) {
  for (bool server : {false, true}) {
    const Json doc = render(make_run(shape(server, Direction::kBidir)));
    for (const Json& s : doc["end"]["streams"]) {
      expect_rate(s["sender"], "sender");
      expect_rate(s["receiver"], "receiver");
    }
    for (const char* k : {"sum_sent", "sum_received", "sum_sent_bidir_reverse", "sum_received_bidir_reverse"})
      expect_rate(doc["end"][k], k);
  }
  // jtcp312 numbers: 2097152 bytes over 2.000147 s sent, 2.005092 s received.
  const Json doc = render(make_run(shape()));
  const Json& s0 = doc["end"]["streams"][0];
  EXPECT_DOUBLE_EQ(s0["sender"]["bits_per_second"].get<double>(), 8387991.4826260265);
  EXPECT_DOUBLE_EQ(s0["receiver"]["bits_per_second"].get<double>(), 8367304.8418725925);
  EXPECT_DOUBLE_EQ(doc["end"]["sum_received"]["bits_per_second"].get<double>(), 16734609.683745185);
}

TEST(JsonReporterValues, ReceiverSecondsQuirk) {
  // iperf3 prints this side's own duration of the first stream as the
  // receiver's "seconds", and the receiver duration as its "end".
  const Json doc = render(make_run(shape()));
  const Json& r = doc["end"]["streams"][1]["receiver"];
  EXPECT_DOUBLE_EQ(r["end"].get<double>(), 2.005092);
  EXPECT_DOUBLE_EQ(r["seconds"].get<double>(), 2.000147);
  EXPECT_DOUBLE_EQ(doc["end"]["sum_received"]["seconds"].get<double>(), 2.005092);
  EXPECT_DOUBLE_EQ(doc["end"]["sum_sent"]["end"].get<double>(), 2.000147);
}

TEST(JsonReporterValues, ServerUnknownSenderHalfIsZero) {
  const Json doc = render(make_run(shape(true)));
  for (const Json& s : doc["end"]["streams"]) {
    EXPECT_EQ(s["sender"]["bytes"], 0);
    EXPECT_EQ(s["sender"]["bits_per_second"], 0);
    EXPECT_DOUBLE_EQ(s["sender"]["end"].get<double>(), 2.005092);  // falls back to the receiver time
    EXPECT_FALSE(s["sender"].contains("retransmits"));
    EXPECT_EQ(s["receiver"]["bytes"], 2097152);
  }
  EXPECT_EQ(doc["end"]["sum_sent"]["bytes"], 0);
  EXPECT_EQ(doc["end"]["sum_received"]["bytes"], 4194304);
  EXPECT_FALSE(doc["end"].contains("sender_tcp_congestion"));
  EXPECT_EQ(doc["end"]["receiver_tcp_congestion"], "bbr");
  EXPECT_EQ(doc["end"]["cpu_utilization_percent"]["remote_total"], 0);
}

// -F: iperf3 3.12 puts "diskfile" between each stream's "sender" and
// "receiver" (a real client run sent a 3 000 000-byte file; a server that
// wrote it knows no sender bytes and says so with 0).
TEST(JsonReporterValues, DiskfileSitsBetweenTheHalvesWithIperf3sKeys) {
  TestRun client = make_run(shape(false, Direction::kForward, 1));
  client.end.data_file = DataFileFigures{"f3m.bin", 4194304};
  const Json doc = render(client);
  const Json& s = doc["end"]["streams"][0];
  EXPECT_EQ(keys_of(s), (std::vector<std::string>{"sender", "diskfile", "receiver"}));
  EXPECT_EQ(keys_of(s["diskfile"]), (std::vector<std::string>{"sent", "received", "size", "percent_sent",
                                                              "percent_received", "filename"}));
  EXPECT_EQ(s["diskfile"]["sent"], s["sender"]["bytes"]);
  EXPECT_EQ(s["diskfile"]["received"], s["receiver"]["bytes"]);
  EXPECT_EQ(s["diskfile"]["size"], 4194304);
  EXPECT_EQ(s["diskfile"]["percent_sent"], 50);  // 2 MiB of 4 MiB
  EXPECT_EQ(s["diskfile"]["filename"], "f3m.bin");

  TestRun server = make_run(shape(true, Direction::kForward, 1));
  server.end.data_file = DataFileFigures{"/tmp/recv.bin", 2097152};
  const Json sdoc = render(server);
  const Json& d = sdoc["end"]["streams"][0]["diskfile"];
  EXPECT_EQ(d["sent"], 0);
  EXPECT_EQ(d["percent_sent"], 0);
  EXPECT_EQ(d["received"], 2097152);
  EXPECT_EQ(d["percent_received"], 100);
  // A peer's byte count far past the file: clamped, not an out-of-range cast.
  EXPECT_EQ(file_percent(std::numeric_limits<uint64_t>::max(), 1), 2'000'000'000);
  EXPECT_EQ(file_percent(5, 0), 0);
  // Without -F, no key.
  EXPECT_FALSE(render(make_run(shape()))["end"]["streams"][0].contains("diskfile"));
}

TEST(JsonReporterValues, SumsAddUp) {
  const Json doc = render(make_run(shape(false, Direction::kForward, 3)));
  for (const Json& i : doc["intervals"]) {
    uint64_t bytes = 0;
    int64_t retr = 0;
    for (const Json& s : i["streams"]) {
      bytes += s["bytes"].get<uint64_t>();
      retr += s["retransmits"].get<int64_t>();
    }
    EXPECT_EQ(i["sum"]["bytes"].get<uint64_t>(), bytes);
    EXPECT_EQ(i["sum"]["retransmits"].get<int64_t>(), retr);
    EXPECT_EQ(i["sum"]["start"], i["streams"][0]["start"]);
  }
  uint64_t sent = 0, received = 0;
  int64_t retr = 0;
  for (const Json& s : doc["end"]["streams"]) {
    sent += s["sender"]["bytes"].get<uint64_t>();
    received += s["receiver"]["bytes"].get<uint64_t>();
    retr += s["sender"]["retransmits"].get<int64_t>();
  }
  EXPECT_EQ(doc["end"]["sum_sent"]["bytes"].get<uint64_t>(), sent);
  EXPECT_EQ(doc["end"]["sum_received"]["bytes"].get<uint64_t>(), received);
  EXPECT_EQ(doc["end"]["sum_sent"]["retransmits"].get<int64_t>(), retr);
}

TEST(JsonReporterValues, SenderFlagsAreTheStreamDirectionSeenFromThisHost) {
  const Json fwd_client = render(make_run(shape()));
  for (const Json& s : fwd_client["end"]["streams"]) {
    EXPECT_EQ(s["sender"]["sender"], true);
    EXPECT_EQ(s["receiver"]["sender"], true);
  }
  EXPECT_EQ(fwd_client["end"]["sum_received"]["sender"], true);

  const Json rev_client = render(make_run(shape(false, Direction::kReverse)));
  EXPECT_EQ(rev_client["start"]["test_start"]["reverse"], 1);
  EXPECT_EQ(rev_client["intervals"][0]["sum"]["sender"], false);
  EXPECT_EQ(rev_client["end"]["streams"][0]["sender"]["sender"], false);
  EXPECT_EQ(rev_client["end"]["sum_sent"]["sender"], false);
  EXPECT_EQ(rev_client["end"]["sum_sent"]["bytes"], 4194304);

  const Json bidir_client = render(make_run(shape(false, Direction::kBidir, 1)));
  EXPECT_EQ(bidir_client["start"]["test_start"]["bidir"], 1);
  EXPECT_EQ(bidir_client["intervals"][0]["sum"]["sender"], true);
  EXPECT_EQ(bidir_client["intervals"][0]["sum_bidir_reverse"]["sender"], false);
  EXPECT_EQ(bidir_client["end"]["streams"][0]["receiver"]["sender"], true);
  EXPECT_EQ(bidir_client["end"]["streams"][1]["receiver"]["sender"], false);
  EXPECT_EQ(bidir_client["end"]["sum_sent"]["sender"], true);
  EXPECT_EQ(bidir_client["end"]["sum_sent_bidir_reverse"]["sender"], false);

  const Json bidir_server = render(make_run(shape(true, Direction::kBidir, 1)));
  EXPECT_EQ(bidir_server["end"]["sum_sent"]["sender"], false);
  EXPECT_EQ(bidir_server["end"]["sum_sent_bidir_reverse"]["sender"], true);
  EXPECT_EQ(bidir_server["end"]["sum_received_bidir_reverse"]["bytes"], 0);
}

TEST(JsonReporterValues, RetransmitsOnlyOnSendingObjects) {
  for (bool server : {false, true}) {
    const Json doc = render(make_run(shape(server, Direction::kBidir)));
    for (const Json& i : doc["intervals"]) {
      for (const Json& s : i["streams"])
        EXPECT_EQ(s.contains("retransmits"), s["sender"].get<bool>()) << s.dump();
      for (const char* k : {"sum", "sum_bidir_reverse"})
        EXPECT_EQ(i[k].contains("retransmits"), i[k]["sender"].get<bool>()) << k;
    }
    for (const Json& s : doc["end"]["streams"]) EXPECT_FALSE(s["receiver"].contains("retransmits"));
    EXPECT_FALSE(doc["end"]["sum_received"].contains("retransmits"));
    EXPECT_FALSE(doc["end"]["sum_received_bidir_reverse"].contains("retransmits"));
  }
}

TEST(JsonReporterValues, NumbersKeepTheirSignAndIntegersPrintAsIntegers) {
  TestRun run = make_run(shape(false, Direction::kForward, 1, 1));
  run.intervals[0].streams[0].rtt = -1;
  run.intervals[0].streams[0].pmtu = -1;
  run.end.streams[0].sent_bytes = 5'000'000'000ULL;  // > 2^32
  std::vector<std::string> out;
  JsonReporter r({}, [&](std::string_view t) { out.emplace_back(t); });
  play(r, run);
  ASSERT_EQ(out.size(), 1u);
  const std::string& text = out[0];
  EXPECT_EQ(text.find("18446744073709551615"), std::string::npos);
  EXPECT_NE(text.find("\"rtt\": -1"), std::string::npos);
  EXPECT_NE(text.find("\"duration\": 2,"), std::string::npos);  // not 2.0
  EXPECT_NE(text.find("\"bytes\": 5000000000"), std::string::npos);
  EXPECT_EQ(text.rfind("{\n\t\"start\": {\n\t\t\"connected\": [", 0), 0u);  // tab indentation
  EXPECT_EQ(text.back(), '\n');
  const Json doc = Json::parse(text);
  EXPECT_TRUE(doc["end"]["streams"][0]["sender"]["start"].is_number_integer());
  EXPECT_TRUE(doc["end"]["streams"][0]["sender"]["seconds"].is_number_float());
}

TEST(JsonReporterValues, TitleAtTopLevelAfterEnd) {
  const Json doc = render(make_run(shape()), opts(false, "mytitle"));
  EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"start", "intervals", "end", "title"}));
  EXPECT_EQ(doc["title"], "mytitle");
  // The server prints the title it received from the client.
  const Json server = render(make_run(shape(true, Direction::kForward, 2, 2, "fromclient")));
  EXPECT_EQ(server["title"], "fromclient");
}

TEST(JsonReporterValues, ExtraDataAfterTitleAndTosFqRateInTestStartOnBothEnds) {
  for (bool server : {false, true}) {
    TestRun run = make_run(shape(server, Direction::kForward, 1, 1, "t"));
    run.start.spec.extra_data = "rack=3";
    run.start.spec.tos = 40;
    run.start.spec.fq_rate_bps = 200'000'000;
    const Json doc = render(run, opts(server, server ? "" : "t"));
    EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"start", "intervals", "end", "title", "extra_data"}))
        << server;
    EXPECT_EQ(doc["extra_data"], "rack=3");
    EXPECT_EQ(doc["start"]["test_start"]["tos"], 40);
    EXPECT_EQ(doc["start"]["test_start"]["fqrate"], 200'000'000);
  }
}

// --json-stream: the same objects as -J, one compact line per event.
std::vector<std::string> stream_lines(const TestRun& run, const std::string& error = "") {
  JsonOptions o;
  o.role = run.start.is_server ? Role::kServer : Role::kClient;
  o.stream = true;
  std::vector<std::string> out;
  JsonReporter r(o, [&](std::string_view text) { out.emplace_back(text); });
  play(r, run, /*finish=*/false);
  if (!error.empty()) r.on_error(error);
  r.on_finish();
  return out;
}

TEST(JsonReporterStream, EventsCarryTheObjectsOfTheDocument) {
  for (bool server : {false, true}) {
    const TestRun run = make_run(shape(server, Direction::kBidir, 2, 3));
    const Json doc = render(run);
    const auto lines = stream_lines(run);
    ASSERT_EQ(lines.size(), 1u + 3 + 1) << "start, 3 intervals, end";
    std::vector<Json> events;
    for (const auto& line : lines) {
      EXPECT_EQ(line.back(), '\n');
      EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << "one line per event";
      events.push_back(Json::parse(line));
      EXPECT_EQ(keys_of(events.back()), (std::vector<std::string>{"event", "data"}));
    }
    EXPECT_EQ(events[0]["event"], "start");
    EXPECT_EQ(events[0]["data"], doc["start"]);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(events[1 + i]["event"], "interval");
      EXPECT_EQ(events[1 + i]["data"], doc["intervals"][i]);
    }
    EXPECT_EQ(events[4]["event"], "end");
    EXPECT_EQ(events[4]["data"], doc["end"]);
  }
}

TEST(JsonReporterStream, ErrorEventComesBeforeEnd) {
  const auto lines = stream_lines(make_run(shape()), "the server has terminated");
  ASSERT_EQ(lines.size(), 1u + 2 + 2);
  EXPECT_EQ(Json::parse(lines[3]), Json::parse(R"({"event":"error","data":"the server has terminated"})"));
  EXPECT_EQ(Json::parse(lines[4])["event"], "end");
}

TEST(JsonReporterStream, ReporterIsReadyForTheNextTest) {
  const TestRun run = make_run(shape(true));
  JsonOptions o;
  o.role = Role::kServer;
  o.stream = true;
  std::vector<std::string> out;
  JsonReporter r(o, [&](std::string_view text) { out.emplace_back(text); });
  play(r, run);
  play(r, run);
  ASSERT_EQ(out.size(), 2u * (1 + 2 + 1));
  EXPECT_EQ(out[0], out[4]);  // the second test starts afresh
}

TEST(JsonReporterValues, ErrorKey) {
  // Connection refused: only "start" skeleton, empty intervals and end.
  std::vector<std::string> out;
  JsonReporter r(opts(false, "t"), [&](std::string_view t) { out.emplace_back(t); });
  r.on_error("unable to connect to server - server may have stopped running or use a different port");
  r.on_finish();
  ASSERT_EQ(out.size(), 1u);
  const Json doc = Json::parse(out[0]);
  EXPECT_EQ(keys_of(doc), (std::vector<std::string>{"start", "intervals", "end", "error", "title"}));
  EXPECT_EQ(doc["start"]["connected"], Json::array());
  EXPECT_EQ(doc["intervals"], Json::array());
  EXPECT_EQ(doc["end"], Json::object());
  EXPECT_EQ(doc["error"],
            "unable to connect to server - server may have stopped running or use a different port");

  // An error after the test ran keeps everything and adds the key.
  const TestRun run = make_run(shape());
  out.clear();
  JsonReporter r2({}, [&](std::string_view t) { out.emplace_back(t); });
  play(r2, run, /*finish=*/false);
  r2.on_error("control socket has closed unexpectedly");
  r2.on_error("second");
  r2.on_finish();
  const Json doc2 = Json::parse(out.at(0));
  EXPECT_EQ(doc2["error"], "control socket has closed unexpectedly");
  EXPECT_EQ(doc2["intervals"].size(), 2u);
  EXPECT_EQ(doc2["nperf"]["errors"], Json::array({"second"}));
}

TEST(JsonReporterValues, ServerOutputJsonAndText) {
  TestRun run = make_run(shape());
  run.end.server_output_json = R"({"start":{"connected":[]},"intervals":[],"end":{}})";
  run.end.server_output_text = "";
  Json doc = render(run);
  ASSERT_TRUE(doc["server_output_json"].is_object());
  EXPECT_TRUE(doc["server_output_json"]["intervals"].is_array());

  TestRun run2 = make_run(shape());
  run2.end.server_output_text = "Accepted connection from 127.0.0.1\n";
  doc = render(run2, opts(false, "x"));
  EXPECT_EQ(keys_of(doc),
            (std::vector<std::string>{"start", "intervals", "end", "title", "server_output_text"}));
  EXPECT_EQ(doc["server_output_text"], "Accepted connection from 127.0.0.1\n");
}

TEST(JsonReporterValues, ExtensionOnlyUnderNperf) {
  // Every key outside "nperf" subtrees must be one iperf3 prints.
  std::set<std::string> iperf_keys = {"error", "tcp_mss", "server_output_text"};
  for (const char* f : {"json_jtcp312.client.out", "json_jtcp312.server.out", "json_jbidir.client.out",
                        "json_jbidir.server.out", "json_jtitle.client.out"}) {
    collect_keys(load_iperf3_json(golden(f)), false, iperf_keys);
  }
  std::vector<std::string> out;
  JsonReporter r(opts(false, "t"), [&](std::string_view t) { out.emplace_back(t); });
  TestRun run = make_run(shape(false, Direction::kBidir));
  run.end.server_output_text = "text";
  Verdict verdict;
  verdict.cause = Bottleneck::kReceiverWindow;
  verdict.reason = "the sender waited";
  verdict.advice = "raise -w";
  verdict.figures = {{"rwnd_limited", 0.8}};
  run.end.verdict = verdict;
  run.end.streams[0].verdict = verdict;
  run.end.streams[0].local_evidence.known = true;
  run.end.streams[0].local_evidence.thread_cpu = 0.25;
  play(r, run, false);
  r.on_warning("could not pin stream 3 to core 7");
  r.on_error("boom");
  r.on_finish();
  const Json doc = Json::parse(out.at(0));
  std::set<std::string> ours;
  collect_keys(doc, true, ours);
  for (const std::string& k : ours)
    EXPECT_TRUE(iperf_keys.count(k)) << "non-iperf3 key outside \"nperf\": " << k;

  // The extension data itself.
  EXPECT_EQ(doc["nperf"]["warnings"], Json::array({"could not pin stream 3 to core 7"}));
  const Json& ext = doc["end"]["nperf"];
  EXPECT_EQ(ext["version"], "nperf 0.1 (iperf 3.12 protocol)");
  ASSERT_EQ(ext["streams"].size(), 4u);
  EXPECT_EQ(keys_of(ext["streams"][0]),
            (std::vector<std::string>{"socket", "id", "pinned_cpu", "cpus_seen", "evidence", "verdict"}));
  EXPECT_EQ(ext["streams"][0]["evidence"]["local"]["thread_cpu"], 0.25);
  EXPECT_FALSE(ext["streams"][0]["evidence"].contains("remote"));
  EXPECT_EQ(ext["verdict"]["verdict"], "receiver-window-limited");
  EXPECT_EQ(ext["verdict"]["reason"], "the sender waited");
  EXPECT_EQ(ext["verdict"]["advice"], "raise -w");
  EXPECT_EQ(ext["verdict"]["evidence"]["rwnd_limited"], 0.8);
  EXPECT_FALSE(ext["streams"][1].contains("verdict"));
  EXPECT_EQ(ext["streams"][0]["cpus_seen"], Json::array({2, 3}));
  EXPECT_EQ(ext["streams"][1]["id"], 3);
  EXPECT_EQ(keys_of(doc).back(), "nperf");
}

// ---------------------------------------------------------------------------
// UDP (§7.4, §7.5): schema against captured iperf3 runs, key order, values.

TEST(JsonReporterUdpSchema, Udp312Client) {
  const Json ref = load_iperf3_json(golden("json_udp_312.client.out"));
  ASSERT_TRUE(ref.is_object());
  ASSERT_EQ(ref["start"]["version"], "iperf 3.12");
  const Json ours = render(make_udp_run(shape(false, Direction::kForward, 1)));
  const auto diffs = schema_differences(ref, ours);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterUdpSchema, Udp312Server) {
  const Json ref = load_iperf3_json(golden("json_udp_312.server.out"));
  ASSERT_TRUE(ref.is_object());
  const Json ours = render(make_udp_run(shape(true, Direction::kForward, 1)));
  const auto diffs = schema_differences(ref, ours);
  EXPECT_TRUE(diffs.empty()) << join_lines(diffs);
}

TEST(JsonReporterUdpSchema, ReverseClientAndServer) {
  // Captured from iperf3 master (-u -R): the UDP members are those of 3.12.
  for (bool server : {false, true}) {
    const Json ref = load_iperf3_json(golden(server ? "json_udp_R.server.out" : "json_udp_R.client.out"));
    ASSERT_TRUE(ref.is_object());
    const Json ours = render(make_udp_run(shape(server, Direction::kReverse, 1)));
    const auto diffs = schema_differences(ref, ours, kMasterOnly);
    EXPECT_TRUE(diffs.empty()) << (server ? "server\n" : "client\n") << join_lines(diffs);
  }
}

TEST(JsonReporterUdpSchema, Bidir312ClientAndServer) {
  // Captured from iperf3 3.12 on both ends: -u --bidir -P 2 -b 1M -t 2.
  for (bool server : {false, true}) {
    const Json ref =
        load_iperf3_json(golden(server ? "json_udp_bidir312.server.out" : "json_udp_bidir312.client.out"));
    ASSERT_TRUE(ref.is_object());
    ASSERT_EQ(ref["start"]["version"], "iperf 3.12");
    const Json doc = render(make_udp_run(shape(server, Direction::kBidir, 2)));
    const auto diffs = schema_differences(ref, doc);
    EXPECT_TRUE(diffs.empty()) << (server ? "server\n" : "client\n") << join_lines(diffs);
    // Key order of the end object and of every aggregate, as 3.12 prints them.
    std::vector<std::string> end_keys = keys_of(doc["end"]);
    ASSERT_EQ(end_keys.back(), "nperf");
    end_keys.pop_back();
    EXPECT_EQ(end_keys, keys_of(ref["end"]));
    for (auto it = ref["end"].begin(); it != ref["end"].end(); ++it) {
      if (it.value().is_object()) {
        EXPECT_EQ(keys_of(doc["end"][it.key()]), keys_of(it.value())) << it.key();
      }
    }
    for (const char* k : {"sum", "sum_bidir_reverse"})
      EXPECT_EQ(keys_of(doc["intervals"][0][k]), keys_of(ref["intervals"][0][k])) << k;
    // Streams: the client lists its send streams first, the server its receive ones.
    ASSERT_EQ(doc["end"]["streams"].size(), ref["end"]["streams"].size());
    for (size_t k = 0; k < ref["end"]["streams"].size(); ++k) {
      EXPECT_EQ(doc["end"]["streams"][k]["udp"]["sender"], ref["end"]["streams"][k]["udp"]["sender"]) << k;
      EXPECT_EQ(keys_of(doc["intervals"][0]["streams"][k]), keys_of(ref["intervals"][0]["streams"][k])) << k;
    }
    // Sender flags and the server's zeros for what it cannot know yet.
    for (auto it = ref["end"].begin(); it != ref["end"].end(); ++it) {
      if (it.key().rfind("sum", 0) != 0) continue;
      EXPECT_EQ(doc["end"][it.key()]["sender"], it.value()["sender"]) << it.key();
      EXPECT_EQ(doc["end"][it.key()]["bytes"] == 0, it.value()["bytes"] == 0) << it.key();
      EXPECT_EQ(doc["end"][it.key()]["packets"] == 0, it.value()["packets"] == 0) << it.key();
    }
  }
}

TEST(JsonReporterUdpOrder, Members) {
  const Json client = render(make_udp_run(shape(false, Direction::kForward, 1)));
  EXPECT_EQ(keys_of(client["start"]),
            (std::vector<std::string>{"connected", "version", "system_info", "timestamp", "connecting_to",
                                      "cookie", "target_bitrate", "sock_bufsize", "sndbuf_actual",
                                      "rcvbuf_actual", "test_start"}));
  EXPECT_EQ(client["start"]["test_start"]["protocol"], "UDP");
  EXPECT_EQ(client["start"]["test_start"]["blksize"], 1000);
  const std::vector<std::string> sender_members{"socket",          "start",   "end",     "seconds", "bytes",
                                                "bits_per_second", "packets", "omitted", "sender"};
  EXPECT_EQ(keys_of(client["intervals"][0]["streams"][0]), sender_members);
  EXPECT_EQ(keys_of(client["intervals"][0]["sum"]),
            std::vector<std::string>(sender_members.begin() + 1, sender_members.end()));
  EXPECT_EQ(keys_of(client["end"]["streams"][0]), (std::vector<std::string>{"udp"}));
  EXPECT_EQ(
      keys_of(client["end"]["streams"][0]["udp"]),
      (std::vector<std::string>{"socket", "start", "end", "seconds", "bytes", "bits_per_second", "jitter_ms",
                                "lost_packets", "packets", "lost_percent", "out_of_order", "sender"}));
  EXPECT_EQ(keys_of(client["end"]), (std::vector<std::string>{"streams", "sum", "sum_sent", "sum_received",
                                                              "cpu_utilization_percent", "nperf"}));
  const std::vector<std::string> sum_members{"start",           "end",       "seconds",      "bytes",
                                             "bits_per_second", "jitter_ms", "lost_packets", "packets",
                                             "lost_percent",    "sender"};
  for (const char* k : {"sum", "sum_sent", "sum_received"})
    EXPECT_EQ(keys_of(client["end"][k]), sum_members) << k;

  const Json server = render(make_udp_run(shape(true, Direction::kForward, 1)));
  EXPECT_EQ(keys_of(server["start"]),
            (std::vector<std::string>{"connected", "version", "system_info", "target_bitrate", "timestamp",
                                      "accepted_connection", "cookie", "sock_bufsize", "sndbuf_actual",
                                      "rcvbuf_actual", "test_start"}));
  const std::vector<std::string> receiver_members{"socket",  "start",           "end",       "seconds",
                                                  "bytes",   "bits_per_second", "jitter_ms", "lost_packets",
                                                  "packets", "lost_percent",    "omitted",   "sender"};
  EXPECT_EQ(keys_of(server["intervals"][0]["streams"][0]), receiver_members);
  EXPECT_EQ(keys_of(server["intervals"][0]["sum"]),
            std::vector<std::string>(receiver_members.begin() + 1, receiver_members.end()));
  EXPECT_FALSE(server["start"].contains("tcp_mss_default"));
}

TEST(JsonReporterUdpValues, MatchesIperf312Numbers) {
  // The judp312 client: 250000 bytes sent over 2.000096 s, received over 2.000236 s.
  const Json doc = render(make_udp_run(shape(false, Direction::kForward, 1)));
  const Json ref = load_iperf3_json(golden("json_udp_312.client.out"));
  for (const char* k : {"sum", "sum_sent", "sum_received"}) {
    for (const char* m :
         {"start", "end", "seconds", "bytes", "lost_packets", "packets", "lost_percent", "sender"})
      EXPECT_EQ(doc["end"][k][m], ref["end"][k][m]) << k << "." << m;
    EXPECT_DOUBLE_EQ(doc["end"][k]["bits_per_second"].get<double>(),
                     ref["end"][k]["bits_per_second"].get<double>())
        << k;
    EXPECT_DOUBLE_EQ(doc["end"][k]["jitter_ms"].get<double>(), ref["end"][k]["jitter_ms"].get<double>()) << k;
  }
  const Json& u = doc["end"]["streams"][0]["udp"];
  const Json& r = ref["end"]["streams"][0]["udp"];
  for (const char* m :
       {"start", "end", "seconds", "bytes", "lost_packets", "packets", "lost_percent", "sender"})
    EXPECT_EQ(u[m], r[m]) << m;
  EXPECT_DOUBLE_EQ(u["bits_per_second"].get<double>(), r["bits_per_second"].get<double>());
  EXPECT_EQ(u["out_of_order"], 1);  // the model's, 0 in the capture

  // The judp312 server: it never learned the sender's half.
  const Json srv = render(make_udp_run(shape(true, Direction::kForward, 1)));
  const Json sref = load_iperf3_json(golden("json_udp_312.server.out"));
  for (const char* k : {"sum", "sum_sent", "sum_received"}) {
    for (const char* m :
         {"start", "end", "seconds", "bytes", "lost_packets", "packets", "lost_percent", "sender"})
      EXPECT_EQ(srv["end"][k][m], sref["end"][k][m]) << "server " << k << "." << m;
    // iperf3's durations are whole microseconds summed in another order: the
    // last digit may differ.
    EXPECT_DOUBLE_EQ(srv["end"][k]["bits_per_second"].get<double>(),
                     sref["end"][k]["bits_per_second"].get<double>())
        << "server " << k;
  }
  for (const char* m : {"start", "end", "seconds", "bytes", "bits_per_second", "packets", "sender"})
    EXPECT_EQ(srv["end"]["streams"][0]["udp"][m], sref["end"]["streams"][0]["udp"][m]) << m;
}

TEST(JsonReporterUdpValues, LostPercentIsLostOverPackets) {
  for (bool server : {false, true}) {
    for (Direction d : {Direction::kForward, Direction::kReverse, Direction::kBidir}) {
      const Json doc = render(make_udp_run(shape(server, d, 2), 5));
      auto check = [&](const Json& o, const std::string& where) {
        if (!o.contains("lost_percent")) return;
        const double packets = o["packets"].get<double>();
        const double lost = o["lost_packets"].get<double>();
        const double expected = packets > 0 ? 100 * lost / packets : 0;
        EXPECT_NEAR(o["lost_percent"].get<double>(), expected, 1e-9) << where << ": " << o.dump();
      };
      for (const Json& i : doc["intervals"]) {
        for (const Json& s : i["streams"]) check(s, "interval stream");
        check(i["sum"], "interval sum");
        if (i.contains("sum_bidir_reverse")) check(i["sum_bidir_reverse"], "interval sum_bidir_reverse");
      }
      for (const Json& s : doc["end"]["streams"]) check(s["udp"], "end stream");
      for (auto it = doc["end"].begin(); it != doc["end"].end(); ++it)
        if (it.key().rfind("sum", 0) == 0) check(it.value(), it.key());
    }
  }
  // A receiving stream with loss: 5 of 125 in the second interval, 5 of 250 at the end.
  const Json doc = render(make_udp_run(shape(true, Direction::kForward, 1), 5));
  EXPECT_DOUBLE_EQ(doc["intervals"][1]["streams"][0]["lost_percent"].get<double>(), 4);
  EXPECT_DOUBLE_EQ(doc["intervals"][1]["sum"]["lost_percent"].get<double>(), 4);
  EXPECT_EQ(doc["end"]["streams"][0]["udp"]["lost_packets"], 5);
  EXPECT_DOUBLE_EQ(doc["end"]["streams"][0]["udp"]["lost_percent"].get<double>(), 2);
  EXPECT_DOUBLE_EQ(doc["end"]["sum_received"]["lost_percent"].get<double>(), 2);
  EXPECT_EQ(doc["end"]["sum_sent"]["lost_packets"], 0);
  EXPECT_EQ(doc["end"]["sum_sent"]["lost_percent"], 0);
}

TEST(JsonReporterUdpValues, SumsAddUp) {
  const Json doc = render(make_udp_run(shape(false, Direction::kReverse, 3), 2));
  for (const Json& i : doc["intervals"]) {
    uint64_t bytes = 0, packets = 0;
    int64_t lost = 0;
    double jitter = 0;
    for (const Json& s : i["streams"]) {
      bytes += s["bytes"].get<uint64_t>();
      packets += s["packets"].get<uint64_t>();
      lost += s["lost_packets"].get<int64_t>();
      jitter += s["jitter_ms"].get<double>();
    }
    EXPECT_EQ(i["sum"]["bytes"].get<uint64_t>(), bytes);
    EXPECT_EQ(i["sum"]["packets"].get<uint64_t>(), packets);
    EXPECT_EQ(i["sum"]["lost_packets"].get<int64_t>(), lost);
    EXPECT_DOUBLE_EQ(i["sum"]["jitter_ms"].get<double>(), jitter / 3);
  }
  uint64_t sent = 0, packets = 0;
  int64_t lost = 0, ooo = 0;
  double jitter = 0;
  for (const Json& s : doc["end"]["streams"]) {
    sent += s["udp"]["bytes"].get<uint64_t>();
    packets += s["udp"]["packets"].get<uint64_t>();
    lost += s["udp"]["lost_packets"].get<int64_t>();
    ooo += s["udp"]["out_of_order"].get<int64_t>();
    jitter += s["udp"]["jitter_ms"].get<double>();
  }
  EXPECT_EQ(ooo, 3);
  const Json& e = doc["end"];
  EXPECT_EQ(e["sum"]["bytes"].get<uint64_t>(), sent);
  EXPECT_EQ(e["sum"]["packets"].get<uint64_t>(), packets);
  EXPECT_EQ(e["sum"]["lost_packets"].get<int64_t>(), lost);
  EXPECT_DOUBLE_EQ(e["sum"]["jitter_ms"].get<double>(), jitter / 3);
  EXPECT_EQ(e["sum_sent"]["bytes"].get<uint64_t>(), sent);
  EXPECT_EQ(e["sum_sent"]["packets"].get<uint64_t>(), 750u);
  EXPECT_EQ(e["sum_sent"]["jitter_ms"], 0);
  EXPECT_EQ(e["sum_received"]["bytes"].get<uint64_t>(), 3 * (250000u - 2000u));
  EXPECT_EQ(e["sum_received"]["packets"].get<uint64_t>(), 750u);
  EXPECT_EQ(e["sum_received"]["lost_packets"].get<int64_t>(), 6);
  EXPECT_DOUBLE_EQ(e["sum_received"]["jitter_ms"].get<double>(), jitter / 3);
  // Durations: sum and sum_received run to the receiver's end, sum_sent to
  // the sender's; the sum's rate is the sent bytes over the sender time.
  EXPECT_DOUBLE_EQ(e["sum"]["end"].get<double>(), 2.000236);
  EXPECT_DOUBLE_EQ(e["sum_received"]["seconds"].get<double>(), 2.000236);
  EXPECT_DOUBLE_EQ(e["sum_sent"]["end"].get<double>(), 2.000096);
  EXPECT_DOUBLE_EQ(e["sum"]["bits_per_second"].get<double>(), 750000 * 8 / 2.000096);
  EXPECT_DOUBLE_EQ(e["sum_received"]["bits_per_second"].get<double>(), 744000 * 8 / 2.000236);
}

TEST(JsonReporterUdpValues, SenderFlags) {
  struct Case {
    bool server;
    Direction d;
    bool sum_sender;  // end.sum / interval sum: does this host send client->server...
  };
  // ...or, outside --bidir, in the test's one direction.
  for (const Case c : {Case{false, Direction::kForward, true}, Case{true, Direction::kForward, false},
                       Case{false, Direction::kReverse, false}, Case{true, Direction::kReverse, true},
                       Case{false, Direction::kBidir, true}, Case{true, Direction::kBidir, false}}) {
    const Json doc = render(make_udp_run(shape(c.server, c.d, 1)));
    const std::string where =
        std::string(c.server ? "server " : "client ") + std::to_string(static_cast<int>(c.d));
    const Json& e = doc["end"];
    EXPECT_EQ(e["sum"]["sender"], c.sum_sender) << where;
    EXPECT_EQ(doc["intervals"][0]["sum"]["sender"], c.sum_sender) << where;
    // iperf3 prints fixed flags on these two.
    EXPECT_EQ(e["sum_sent"]["sender"], true) << where;
    EXPECT_EQ(e["sum_received"]["sender"], false) << where;
    if (c.d == Direction::kBidir) {
      EXPECT_EQ(e["sum_bidir_reverse"]["sender"], !c.sum_sender) << where;
      EXPECT_EQ(doc["intervals"][0]["sum_bidir_reverse"]["sender"], !c.sum_sender) << where;
      EXPECT_EQ(e["sum_sent_bidir_reverse"]["sender"], true) << where;
      EXPECT_EQ(e["sum_received_bidir_reverse"]["sender"], false) << where;
    }
    for (size_t k = 0; k < e["streams"].size(); ++k) {
      const bool forward = c.d == Direction::kBidir ? k == 0 : c.d != Direction::kReverse;
      const bool local_sends = forward != c.server;
      EXPECT_EQ(e["streams"][k]["udp"]["sender"], local_sends) << where;
      EXPECT_EQ(doc["intervals"][0]["streams"][k]["sender"], local_sends) << where;
    }
  }
}

TEST(JsonReporterUdpValues, ServerLacksThePeersHalf) {
  // Forward: the receiving server knows no sent bytes or sender packets.
  const Json fwd = render(make_udp_run(shape(true, Direction::kForward, 1)));
  EXPECT_EQ(fwd["end"]["streams"][0]["udp"]["bytes"], 0);
  EXPECT_EQ(fwd["end"]["streams"][0]["udp"]["packets"], 250);  // the receiver's count
  EXPECT_EQ(fwd["end"]["sum"]["bytes"], 0);
  EXPECT_EQ(fwd["end"]["sum_sent"]["packets"], 0);
  EXPECT_EQ(fwd["end"]["sum_received"]["bytes"], 250000);
  // Reverse: the sending server has no receiver figures (judpR.server).
  const Json rev = render(make_udp_run(shape(true, Direction::kReverse, 1)));
  EXPECT_EQ(rev["end"]["streams"][0]["udp"]["bytes"], 250000);
  EXPECT_EQ(rev["end"]["streams"][0]["udp"]["jitter_ms"], 0);
  EXPECT_EQ(rev["end"]["sum_received"]["bytes"], 0);
  EXPECT_EQ(rev["end"]["sum_received"]["packets"], 0);
  EXPECT_EQ(rev["end"]["sum_received"]["bits_per_second"], 0);
  EXPECT_DOUBLE_EQ(rev["end"]["sum_received"]["end"].get<double>(),
                   2.000096);  // falls back to the sender time
  // Bidir: the reverse (server-sent) direction's received half is all zero.
  const Json bidir = render(make_udp_run(shape(true, Direction::kBidir, 1)));
  EXPECT_EQ(bidir["end"]["sum"]["bytes"], 0);
  EXPECT_EQ(bidir["end"]["sum_received"]["bytes"], 250000);
  EXPECT_EQ(bidir["end"]["sum_bidir_reverse"]["bytes"], 250000);
  EXPECT_EQ(bidir["end"]["sum_received_bidir_reverse"]["bytes"], 0);
}

TEST(JsonReporterUdpValues, UnknownLossPrintsMinusOne) {
  const Json doc = render(make_udp_run(shape(false, Direction::kForward, 2), -1));
  for (const Json& s : doc["end"]["streams"]) {
    EXPECT_EQ(s["udp"]["lost_packets"], -1);
    EXPECT_EQ(s["udp"]["lost_percent"], 0);
  }
  EXPECT_EQ(doc["end"]["sum"]["lost_packets"], -1);
  EXPECT_EQ(doc["end"]["sum_received"]["lost_packets"], -1);
  EXPECT_EQ(doc["end"]["sum_received"]["lost_percent"], 0);
  EXPECT_EQ(doc["end"]["sum_sent"]["lost_packets"], 0);
}

TEST(JsonReporterUdpValues, OnlyIperf3KeysOutsideNperf) {
  std::set<std::string> iperf_keys;
  for (const char* f :
       {"json_udp_312.client.out", "json_udp_312.server.out", "json_udp_R.client.out",
        "json_udp_R.server.out", "json_udp_bidir312.client.out", "json_udp_bidir312.server.out"})
    collect_keys(load_iperf3_json(golden(f)), false, iperf_keys);
  for (bool server : {false, true}) {
    for (Direction d : {Direction::kForward, Direction::kReverse, Direction::kBidir}) {
      std::set<std::string> ours;
      collect_keys(render(make_udp_run(shape(server, d, 2), 3)), true, ours);
      for (const std::string& k : ours)
        EXPECT_TRUE(iperf_keys.count(k)) << "non-iperf3 key outside \"nperf\": " << k;
      EXPECT_FALSE(ours.count("retransmits"));
      EXPECT_FALSE(ours.count("tcp_mss_default"));
    }
  }
}

// ---------------------------------------------------------------------------
// (c) One document per test.

TEST(JsonReporterLifecycle, ResetsAfterFinish) {
  std::vector<std::string> out;
  JsonReporter r({}, [&](std::string_view t) { out.emplace_back(t); });
  play(r, make_run(shape()));
  r.on_warning("first test only");
  r.on_finish();  // a document for a test that never started
  play(r, make_run(shape(false, Direction::kForward, 1, 1)));
  ASSERT_EQ(out.size(), 3u);
  const Json a = Json::parse(out[0]), b = Json::parse(out[1]), c = Json::parse(out[2]);
  EXPECT_EQ(a["start"]["connected"].size(), 2u);
  EXPECT_EQ(a["intervals"].size(), 2u);
  EXPECT_FALSE(a.contains("nperf"));
  EXPECT_EQ(b["start"]["connected"], Json::array());
  EXPECT_EQ(b["intervals"], Json::array());
  EXPECT_EQ(b["end"], Json::object());
  EXPECT_EQ(b["nperf"]["warnings"].size(), 1u);
  EXPECT_EQ(c["start"]["connected"].size(), 1u);
  EXPECT_EQ(c["intervals"].size(), 1u);
  EXPECT_EQ(c["end"]["streams"].size(), 1u);
  EXPECT_FALSE(c.contains("nperf"));
  EXPECT_EQ(keys_of(c["start"]), keys_of(a["start"]));
  EXPECT_EQ(r.document()["intervals"], Json::array());
}

TEST(JsonReporterLifecycle, DocumentIsAvailableBeforeFinish) {
  // The server hands document() to the client for --get-server-output.
  JsonReporter r(opts(true), [](std::string_view) {});
  play(r, make_run(shape(true)), /*finish=*/false);
  EXPECT_EQ(r.document()["end"]["sum_received"]["bytes"], 4194304);
  EXPECT_EQ(r.document()["intervals"].size(), 2u);
}

// ---------------------------------------------------------------------------
// TeeReporter.

class Recorder : public Reporter {
 public:
  Recorder(std::string name, std::vector<std::string>& log) : name_(std::move(name)), log_(log) {}
  void on_server_listening(int port, int n) override {
    add("listening " + std::to_string(port) + " " + std::to_string(n));
  }
  void on_connected(const TestStartInfo& s) override { add("connected " + s.cookie); }
  void on_stream_connected(const StreamInfo& s) override { add("stream " + std::to_string(s.socket)); }
  void on_test_start(const TestStartInfo&) override { add("test_start"); }
  void on_interval(const IntervalReport& i) override { add("interval " + std::to_string(i.streams.size())); }
  void on_end(const EndReport& e) override { add("end " + std::to_string(e.streams.size())); }
  void on_warning(const std::string& m) override { add("warning " + m); }
  void on_error(const std::string& m) override { add("error " + m); }
  void on_finish() override { add("finish"); }

 private:
  void add(const std::string& what) { log_.push_back(name_ + ": " + what); }
  std::string name_;
  std::vector<std::string>& log_;
};

TEST(TeeReporter, ForwardsEveryCallToEachInOrder) {
  std::vector<std::string> log;
  Recorder a("a", log), b("b", log);
  TeeReporter tee({&a, nullptr, &b});
  const TestRun run = make_run(shape(true, Direction::kForward, 1, 1));
  tee.on_server_listening(5201, 1);
  tee.on_connected(run.start);
  tee.on_stream_connected(run.streams[0]);
  tee.on_test_start(run.start);
  tee.on_interval(run.intervals[0]);
  tee.on_warning("w");
  tee.on_end(run.end);
  tee.on_error("e");
  tee.on_finish();
  const std::string cookie = run.start.cookie;
  EXPECT_EQ(log, (std::vector<std::string>{
                     "a: listening 5201 1", "b: listening 5201 1", "a: connected " + cookie,
                     "b: connected " + cookie, "a: stream 5", "b: stream 5", "a: test_start", "b: test_start",
                     "a: interval 1", "b: interval 1", "a: warning w", "b: warning w", "a: end 1", "b: end 1",
                     "a: error e", "b: error e", "a: finish", "b: finish"}));
}

TEST(TeeReporter, DrivesAJsonReporter) {
  std::vector<std::string> log, out;
  Recorder a("a", log);
  JsonReporter json({}, [&](std::string_view t) { out.emplace_back(t); });
  TeeReporter tee;
  tee.add(&a);
  tee.add(&json);
  play(tee, make_run(shape()));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Json::parse(out[0])["end"]["streams"].size(), 2u);
  EXPECT_EQ(log.back(), "a: finish");
}

}  // namespace
}  // namespace nperf::report
