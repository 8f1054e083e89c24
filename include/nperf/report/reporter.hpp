#pragma once
// The reporter interface (text, JSON). For one test, calls arrive in this order:
//   server only: on_server_listening
//   on_connected            client: after the parameters were sent; server: after they arrived
//   on_stream_connected *   one per data stream, in creation order
//   on_test_start           all streams are up
//   on_interval *           one per -i period (none with -i 0)
//   on_end                  final summary (the server calls it before the results exchange)
//   on_finish               always last, also after on_error
// on_warning and on_error may come at any point. Reporters never ask which
// other reporter is active.
#include <string>

#include "nperf/stats/report_model.hpp"

namespace nperf::report {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void on_server_listening(int port, int test_number) = 0;
  virtual void on_connected(const TestStartInfo& start) = 0;
  virtual void on_stream_connected(const StreamInfo& stream) = 0;
  virtual void on_test_start(const TestStartInfo& start) = 0;
  virtual void on_interval(const IntervalReport& interval) = 0;
  virtual void on_end(const EndReport& end) = 0;
  virtual void on_warning(const std::string& message) = 0;
  virtual void on_error(const std::string& message) = 0;
  // The client's text reporter prints "iperf Done."; the JSON reporter prints
  // its document. A reporter is ready for the next test afterwards.
  virtual void on_finish() = 0;
};

}  // namespace nperf::report
