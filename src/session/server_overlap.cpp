// A server that runs tests at once (several ports or --max-tests > 1): what
// ran beside each test goes into its report, and each test's output is held
// and written whole at its end, so that reports of overlapping tests do not
// interleave line by line.
#include <fmt/format.h>

#include "nperf/report/csv_reporter.hpp"
#include "nperf/session/server_session.hpp"
#include "nperf/session/server_test.hpp"

namespace nperf::session {

bool ServerSession::concurrent() const {
  return config_.ports.size() > 1 || config_.max_tests > 1;
}

std::map<int, uint64_t> ServerSession::bytes_of_running_tests() const {
  std::map<int, uint64_t> bytes;
  for (const auto& [id, test] : tests_)
    if (test->run && overlap_.running(id)) bytes[id] = test->run->bytes_moved();
  return bytes;
}

void ServerSession::note_test_running(ServerTest& test) {
  if (!concurrent()) return;
  overlap_.begin(test.id, test.listener.port, monotonic_now(), test.cores, bytes_of_running_tests());
}

void ServerSession::note_test_ended(ServerTest& test) {
  if (!overlap_.running(test.id)) return;
  test.overlap = overlap_.end(test.id, monotonic_now(), bytes_of_running_tests());
}

EndReport ServerSession::end_report_of(ServerTest& test, const protocol::TestResults* peer,
                                       bool peer_results_follow) {
  EndReport report = test.run->end_report(peer, peer_results_follow);
  if (!concurrent()) return report;
  note_test_ended(test);  // the first end report closes the overlap window; later ones reuse it
  if (!test.overlap) {    // ended before it ran (set-up failed): nothing ran beside it
    test.overlap = TestOverlap{};
    test.overlap->cores = test.cores;
  }
  test.overlap->test_id = test.id;
  test.overlap->port = test.listener.port;
  attach_overlap(&report, *test.overlap);
  return report;
}

void ServerSession::write_held_output(ServerTest& test) {
  if (test.held_lines.empty() || !out_) return;
  const bool text = !config_.json && !config_.csv;
  if (text) out_(fmt::format("Test {} on port {}:\n", test.id, test.listener.port));
  const std::string csv_header = std::string(report::kCsvHeader) + "\n";
  for (const auto& [to_err, line] : test.held_lines) {
    if (config_.csv && !to_err && line == csv_header) {
      if (csv_header_written_) continue;  // --csv: one table for the whole server
      csv_header_written_ = true;
    }
    (to_err ? err_ : out_)(line);
  }
  test.held_lines.clear();
}

}  // namespace nperf::session
