#pragma once
// What a server has done, for `--metrics` (issue #15): counters a fleet of
// servers is scraped for, and the results of the last tests with the labels
// that find them again (client, title, verdict). Pure and thread-safe: the
// sessions record, the HTTP thread renders OpenMetrics text from a snapshot;
// neither waits on the other for longer than a copy.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace nperf {

// One finished (or failed) test as the server saw it.
struct TestRecord {
  uint64_t id = 0;  // the server's test number
  int port = 0;     // the server port it ran on
  std::string client_address;
  int client_port = 0;
  std::string title;      // -T, "" when none
  std::string protocol;   // "tcp" / "udp"
  std::string direction;  // "forward" (client sends), "reverse", "bidir"
  int streams = 0;
  double seconds = 0;
  uint64_t bytes_sent = 0, bytes_received = 0;  // by this server
  double received_bps = 0;                      // what this server's receiving half measured (0: none)
  double sent_bps = 0;
  std::string verdict;  // bottleneck name, "" when none
  std::string error;    // error kind when the test failed, "" when it ended well
  double end_unix_s = 0;
};

class MetricsRegistry {
 public:
  explicit MetricsRegistry(size_t keep_last = 16) : keep_last_(keep_last) {}

  void test_started();
  void test_finished(TestRecord record);
  // A failure with no test to attach it to (refused, timed out, bad parameters).
  void error(const std::string& kind);

  // OpenMetrics text exposition (application/openmetrics-text; version=1.0.0).
  std::string render() const;

  // For tests.
  uint64_t active() const;

 private:
  mutable std::mutex mutex_;
  size_t keep_last_;
  uint64_t started_ = 0, finished_ = 0, active_ = 0;
  uint64_t bytes_sent_ = 0, bytes_received_ = 0;
  std::map<std::string, uint64_t> errors_;
  std::deque<TestRecord> last_;
};

// What a server records of one test: its parameters, the client it served,
// its end report (absent when it failed before one existed) and the error
// kind ("" when it ended well). Pure.
struct EndReport;
struct TestSpec;
TestRecord make_test_record(uint64_t id, int port, const std::string& client_address, int client_port,
                            const TestSpec& spec, const EndReport* end, const std::string& error,
                            double end_unix_s);

// A label value in OpenMetrics: backslash, double quote and newline escaped.
std::string escape_label_value(const std::string& value);

}  // namespace nperf
