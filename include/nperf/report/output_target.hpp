#pragma once
// Where a run's output goes: stdout and stderr, or with --logfile one file for
// both (opened for appending before anything runs, as iperf3 does, so a
// daemonized server keeps writing to it). Every write is flushed at once:
// --forceflush is what nperf always does.
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "nperf/report/text_reporter.hpp"

namespace nperf::report {

class OutputTarget {
 public:
  // `logfile` "" = stdout/stderr. Returns null and sets *error when the file cannot be opened.
  static std::unique_ptr<OutputTarget> open(const std::string& logfile, std::string* error);
  ~OutputTarget();
  OutputTarget(const OutputTarget&) = delete;
  OutputTarget& operator=(const OutputTarget&) = delete;

  LineSink out();  // reports
  LineSink err();  // warnings and errors (the log file too, when there is one)

 private:
  OutputTarget(std::FILE* out, std::FILE* err, bool owned) : out_(out), err_(err), owned_(owned) {}
  std::FILE* out_;
  std::FILE* err_;
  bool owned_;
};

// --timestamps: `when` in local time through strftime(`format`), as iperf3
// prefixes each print call ("%c " by default). "" when the result would not
// fit iperf3's 100-byte buffer.
std::string format_timestamp(const std::string& format, std::time_t when);

}  // namespace nperf::report
