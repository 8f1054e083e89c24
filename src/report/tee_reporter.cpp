#include "nperf/report/tee_reporter.hpp"

#include <algorithm>
#include <utility>

namespace nperf::report {

TeeReporter::TeeReporter(std::vector<Reporter*> targets) : targets_(std::move(targets)) {
  std::erase(targets_, nullptr);
}

void TeeReporter::add(Reporter* target) {
  if (target != nullptr) targets_.push_back(target);
}

void TeeReporter::on_server_listening(int port, int test_number) {
  for (Reporter* r : targets_) r->on_server_listening(port, test_number);
}
void TeeReporter::on_connected(const TestStartInfo& start) {
  for (Reporter* r : targets_) r->on_connected(start);
}
void TeeReporter::on_stream_connected(const StreamInfo& stream) {
  for (Reporter* r : targets_) r->on_stream_connected(stream);
}
void TeeReporter::on_test_start(const TestStartInfo& start) {
  for (Reporter* r : targets_) r->on_test_start(start);
}
void TeeReporter::on_interval(const IntervalReport& interval) {
  for (Reporter* r : targets_) r->on_interval(interval);
}
void TeeReporter::on_end(const EndReport& end) {
  for (Reporter* r : targets_) r->on_end(end);
}
void TeeReporter::on_warning(const std::string& message) {
  for (Reporter* r : targets_) r->on_warning(message);
}
void TeeReporter::on_error(const std::string& message) {
  for (Reporter* r : targets_) r->on_error(message);
}
void TeeReporter::on_finish() {
  for (Reporter* r : targets_) r->on_finish();
}

}  // namespace nperf::report
