#!/usr/bin/env bash
# Runs nperf's libFuzzer targets (tests/fuzz/).
#
#   scripts/fuzz.sh TARGET SECONDS     TARGET: frame params results results_extension udp_header cli auth http_request
#   scripts/fuzz.sh all SECONDS        each target in turn, SECONDS each
#
# Configures and builds build-fuzz/ with clang when needed, then runs the
# target for SECONDS (-max_total_time) on a working copy of its seed corpus
# (build-fuzz/fuzz/corpus/TARGET, seeded from tests/fuzz/corpus/TARGET and
# kept between runs), printing libFuzzer's final statistics
# (-print_final_stats=1) and a one-line summary. Exits non-zero when a target
# finds something (crash, sanitizer report, failed property check, leak,
# timeout, OOM); the reproducer is in build-fuzz/fuzz/artifacts/TARGET/.
# Replay one: build-fuzz/tests/fuzz/nperf_fuzz_TARGET FILE
#
# Instrumentation: the fuzz executables get -fsanitize=fuzzer,address,undefined
# from tests/fuzz/CMakeLists.txt. For the project libraries (nperf_config,
# nperf_protocol, nperf_stats, nperf_cli) to be instrumented too -- coverage
# feedback and ASan/UBSan inside src/ -- this script configures the whole
# build with
#   -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined ..."
# (setting CMAKE_CXX_FLAGS inside tests/fuzz would be too late: the libraries
# take their flags in the root directory). Debug builds use -g -O1 here.
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_ARGS (extra libFuzzer
# options, e.g. FUZZ_ARGS="-max_len=8192"), FUZZ_WERROR=0 to add -Wno-error
# should clang warn in a project source that g++ accepts, FUZZ_SKIP_KNOWN=1 to
# step around findings already reported (see NPERF_FUZZ_SKIP_KNOWN in
# tests/fuzz/*.cpp) so a run can look for new ones.
set -uo pipefail
cd "$(dirname "$0")/.."

TARGETS=(frame params results results_extension udp_header cli auth http_request)
usage() { echo "usage: $0 {${TARGETS[*]}|all} SECONDS" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
target="$1"
seconds="$2"
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || usage
if [[ "$target" != all && ! " ${TARGETS[*]} " =~ " $target " ]]; then usage; fi

build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
san_flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
[[ "${FUZZ_WERROR:-1}" == 0 ]] && san_flags+=" -Wno-error"

configure() {
  # Reconfigure when the cache is missing or was made with other flags.
  if [[ -f "$build_dir/CMakeCache.txt" ]] &&
     grep -qxF "CMAKE_CXX_FLAGS:STRING=$san_flags" "$build_dir/CMakeCache.txt" &&
     grep -qx 'NPERF_FUZZ:BOOL=ON' "$build_dir/CMakeCache.txt"; then
    return 0
  fi
  echo "== configuring $build_dir (clang, $san_flags)"
  CC=clang CXX=clang++ cmake -S . -B "$build_dir" -DNPERF_FUZZ=ON -DNPERF_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="$san_flags" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" >/dev/null
}

build() {
  local targets=()
  for t in "$@"; do targets+=(--target "nperf_fuzz_$t"); done
  echo "== building ${targets[*]//--target /}"
  cmake --build "$build_dir" -j"$(nproc)" "${targets[@]}"
}

# Runs one target; prints its statistics; returns non-zero on a finding.
run_one() {
  local t="$1" exe="$build_dir/tests/fuzz/nperf_fuzz_$1"
  local seeds="tests/fuzz/corpus/$t" work="$build_dir/fuzz/corpus/$t"
  local artifacts="$build_dir/fuzz/artifacts/$t" log="$build_dir/fuzz/$t.log"
  mkdir -p "$work" "$artifacts"
  [[ -d "$seeds" ]] && cp -n "$seeds"/* "$work"/ 2>/dev/null
  local args=(-max_total_time="$seconds" -print_final_stats=1 -timeout=25 -artifact_prefix="$artifacts/")
  [[ -f "tests/fuzz/$t.dict" ]] && args+=(-dict="tests/fuzz/$t.dict")
  # shellcheck disable=SC2206
  [[ -n "${FUZZ_ARGS:-}" ]] && args+=(${FUZZ_ARGS})
  echo "== fuzzing $t for ${seconds}s: $exe ${args[*]} $work"
  NPERF_FUZZ_SKIP_KNOWN="${FUZZ_SKIP_KNOWN:-}" \
  ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}" \
  UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}" \
    "$exe" "${args[@]}" "$work" >"$log" 2>&1
  local rc=$?
  # libFuzzer's progress lines are long; show the end of the log (the report and stats).
  # (progress lines and the recommended dictionary left out).
  awk '/^###### Recommended dictionary/{skip=1} !skip && !/^#[0-9]+[ \t]+(NEW|REDUCE|pulse)/ && !/^\tNEW_FUNC/{print} /^###### End of recommended/{skip=0}' \
    "$log" | tail -n 60
  local execs rate cov ft units finding
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  units=$(grep -oE 'corp: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
  finding=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
  local verdict=OK
  if [[ $rc -ne 0 || -n "$finding" ]]; then verdict="FINDING rc=$rc ${finding:-see $log}"; fi
  echo "== $t: execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${units:-?} log=$log: $verdict"
  summary+=("$t: execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} corpus=${units:-?} $verdict")
  [[ "$verdict" == OK ]]
}

if [[ "$target" == all ]]; then selected=("${TARGETS[@]}"); else selected=("$target"); fi
configure || { echo "configure failed" >&2; exit 3; }
build "${selected[@]}" || { echo "build failed (clang -Werror? try FUZZ_WERROR=0)" >&2; exit 3; }

summary=()
status=0
for t in "${selected[@]}"; do run_one "$t" || status=1; done
if [[ ${#selected[@]} -gt 1 ]]; then
  echo "== summary"
  printf '  %s\n' "${summary[@]}"
fi
exit $status
