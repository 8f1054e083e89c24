#pragma once
// iperf3's human-readable layout, line for line (see docs/iperf3 text layout).
#include <functional>
#include <string>
#include <string_view>

#include "nperf/report/reporter.hpp"

namespace nperf::report {

using LineSink = std::function<void(std::string_view)>;  // receives whole lines ending in '\n'

struct TextOptions {
  char format = 'a';      // -f: a (adaptive bits) k m g t (bits) K M G T (bytes)
  bool verbose = false;   // -V
  bool is_server = false;
  std::string title;      // -T: client lines are prefixed "title:  "
};

class TextReporter : public Reporter {
 public:
  TextReporter(TextOptions options, LineSink out, LineSink err);
  void on_server_listening(int port, int test_number) override;
  void on_connected(const TestStartInfo& start) override;
  void on_stream_connected(const StreamInfo& stream) override;
  void on_test_start(const TestStartInfo& start) override;
  void on_interval(const IntervalReport& interval) override;
  void on_end(const EndReport& end) override;
  void on_warning(const std::string& message) override;
  void on_error(const std::string& message) override;
  void on_finish() override;

 private:
  void line(std::string_view text);  // applies the title prefix, adds '\n'
  TextOptions options_;
  LineSink out_, err_;
  Direction direction_ = Direction::kForward;
  int intervals_printed_ = 0;
  // (implementation state as needed)
};

}  // namespace nperf::report
