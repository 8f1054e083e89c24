#pragma once
// iperf3's -J document: start, intervals, end (+ error, title). nperf-only data
// goes under "nperf" keys so scripts written for iperf3 run unchanged.
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "nperf/config/side.hpp"
#include "nperf/report/reporter.hpp"

namespace nperf::report {

struct JsonOptions {
  Role role = Role::kClient;  // which end prints (Side in config/side.hpp derives the rest)
  std::string title;
  // --json-stream (iperf3 >= 3.17): one compact line per event instead of
  // one document — {"event":"start"|"interval"|"error"|"server_output_json"|
  // "server_output_text"|"nperf"|"end","data":...}; intervals are not kept.
  bool stream = false;
  // --json-stream-full-output (iperf3 >= 3.20): the lines, then the whole -J
  // document as well (so intervals are kept after all).
  bool full_output = false;
};

class JsonReporter : public Reporter {
 public:
  // `out` receives the whole document, pretty-printed, ending in '\n', at
  // on_finish; with `stream`, one line per event as it happens.
  JsonReporter(JsonOptions options, std::function<void(std::string_view)> out);
  void on_server_listening(int port, int test_number) override;
  void on_connected(const TestStartInfo& start) override;
  void on_stream_connected(const StreamInfo& stream) override;
  void on_test_start(const TestStartInfo& start) override;
  void on_interval(const IntervalReport& interval) override;
  void on_end(const EndReport& end) override;
  void on_warning(const std::string& message) override;
  void on_error(const std::string& message) override;
  void on_finish() override;

  // The document built so far (the server returns it for --get-server-output).
  const nlohmann::ordered_json& document() const { return doc_; }

 private:
  void reset();                                                 // empty document for the next test
  void add_start_header(const TestStartInfo& start);            // once: version .. target_bitrate
  void put_top(const char* key, nlohmann::ordered_json value);  // keeps iperf3's top-level order
  nlohmann::ordered_json& nperf_top();                          // top-level "nperf" extension object
  void emit_event(const char* name, const nlohmann::ordered_json& data);  // --json-stream line

  JsonOptions options_;
  std::function<void(std::string_view)> out_;
  nlohmann::ordered_json doc_;
  bool header_done_ = false;
  bool test_started_ = false;
  bool udp_ = false;        // the test is UDP (from the parameters)
  std::string version_;     // from TestStartInfo, for end.nperf.version
  std::string spec_title_;  // title received in the parameters (server)
};

}  // namespace nperf::report
