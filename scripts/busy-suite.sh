#!/usr/bin/env bash
# Runs the test suite (ctest) while a CPU hog runs beside it: the suite must
# hold on a busy machine (issue #19). Each run's pass/fail counts are printed;
# the exit status is 1 when any run of the correctness tests failed.
#
#   scripts/busy-suite.sh [options] [-- extra ctest args]
#     -B DIR        build directory (default: build)
#     -R REGEX      only tests matching REGEX (ctest -R)
#     -E REGEX      leave out tests matching REGEX (ctest -E)
#     -L LABEL      only tests with LABEL (ctest -L)
#     -n RUNS       consecutive runs (default 1)
#     -j N          ctest jobs (default 1; the e2e tests are RUN_SERIAL anyway)
#     --per-core    one hog per core (default: one hog)
#     --hogs N      N hogs
#     --max-time S  no hog outlives S seconds, whatever happens to this script (default 3600)
#     --with-timing also run the tests labelled `timing` (they measure speed or
#                   pacing and need an idle core, docs/robustness.md); their counts
#                   are printed apart and do not change the exit status
#
# Tests labelled `timing` are left out of the counted runs: a hog takes the
# core they need, so their failure under it says nothing about nperf. They are
# not hidden: the script names how many it left out.
#
# The hog is a shell busy loop under `timeout`: even a SIGKILL of this script
# leaves it at most --max-time seconds to live; every normal exit path
# (end, error, Ctrl-C, TERM, HUP) ends it at once (trap below).
set -euo pipefail
cd "$(dirname "$0")/.."

build=build runs=1 jobs=1 hogs=1 max_time=3600 with_timing=0
select_args=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -B) build="$2"; shift 2 ;;
    -R | -E | -L) select_args+=("$1" "$2"); shift 2 ;;
    -n) runs="$2"; shift 2 ;;
    -j) jobs="$2"; shift 2 ;;
    --per-core) hogs="$(nproc)"; shift ;;
    --hogs) hogs="$2"; shift 2 ;;
    --max-time) max_time="$2"; shift 2 ;;
    --with-timing) with_timing=1; shift ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "busy-suite: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
for n in "$runs" "$jobs" "$hogs" "$max_time"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "busy-suite: '$n' is not a positive whole number" >&2; exit 2; }
done
[ -f "$build/CTestTestfile.cmake" ] || { echo "busy-suite: no ctest tree in '$build' (build first)" >&2; exit 2; }

hog_pids=()
ctest_pid=""
stop_hogs() {
  local pid
  # A ctest still running (TERM or HUP to this script alone) ends with us.
  if [ -n "$ctest_pid" ]; then kill "$ctest_pid" 2>/dev/null || true; fi
  for pid in "${hog_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${hog_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  hog_pids=()
}
trap stop_hogs EXIT
trap 'stop_hogs; exit 130' INT
trap 'stop_hogs; exit 143' TERM HUP

logdir="$(mktemp -d "${TMPDIR:-/tmp}/busy-suite.XXXXXX")"
load() { cut -d' ' -f1-3 /proc/loadavg; }

for ((i = 0; i < hogs; i++)); do
  # timeout forwards our TERM to the loop; its own deadline covers a SIGKILL of this script.
  timeout --kill-after=5 "$max_time" sh -c 'while :; do :; done' &
  hog_pids+=("$!")
done
echo "busy-suite: $hogs hog(s) on $(nproc) core(s), at most ${max_time} s; load average $(load); logs in $logdir"

# ctest's summary: "NN% tests passed, F tests failed out of T"; 0/0 when it ran nothing.
counts() {
  local line
  line="$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$1" | tail -1 || true)"
  if [ -z "$line" ]; then
    echo "0 0 0"
    return
  fi
  local failed total
  failed="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1/' <<<"$line")"
  total="$(sed -E 's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\2/' <<<"$line")"
  echo "$((total - failed)) $failed $total"
}
failed_names() { sed -n '/The following tests FAILED:/,$p' "$1" | grep -E '^\s+[0-9]+ - ' | sed -E 's/^\s+[0-9]+ - ([^ ]+).*/\1/' || true; }

ctest_run() {  # ctest_run LOG ARGS...
  local log="$1"
  shift
  # In the background and waited for: a signal is then handled at once, not
  # after the run (bash runs traps only between foreground commands).
  (cd "$build" && exec ctest --output-on-failure --timeout 180 -j"$jobs" "$@") >"$log" 2>&1 &
  ctest_pid=$!
  wait "$ctest_pid" || true
  ctest_pid=""
}

bad_runs=0
declare -A failures=()
leftout="$(cd "$build" && ctest -N "${select_args[@]}" -L timing 2>/dev/null | sed -nE 's/^Total Tests: ([0-9]+)/\1/p')"
for ((run = 1; run <= runs; run++)); do
  log="$logdir/run$run.log"
  ctest_run "$log" "${select_args[@]}" -LE timing "${extra[@]}"
  read -r passed failed total < <(counts "$log")
  status=ok
  if [ "$total" -eq 0 ]; then
    status="NO TESTS RAN (see $log)"
    bad_runs=$((bad_runs + 1))
  elif [ "$failed" -gt 0 ]; then
    status="FAILED: $(failed_names "$log" | tr '\n' ' ')"
    bad_runs=$((bad_runs + 1))
    for name in $(failed_names "$log"); do failures[$name]=$((${failures[$name]:-0} + 1)); done
  fi
  echo "run $run/$runs: $passed passed, $failed failed of $total; load $(load); $status"
  if [ "$with_timing" = 1 ] && [ "${leftout:-0}" -gt 0 ]; then
    tlog="$logdir/run$run.timing.log"
    ctest_run "$tlog" "${select_args[@]}" -L timing "${extra[@]}"
    read -r tpassed tfailed ttotal < <(counts "$tlog")
    echo "  timing tests (need an idle core, not counted): $tpassed passed, $tfailed failed of $ttotal" \
      "$( [ "$tfailed" -gt 0 ] && echo "- $(failed_names "$tlog" | tr '\n' ' ')")"
  fi
done
stop_hogs

if [ "${leftout:-0}" -gt 0 ] && [ "$with_timing" = 0 ]; then
  echo "busy-suite: left out ${leftout} test(s) labelled 'timing' (they need an idle core: ctest -L timing on a quiet machine, or --with-timing)"
fi
for name in "${!failures[@]}"; do echo "  $name failed in ${failures[$name]} of $runs run(s)"; done
echo "busy-suite: $((runs - bad_runs)) of $runs run(s) passed; load average at the end $(load)"
[ "$bad_runs" -eq 0 ]
