// nperf: parse the command line, pick the role, run it, map the outcome to an exit code.
#include <csignal>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "nperf/auth/prepare.hpp"
#include "nperf/cli/options.hpp"
#include "nperf/config/affinity_spec.hpp"
#include "nperf/config/exit_code.hpp"
#include "nperf/hostcheck/host_check.hpp"
#include "nperf/net/affinity.hpp"
#include "nperf/report/make_reporter.hpp"
#include "nperf/report/output_target.hpp"
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
    return nperf::kExitUsage;
  }
  auto out = output->out();
  auto err = output->err();
  if (outcome.host_check) return nperf::hostcheck::run_host_check(config, out, err);
  bool is_server = config.role == nperf::Role::kServer;
  std::string server_preamble;
  if (is_server && config.verbose) {
    nperf::TestStartInfo facts;
    nperf::session::fill_host_facts(&facts);
    server_preamble = fmt::format("{}\n{}\n", facts.version, facts.system_info);
  }
  std::unique_ptr<nperf::report::Reporter> reporter = nperf::report::make_reporter(
      nperf::report::reporter_settings(config, std::move(server_preamble)), out, err);

  // A failure before the session starts still ends in the reporter, so -J
  // prints iperf3's {"error": ...} document, as a failed connection does.
  auto fail_early = [&reporter](const std::string& message) {
    reporter->on_error(message);
    reporter->on_finish();
    return nperf::kExitTestFailed;
  };
  // -A names cores; in a container or pod only its cpuset may be used.
  std::string not_allowed = nperf::cpus_not_allowed(config.affinity.local, nperf::net::allowed_cpus());
  if (!not_allowed.empty()) return fail_early(not_allowed);
  if (config.affinity.local.kind == nperf::CpuPlacement::Kind::kWholeProcess &&
      !nperf::net::pin_process(config.affinity.local.cpus.front(), &error))
    return fail_early(error);
  // From here a termination signal waits for the session's handler (which
  // ends the test cleanly and lets the pid file go).
  nperf::session::hold_termination_signals();
  // -D before any thread exists (the sessions start them); -I after, so it
  // holds the daemon's pid, but its refusal before, while an exit code is seen.
  if (!config.pidfile.empty()) {
    if (std::string refusal = nperf::session::PidFile::held_by_another(config.pidfile); !refusal.empty())
      return fail_early(refusal);
  }
  if (config.daemon) {
    if (std::string failure = nperf::session::daemonize(); !failure.empty()) return fail_early(failure);
  }
  std::unique_ptr<nperf::session::PidFile> pidfile;
  if (!config.pidfile.empty()) {
    auto created = nperf::session::PidFile::create(config.pidfile);
    if (!created.file) return fail_early(created.error);
    pidfile = std::move(created.file);
  }
  if (is_server) {
    nperf::session::ServerSession server(config, *reporter);
    if (config.debug > 0) server.set_debug_sink(err);
    // Tests that may overlap report each into its own reporter (server_session.hpp).
    server.set_test_reporters(
        [&config](nperf::report::LineSink test_out, nperf::report::LineSink test_err) {
          return nperf::report::make_reporter(nperf::report::reporter_settings(config, ""),
                                              std::move(test_out), std::move(test_err));
        },
        out, err);
    return server.run();
  }
  nperf::session::ClientSession client(config, *reporter);
  if (config.debug > 0) client.set_debug_sink(err);
  return client.run();
}
