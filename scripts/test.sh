#!/usr/bin/env bash
# README command (b): install (iperf3 included), build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
# One formatting rule set (.clang-format), checked before anything is built.
scripts/check_format.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 180)
# Issue #5: ASan + UBSan over the unit tests and the hostile-peer e2e tests
# (robustness suite, vanishing peers), less three that only wait out 10-30 s
# deadlines. -O0 compiles 2-3x faster than -O1 and is fast enough for these.
# Measured: about +5 min on 2 cores (docs/robustness.md, "Sanitizers"); the
# whole suite under ASan or TSan is scripts/sanitize.sh {address|thread}.
asan_ci() { BUILD_DIR=build-asan-ci SANITIZE_FLAGS="-g1 -O0" JOBS=2 scripts/sanitize.sh address "$@"; }
asan_ci -j2 -LE e2e
asan_ci -L e2e -R '^(Robustness|Server|Client)\.' -E 'GivesUpOn(SilentServer|TruncatedCookieThenSilence|ValidCookieThenSilence)'
# The benchmark is no test, but a one-second smoke of it keeps it working.
bench/run.sh --smoke --nperf build/nperf
