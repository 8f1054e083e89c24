#include "nperf/report/csv_reporter.hpp"

#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "nperf/report/end_figures.hpp"
#include "nperf/stats/end_groups.hpp"

namespace nperf::report {

const char* const kCsvHeader =
    "timestamp,title,role,peer,peer_port,protocol,kind,stream,direction,side,start,end,seconds,bytes,"
    "bits_per_second,retransmits,snd_cwnd,rtt_us,packets,lost_packets,lost_percent,jitter_ms,omitted,cpu,"
    "verdict,path_kind,path_mtu,nat,conntrack_drops,server_test,server_port,other_tests,"
    "other_bits_per_second";

// One row; an empty optional is an empty cell (the column does not apply).
struct CsvReporter::Row {
  const char* kind = "interval";  // interval | summary
  std::string stream;             // iperf3's [ ID] (the socket), or "sum"
  bool forward = true;            // client -> server
  bool sender = false;            // the side whose figures these are
  double start = 0, end = 0, seconds = 0;
  uint64_t bytes = 0;
  std::optional<int64_t> retransmits;
  std::optional<uint64_t> snd_cwnd;
  std::optional<int64_t> rtt_us;
  std::optional<uint64_t> packets;
  std::optional<int64_t> lost_packets;
  std::optional<double> lost_percent, jitter_ms;
  std::optional<bool> omitted;
  std::optional<int> cpu;
  std::string verdict;
  // Summary rows: the path (stats/path_facts.hpp), the same on every summary row of a test.
  std::string path_kind;
  std::optional<int64_t> path_mtu;
  std::optional<int> nat;
  std::optional<int64_t> conntrack_drops;
  // Summary rows of a test on a server running several at once (stats/overlap.hpp).
  std::optional<int> server_test, server_port, other_tests;
  std::optional<double> other_bits_per_second;
};

namespace {

// RFC 4180: a field holding a comma, quote or line break is quoted, its quotes doubled.
std::string field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
// gets a leading apostrophe (OWASP's advice): the title comes from the client.
std::string text_field(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos)
    return field("'" + std::string(text));
  return field(text);
}

template <typename T>
std::string cell(const std::optional<T>& value) {
  return value ? fmt::format("{}", *value) : std::string();
}
std::string cell3(const std::optional<double>& value) {
  return value ? fmt::format("{:.3f}", *value) : std::string();
}

// ISO 8601 UTC with milliseconds.
std::string iso8601(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  const auto ms = duration_cast<milliseconds>(when.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  return fmt::format("{}.{:03}Z", date, ms % 1000);
}

std::string verdict_name(const std::optional<Verdict>& v) {
  return v ? std::string(bottleneck_name(v->cause)) : std::string();
}

// server_test .. other_bits_per_second: a server running tests at once says
// which test this was and what ran beside it; empty elsewhere.
template <typename Row>
void overlap_cells(const std::optional<TestOverlap>& overlap, Row* r) {
  if (!overlap) return;
  r->server_test = overlap->test_id;
  r->server_port = overlap->port;
  r->other_tests = overlap->other_tests;
  r->other_bits_per_second = overlap->other_bits_per_second;
}

// path_kind and path_mtu: this end's route device; nat: 1 or 0 where both
// ends' views exist (an nperf peer), else empty; conntrack_drops: the rise of
// drop + insert_failed + early_drop over the test, both ends summed where read.
template <typename Row>
void path_cells(const std::optional<PathReport>& path, Row* r) {
  if (!path) return;
  const protocol::RouteDevice& d = path->local.device;
  if (d.known()) {
    r->path_kind = d.kind;
    if (d.mtu >= 0) r->path_mtu = d.mtu;
  }
  if (path->remote) r->nat = find_nat(*path) ? 1 : 0;
  int64_t drops = 0;
  bool read = false;
  for (const protocol::PathRecord* rec : {&path->local, path->remote ? &*path->remote : nullptr}) {
    if (!rec) continue;
    ConntrackChange c = conntrack_change(rec->conntrack_before, rec->conntrack_after);
    if (!c.known) continue;
    read = true;
    for (int64_t v : {c.drop, c.insert_failed, c.early_drop}) drops += v > 0 ? v : 0;
  }
  if (read) r->conntrack_drops = drops;
}

}  // namespace

CsvReporter::CsvReporter(CsvOptions options, LineSink out, LineSink err)
    : options_(std::move(options)), out_(std::move(out)), err_(std::move(err)) {}

void CsvReporter::emit(const Row& r, const std::string& when) {
  if (!out_) return;
  if (!header_written_) {
    out_(fmt::format("{}\n", kCsvHeader));
    header_written_ = true;
  }
  const std::string line = fmt::format(
      "{},{},{},{},{},{},{},{},{},{},{:.3f},{:.3f},{:.3f},{},{:.0f},{},{},{},{},{},{},{},{},{},{},{},{},{},{}"
      ",{},{},{},"
      "{}\n",
      when, text_field(title_), Side{options_.role}.is_server() ? "server" : "client", field(host_), port_,
      udp_ ? "udp" : "tcp", r.kind, r.stream, r.forward ? "forward" : "reverse",
      r.sender ? "sender" : "receiver", r.start, r.end, r.seconds, r.bytes,
      bits_per_second(r.bytes, r.seconds), cell(r.retransmits), cell(r.snd_cwnd), cell(r.rtt_us),
      cell(r.packets), cell(r.lost_packets), cell3(r.lost_percent), cell3(r.jitter_ms),
      r.omitted ? (*r.omitted ? "1" : "0") : "", cell(r.cpu), field(r.verdict), field(r.path_kind),
      cell(r.path_mtu), cell(r.nat), cell(r.conntrack_drops), cell(r.server_test), cell(r.server_port),
      cell(r.other_tests), r.other_bits_per_second ? fmt::format("{:.0f}", *r.other_bits_per_second) : "");
  out_(line);
}

void CsvReporter::on_server_listening(int, int) {}

void CsvReporter::on_connected(const TestStartInfo& start) {
  title_ = options_.title.empty() ? start.spec.title : options_.title;
  host_ = start.host;
  port_ = start.port;
  udp_ = start.spec.protocol == Protocol::kUdp;
}

void CsvReporter::on_stream_connected(const StreamInfo&) {}
void CsvReporter::on_test_start(const TestStartInfo&) {}

void CsvReporter::on_interval(const IntervalReport& interval) {
  const std::string when = iso8601(options_.now());  // one time for the whole interval's rows
  for (const IntervalStream& s : interval.streams) {
    Row r;
    r.stream = std::to_string(s.socket);
    r.forward = forward_for(s.sender);
    r.sender = s.sender;
    r.start = s.start;
    r.end = s.end;
    r.seconds = s.seconds;
    r.bytes = s.bytes;
    r.omitted = s.omitted;
    if (s.cpu >= 0) r.cpu = s.cpu;
    if (s.has_tcp_info) {
      r.retransmits = s.retransmits;
      r.snd_cwnd = s.snd_cwnd;
      if (s.rtt >= 0) r.rtt_us = s.rtt;
    }
    if (s.udp) {
      r.packets = s.packets;
      if (!s.sender) {
        r.lost_packets = s.lost_packets;
        r.lost_percent = s.lost_percent;
        r.jitter_ms = s.jitter_ms;
      }
    }
    emit(r, when);
  }
  for (const IntervalSum* sum : {&interval.sum, interval.sum_reverse ? &*interval.sum_reverse : nullptr}) {
    if (!sum) continue;
    Row r;
    r.stream = "sum";
    r.forward = forward_for(sum->sender);
    r.sender = sum->sender;
    r.start = sum->start;
    r.end = sum->end;
    r.seconds = sum->seconds;
    r.bytes = sum->bytes;
    r.omitted = sum->omitted;
    if (sum->has_retransmits) r.retransmits = sum->retransmits;
    if (sum->udp) {
      r.packets = sum->packets;
      if (!sum->sender) {
        r.lost_packets = sum->lost_packets;
        r.lost_percent = sum->lost_percent;
        r.jitter_ms = sum->jitter_ms;
      }
    }
    emit(r, when);
  }
}

void CsvReporter::on_end(const EndReport& end) {
  const std::string when = iso8601(options_.now());
  // Per stream, then per direction's sum: the sender's half, then the
  // receiver's (each where known: the peer's half comes from its results).
  auto halves = [&](Row base, bool sender_known, uint64_t sent, double sender_s, bool receiver_known,
                    uint64_t received, double receiver_s, auto&& sender_extra, auto&& receiver_extra) {
    base.kind = "summary";
    if (sender_known) {
      Row r = base;
      r.sender = true;
      r.seconds = r.end = sender_time(sender_s, receiver_s);
      r.bytes = sent;
      sender_extra(r);
      emit(r, when);
    }
    if (receiver_known) {
      Row r = base;
      r.sender = false;
      r.seconds = r.end = receiver_time(sender_s, receiver_s);
      r.bytes = received;
      receiver_extra(r);
      emit(r, when);
    }
  };
  for (const EndStream& s : end.streams) {
    Row base;
    base.stream = std::to_string(s.info.socket);
    base.forward = s.info.forward;
    base.verdict = verdict_name(s.verdict);
    path_cells(end.path, &base);
    overlap_cells(end.overlap, &base);
    const uint64_t packets = s.sender_packets ? s.sender_packets : s.receiver_packets;
    halves(
        base, s.sender_known, s.sent_bytes, s.sender_seconds, s.receiver_known, s.received_bytes,
        s.receiver_seconds,
        [&](Row& r) {
          if (s.udp) r.packets = s.sender_packets;
          if (!s.udp && s.has_retransmits) r.retransmits = s.retransmits;
          // cwnd and RTT are this end's TCP_INFO; a peer's results carry neither.
          if (!s.udp && s.has_retransmits && s.info.sender) {
            r.snd_cwnd = s.max_snd_cwnd;
            r.rtt_us = s.mean_rtt;
          }
        },
        [&](Row& r) {
          if (!s.udp) return;
          r.packets = packets;
          r.lost_packets = s.lost_packets;
          if (s.lost_packets >= 0) r.lost_percent = lost_percent(s.lost_packets, packets);
          r.jitter_ms = s.jitter_ms;
        });
  }
  for (const EndGroup& g : end_groups(end, Side{options_.role}.is_server(), false)) {
    const EndSum* sum = &g.sum;
    if (!sum->sender_known && !sum->receiver_known) continue;
    Row base;
    base.stream = "sum";
    base.forward = g.forward;
    base.verdict = verdict_name(end.verdict);
    path_cells(end.path, &base);
    overlap_cells(end.overlap, &base);
    const uint64_t packets = sum->sender_packets ? sum->sender_packets : sum->receiver_packets;
    // EndSum counts an unknown loss as 0; one such stream makes the sum unknown too.
    const bool loss_unknown = !g.loss_known;
    halves(
        base, sum->sender_known, sum->sent_bytes, sum->sender_seconds, sum->receiver_known,
        sum->received_bytes, sum->receiver_seconds,
        [&](Row& r) {
          if (sum->udp) r.packets = sum->sender_packets;
          if (!sum->udp && sum->has_retransmits) r.retransmits = sum->retransmits;
        },
        [&](Row& r) {
          if (!sum->udp) return;
          r.packets = packets;
          r.lost_packets = loss_unknown ? -1 : sum->lost_packets;
          if (!loss_unknown) r.lost_percent = lost_percent(sum->lost_packets, packets);
          r.jitter_ms = sum->jitter_ms;
        });
  }
}

void CsvReporter::on_warning(const std::string& message) {
  if (err_) err_(comment() + warning_line(message));
}

void CsvReporter::on_error(const std::string& message) {
  if (err_) err_(comment() + error_line(message));
}

void CsvReporter::on_finish() {}

}  // namespace nperf::report
