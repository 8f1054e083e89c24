#!/usr/bin/env bash
# Builds the suite with a sanitizer and runs it:
#   scripts/sanitize.sh address [ctest args...]   ASan + UBSan (any UB aborts), in build-asan/
#   scripts/sanitize.sh thread  [ctest args...]   TSan, in build-tsan/
# e.g. scripts/sanitize.sh address -R '^Robustness\.'    or    scripts/sanitize.sh thread -L soak
# The e2e tests start the sanitized nperf binary; it inherits the options below,
# and tests/e2e/process.cpp fails a test whose child printed a sanitizer report.
# Environment: SANITIZE_FLAGS (default "-g -O1": the e2e tests move real
# traffic, and -O0 code under a sanitizer is slower; "-g1 -O0" compiles 2-3
# times faster, which scripts/test.sh uses), BUILD_DIR, JOBS (default nproc).
# Throughput-sensitive e2e tests (UDP pacing and loss at 500 Mbit/s, exact
# byte counts against iperf3) can fail under a sanitizer for lack of speed
# alone; rerun such a failure by itself, and look for a sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
san="${1:-}"
case "$san" in
  address) dir="${BUILD_DIR:-build-asan}" ;;
  thread) dir="${BUILD_DIR:-build-tsan}" ;;
  *) echo "usage: $0 {address|thread} [ctest args...]" >&2; exit 2 ;;
esac
shift
flags="${SANITIZE_FLAGS:--g -O1}"
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$flags" -DNPERF_SANITIZE="$san" >/dev/null
cmake --build "$dir" -j"${JOBS:-$(nproc)}" --target nperf nperf_tests nperf_e2e_tests

# A report aborts the process (ASan, UBSan: SIGABRT) or exits 66 (TSan): never
# 0, 1 or 2, the exit codes the tests expect from nperf.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:check_initialization_order=1:strict_init_order=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$root/tests/sanitizers/tsan.supp"
cd "$dir"
ctest --output-on-failure --timeout 600 "$@"
