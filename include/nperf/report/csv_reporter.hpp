#pragma once
// --csv (nperf only): one comma-separated row per stream and per sum for every
// interval and for the summary, under one header row per process, for
// spreadsheets and scripts. Columns and their meaning: docs/csv.md. Warnings
// and errors go to the error sink as in text mode ("# "-comments when that
// sink is the rows' log file).
#include <chrono>
#include <functional>
#include <string>

#include "nperf/report/reporter.hpp"
#include "nperf/report/text_reporter.hpp"

namespace nperf::report {

struct CsvOptions {
  Role role = Role::kClient;  // which end prints (Side in config/side.hpp derives the rest)
  std::string title;          // -T: the "title" column (client)
  // Wall clock of a row (when it is written); tests pass a fixed one.
  std::function<std::chrono::system_clock::time_point()> now = [] {
    return std::chrono::system_clock::now();
  };
  // --logfile: warnings and errors share the rows' file, so they are written
  // as "# " comment lines (pandas' comment='#', R's comment.char skip them).
  bool messages_as_comments = false;
};

// The header row, without the line end.
extern const char* const kCsvHeader;

class CsvReporter : public Reporter {
 public:
  CsvReporter(CsvOptions options, LineSink out, LineSink err);
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
  struct Row;
  void emit(const Row& row, const std::string& when);  // `when`: the row's timestamp cell
  const char* comment() const { return options_.messages_as_comments ? "# " : ""; }
  bool forward_for(bool local_sender) const { return Side{options_.role}.forward_for(local_sender); }

  CsvOptions options_;
  LineSink out_, err_;
  bool header_written_ = false;
  // The test's facts every row repeats (from on_connected).
  std::string title_, host_;
  int port_ = 0;
  bool udp_ = false;
};

}  // namespace nperf::report
