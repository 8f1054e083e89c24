// nperf: parse the command line, pick the role, run it, map the outcome to an exit code.
#include <csignal>
#include <ctime>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "nperf/auth/prepare.hpp"
#include "nperf/cli/options.hpp"
#include "nperf/hostcheck/host_check.hpp"
#include "nperf/net/affinity.hpp"
#include "nperf/report/csv_reporter.hpp"
#include "nperf/report/json_reporter.hpp"
#include "nperf/report/output_target.hpp"
#include "nperf/report/text_reporter.hpp"
#include "nperf/session/client_session.hpp"
#include "nperf/session/process_control.hpp"
#include "nperf/session/server_session.hpp"
#include "nperf/session/session_common.hpp"

int main(int argc, char** argv) {
  nperf::Config config;
  auto outcome = nperf::cli::parse_command_line(argc, argv, &config);
  if (!outcome.run) return outcome.exit_code;
  // Keys, password (env, file or prompt) and --allow: read before anything runs (docs/auth.md).
  if (std::string auth_error; !outcome.host_check && !nperf::auth::prepare(&config, &auth_error)) {
    std::cerr << "nperf: parameter error - " << auth_error << "\n";
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a closed data socket must fail a send, not kill us

  std::string error;
  auto output = nperf::report::OutputTarget::open(config.logfile, &error);
  if (!output) {
    std::cerr << "nperf: parameter error - " << error << "\n";
    return 2;
  }
  auto out = output->out();
  auto err = output->err();
  if (outcome.host_check) return nperf::hostcheck::run_host_check(config, out, err);
  bool is_server = config.role == nperf::Role::kServer;
  std::unique_ptr<nperf::report::Reporter> reporter;
  if (config.json)
    reporter = std::make_unique<nperf::report::JsonReporter>(
        nperf::report::JsonOptions{is_server, is_server ? "" : config.spec.title, config.json_stream}, out);
  else if (config.csv) {
    nperf::report::CsvOptions options;
    options.is_server = is_server;
    options.title = is_server ? "" : config.spec.title;
    options.messages_as_comments = !config.logfile.empty();
    reporter = std::make_unique<nperf::report::CsvReporter>(std::move(options), out, err);
  } else {
    nperf::report::TextOptions options{
        config.format, config.verbose, is_server, is_server ? "" : config.spec.title, "", {}};
    if (is_server && config.verbose) {
      nperf::TestStartInfo facts;
      nperf::session::fill_host_facts(&facts);
      options.server_preamble = fmt::format("{}\n{}\n", facts.version, facts.system_info);
    }
    if (config.timestamp_format)
      options.timestamp = [format = *config.timestamp_format] {
        return nperf::report::format_timestamp(format, std::time(nullptr));
      };
    reporter = std::make_unique<nperf::report::TextReporter>(std::move(options), out, err);
  }

  if (config.affinity.local.kind == nperf::CpuPlacement::Kind::kWholeProcess &&
      !nperf::net::pin_process(config.affinity.local.cpus.front(), &error)) {
    err(fmt::format("nperf: error - {}\n", error));
    return nperf::session::kExitTestFailed;
  }
  // From here a termination signal waits for the session's handler (which
  // ends the test cleanly and lets the pid file go).
  nperf::session::hold_termination_signals();
  // -D before any thread exists (the sessions start them); -I after, so it
  // holds the daemon's pid, but its refusal before, while an exit code is seen.
  if (!config.pidfile.empty() && nperf::session::PidFile::held_by_another(config.pidfile, &error)) {
    err(fmt::format("nperf: error - {}\n", error));
    return nperf::session::kExitTestFailed;
  }
  if (config.daemon && !nperf::session::daemonize(&error)) {
    err(fmt::format("nperf: error - {}\n", error));
    return nperf::session::kExitTestFailed;
  }
  std::unique_ptr<nperf::session::PidFile> pidfile;
  if (!config.pidfile.empty() && !(pidfile = nperf::session::PidFile::create(config.pidfile, &error))) {
    err(fmt::format("nperf: error - {}\n", error));
    return nperf::session::kExitTestFailed;
  }
  if (is_server) {
    nperf::session::ServerSession server(config, *reporter);
    if (config.debug > 0) server.set_debug_sink(err);
    return server.run();
  }
  nperf::session::ClientSession client(config, *reporter);
  if (config.debug > 0) client.set_debug_sink(err);
  return client.run();
}
