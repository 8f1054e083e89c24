#!/usr/bin/env bash
# README command (b): install (iperf3 included), build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
(cd build && ctest --output-on-failure -j2 --timeout 180)
# The benchmark is no test, but a one-second smoke of it keeps it working.
bench/run.sh --smoke --nperf build/nperf
