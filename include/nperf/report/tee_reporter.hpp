#pragma once
// Forwards every reporter call to several reporters, in order (e.g. -J with
// --logfile plus a text log). Does not own them.
#include <vector>

#include "nperf/report/reporter.hpp"

namespace nperf::report {

class TeeReporter : public Reporter {
 public:
  TeeReporter() = default;
  explicit TeeReporter(std::vector<Reporter*> targets);
  void add(Reporter* target);  // null is ignored

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
  std::vector<Reporter*> targets_;
};

}  // namespace nperf::report
