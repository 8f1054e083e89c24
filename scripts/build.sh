#!/usr/bin/env bash
# Configures and builds nperf (Release by default) into build/. Arguments go to
# `cmake --build` (scripts/demo.sh passes --target nperf).
set -euo pipefail
cd "$(dirname "$0")/.."
build_type="${BUILD_TYPE:-Release}"
cmake -S . -B build -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build -j"$(nproc)" "$@"
