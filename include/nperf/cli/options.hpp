#pragma once
// The command line (CLI11). The only place that knows option spellings.
#include <string>

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

}  // namespace nperf::cli
