// Fuzzes the command-line parser (cli/options.hpp). The input is split on NUL
// bytes into argv (after argv[0] = "nperf"). Whatever the arguments, parsing
// must return normally (CLI11 throws internally; parse_command_line must catch
// it), and an accepted client command line must describe a valid test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "fuzz_check.hpp"
#include "nperf/cli/options.hpp"
#include "nperf/config/validate.hpp"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Help and version text (std::cout) and parameter errors (std::cerr) are
  // dropped once, here, so the fuzzer is not slowed down by printing.
  // stdout is reopened on /dev/null with freopen. stderr is NOT: libFuzzer
  // writes its statistics and crash reports through the same stderr FILE, so
  // only the C++ stream std::cerr is pointed at /dev/null. Set
  // NPERF_FUZZ_VERBOSE=1 to see the parser's output when replaying an input.
  if (std::getenv("NPERF_FUZZ_VERBOSE")) return 0;
  if (!std::freopen("/dev/null", "w", stdout)) std::perror("freopen /dev/null");
  static std::ofstream null_err("/dev/null");
  if (null_err) std::cerr.rdbuf(null_err.rdbuf());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args{"nperf"};
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (!current.empty()) args.push_back(current);
  if (args.size() > 256) return 0;

  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  nperf::Config config;
  config.port = 1;  // must be overwritten on success
  auto outcome = nperf::cli::parse_command_line(static_cast<int>(args.size()), argv.data(), &config);
  if (!outcome.run) {
    NPERF_FUZZ_CHECK(outcome.exit_code == 0 || outcome.exit_code == 2);
    NPERF_FUZZ_CHECK(config.port == 1);  // untouched on failure
    return 0;
  }
  NPERF_FUZZ_CHECK(config.port >= 1);
  // --check runs no test: test options are parsed but not a test's to validate.
  if (outcome.host_check) return 0;
  if (config.role == nperf::Role::kClient) {
    NPERF_FUZZ_CHECK(!config.host.empty());
    NPERF_FUZZ_CHECK(nperf::validate(config.spec).empty());
  } else {
    NPERF_FUZZ_CHECK(config.host.empty());
  }
  return 0;
}
