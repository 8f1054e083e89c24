#pragma once
// The process exit codes, shared by the command line (usage errors) and the
// sessions (test failures).

namespace nperf {

enum ExitCode : int {
  kExitOk = 0,
  kExitTestFailed = 1,  // any runtime failure, as iperf3
  kExitUsage = 2,       // bad command line
};

}  // namespace nperf
