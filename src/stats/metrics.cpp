#include "nperf/stats/metrics.hpp"

#include <fmt/format.h>

#include "nperf/stats/rates.hpp"
#include "nperf/stats/report_model.hpp"
#include "nperf/stats/verdict.hpp"

namespace nperf {

std::string escape_label_value(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

TestRecord make_test_record(uint64_t id, int port, const std::string& client_address, int client_port,
                            const TestSpec& spec, const EndReport* end, const std::string& error,
                            double end_unix_s) {
  TestRecord r;
  r.id = id;
  r.port = port;
  r.client_address = client_address;
  r.client_port = client_port;
  r.title = spec.title;
  r.protocol = spec.protocol == Protocol::kUdp ? "udp" : "tcp";
  r.direction = spec.direction == Direction::kReverse ? "reverse"
                : spec.direction == Direction::kBidir ? "bidir"
                                                      : "forward";
  r.streams = spec.total_streams();
  r.error = error;
  r.end_unix_s = end_unix_s;
  if (!end) return r;
  // The server receives what the client sends (sum) and sends the reverse
  // direction (sum, or sum_reverse with --bidir).
  const EndSum* from_client = spec.direction == Direction::kReverse ? nullptr : &end->sum;
  const EndSum* to_client = spec.direction == Direction::kReverse ? &end->sum
                            : end->sum_reverse                    ? &*end->sum_reverse
                                                                  : nullptr;
  if (from_client) {
    r.bytes_received = from_client->received_bytes;
    r.received_bps = bits_per_second(from_client->received_bytes, from_client->receiver_seconds);
    r.seconds = from_client->receiver_seconds;
  }
  if (to_client) {
    r.bytes_sent = to_client->sent_bytes;
    r.sent_bps = bits_per_second(to_client->sent_bytes, to_client->sender_seconds);
    r.seconds = std::max(r.seconds, to_client->sender_seconds);
  }
  if (end->verdict) r.verdict = std::string(bottleneck_name(end->verdict->cause));
  return r;
}

void MetricsRegistry::test_started() {
  std::lock_guard lock(mutex_);
  ++started_;
  ++active_;
}

void MetricsRegistry::test_finished(TestRecord record) {
  std::lock_guard lock(mutex_);
  ++finished_;
  if (active_ > 0) --active_;
  bytes_sent_ += record.bytes_sent;
  bytes_received_ += record.bytes_received;
  if (!record.error.empty()) ++errors_[record.error];
  last_.push_back(std::move(record));
  while (last_.size() > keep_last_) last_.pop_front();
}

void MetricsRegistry::error(const std::string& kind) {
  std::lock_guard lock(mutex_);
  ++errors_[kind];
}

uint64_t MetricsRegistry::active() const {
  std::lock_guard lock(mutex_);
  return active_;
}

namespace {

std::string test_labels(const TestRecord& r) {
  return fmt::format(
      "test=\"{}\",port=\"{}\",client=\"{}\",client_port=\"{}\",title=\"{}\",protocol=\"{}\",direction=\"{}"
      "\","
      "verdict=\"{}\",error=\"{}\"",
      r.id, r.port, escape_label_value(r.client_address), r.client_port, escape_label_value(r.title),
      r.protocol, r.direction, escape_label_value(r.verdict), escape_label_value(r.error));
}

void family(std::string& out, const char* name, const char* type, const char* unit, const char* help) {
  out += fmt::format("# TYPE {} {}\n", name, type);
  if (*unit) out += fmt::format("# UNIT {} {}\n", name, unit);
  out += fmt::format("# HELP {} {}\n", name, help);
}

}  // namespace

std::string MetricsRegistry::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  family(out, "nperf_tests", "counter", "", "Tests admitted by this server.");
  out += fmt::format("nperf_tests_total {}\n", started_);
  family(out, "nperf_tests_finished", "counter", "", "Tests that ended, well or not.");
  out += fmt::format("nperf_tests_finished_total {}\n", finished_);
  family(out, "nperf_tests_active", "gauge", "", "Tests running now.");
  out += fmt::format("nperf_tests_active {}\n", active_);
  family(out, "nperf_data_bytes", "counter", "bytes", "Data bytes this server sent and received in tests.");
  out += fmt::format("nperf_data_bytes_total{{direction=\"sent\"}} {}\n", bytes_sent_);
  out += fmt::format("nperf_data_bytes_total{{direction=\"received\"}} {}\n", bytes_received_);
  family(out, "nperf_errors", "counter", "", "Failures by kind.");
  for (const auto& [kind, count] : errors_)
    out += fmt::format("nperf_errors_total{{kind=\"{}\"}} {}\n", escape_label_value(kind), count);
  family(out, "nperf_last_test_received_bits_per_second", "gauge", "",
         "Rate this server received in each of the last tests (0: it only sent).");
  for (const TestRecord& r : last_)
    out += fmt::format("nperf_last_test_received_bits_per_second{{{}}} {:.0f}\n", test_labels(r),
                       r.received_bps);
  family(out, "nperf_last_test_sent_bits_per_second", "gauge", "",
         "Rate this server sent in each of the last tests (0: it only received).");
  for (const TestRecord& r : last_)
    out += fmt::format("nperf_last_test_sent_bits_per_second{{{}}} {:.0f}\n", test_labels(r), r.sent_bps);
  family(out, "nperf_last_test_bytes", "gauge", "bytes",
         "Bytes this server sent plus received in each test.");
  for (const TestRecord& r : last_)
    out += fmt::format("nperf_last_test_bytes{{{}}} {}\n", test_labels(r), r.bytes_sent + r.bytes_received);
  family(out, "nperf_last_test_duration_seconds", "gauge", "seconds", "Measured length of each test.");
  for (const TestRecord& r : last_)
    out += fmt::format("nperf_last_test_duration_seconds{{{}}} {:.3f}\n", test_labels(r), r.seconds);
  family(out, "nperf_last_test_end_timestamp_seconds", "gauge", "seconds",
         "When each test ended (Unix time).");
  for (const TestRecord& r : last_)
    out += fmt::format("nperf_last_test_end_timestamp_seconds{{{}}} {:.3f}\n", test_labels(r), r.end_unix_s);
  out += "# EOF\n";
  return out;
}

}  // namespace nperf
