#include "nperf/report/make_reporter.hpp"

#include <ctime>

#include "nperf/config/port_list.hpp"
#include "nperf/report/csv_reporter.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/report/output_target.hpp"

namespace nperf::report {

ReporterSettings reporter_settings(const Config& config, std::string server_preamble) {
  ReporterSettings s;
  s.kind = config.json ? ReporterSettings::Kind::kJson
                       : (config.csv ? ReporterSettings::Kind::kCsv : ReporterSettings::Kind::kText);
  s.role = config.role;
  // -T is the client's: a server prints no title of its own.
  s.title = Side{s.role}.is_server() ? "" : config.spec.title;
  s.json_stream = config.json_stream;
  s.json_stream_full = config.json_stream_full;
  s.format = config.format;
  s.verbose = config.verbose;
  if (Side{s.role}.is_server() && config.verbose) s.server_preamble = std::move(server_preamble);
  if (config.timestamp_format)
    s.timestamp = [format = *config.timestamp_format] {
      return format_timestamp(format, std::time(nullptr));
    };
  s.messages_as_comments = !config.logfile.empty();
  if (config.ports.size() > 1) s.listening_ports = describe_ports(config.ports);
  return s;
}

ReporterSettings server_output_settings(const Config& config, const std::string& title) {
  ReporterSettings s;
  s.kind = config.json ? ReporterSettings::Kind::kJson : ReporterSettings::Kind::kText;
  s.role = Role::kServer;
  // The -J copy carries the client's title, as iperf3's does; the text copy has none.
  if (config.json) s.title = title;
  s.format = config.format;
  s.verbose = config.verbose;
  return s;
}

std::unique_ptr<Reporter> make_reporter(ReporterSettings s, LineSink out, LineSink err) {
  switch (s.kind) {
    case ReporterSettings::Kind::kJson:
      return std::make_unique<JsonReporter>(
          JsonOptions{s.role, std::move(s.title), s.json_stream, s.json_stream_full}, std::move(out));
    case ReporterSettings::Kind::kCsv: {
      CsvOptions options;
      options.role = s.role;
      options.title = std::move(s.title);
      options.messages_as_comments = s.messages_as_comments;
      return std::make_unique<CsvReporter>(std::move(options), std::move(out), std::move(err));
    }
    case ReporterSettings::Kind::kText:
      break;
  }
  TextOptions options{s.format,
                      s.verbose,
                      s.role,
                      std::move(s.title),
                      std::move(s.server_preamble),
                      std::move(s.timestamp),
                      std::move(s.listening_ports)};
  return std::make_unique<TextReporter>(std::move(options), std::move(out), std::move(err));
}

}  // namespace nperf::report
