#!/usr/bin/env bash
# README command (b): install (iperf3 included), build, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh
cd build
ctest --output-on-failure -j2 --timeout 180
