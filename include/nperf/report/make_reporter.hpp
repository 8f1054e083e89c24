#pragma once
// The one place that picks and builds a reporter (text, -J, --csv): for the
// process's own output (main) and for the server's --get-server-output copy.
#include <functional>
#include <memory>
#include <string>

#include "nperf/config/config.hpp"
#include "nperf/report/reporter.hpp"
#include "nperf/report/text_reporter.hpp"

namespace nperf::report {

struct ReporterSettings {
  enum class Kind { kText, kJson, kCsv };
  Kind kind = Kind::kText;
  Role role = Role::kClient;
  std::string title;                       // -T (the client's)
  bool json_stream = false;                // --json-stream
  bool json_stream_full = false;           // --json-stream-full-output
  char format = 'a';                       // -f
  bool verbose = false;                    // -V
  std::string server_preamble;             // text server with -V: version and uname before each banner
  std::function<std::string()> timestamp;  // --timestamps, null when off
  bool messages_as_comments = false;       // --csv with --logfile
  std::string listening_ports;             // server on several ports: "5101-5103" for the banner
};

// The settings for this process's own output, as the command line asks.
ReporterSettings reporter_settings(const Config& config, std::string server_preamble);

// What a server prints for one test into --get-server-output: the format the
// server itself uses (-J or text), without banner, title or timestamps.
ReporterSettings server_output_settings(const Config& config, const std::string& title);

// `err` is unused by -J (errors go into its document).
std::unique_ptr<Reporter> make_reporter(ReporterSettings settings, LineSink out, LineSink err);

}  // namespace nperf::report
