#pragma once
// The command line (CLI11). The only place that knows option spellings.
#include <string>
#include <vector>

#include "nperf/cli/help.hpp"
#include "nperf/config/config.hpp"

namespace nperf::cli {

struct ParseOutcome {
  bool run = false;   // false: nothing to run (help, version or an error was printed)
  int exit_code = 0;  // when !run
  // --check: report what bounds throughput on this host instead of testing.
  // config->host is HOST (may be empty: the default route), ->family and ->json apply.
  bool host_check = false;
};

// Parses argv into *config. Prints help/version to stdout and errors to
// stderr ("nperf: parameter error - ...").
ParseOutcome parse_command_line(int argc, char** argv, Config* config);

// Every option of the table as --help shows it (for the checks that README.md and
// docs/nperf.1 list them all).
std::vector<HelpRow> option_help_rows();

}  // namespace nperf::cli
