#!/usr/bin/env bash
# One nperf server running three tests at once (issue #14) beside one test with as many streams:
#   three concurrent `nperf -c -P 1` clients against `nperf -s --max-tests 3`
#   vs one `nperf -c -P 3` against the same server, interleaved, on loopback.
# The aggregate (sum of the three tests' received rates) should be within 10 % of the single
# test: serving tests at once must not cost throughput. Also run as `bench/run.sh --concurrent`.
#
#   bench/concurrent.sh [--reps N] [--time S] [--nperf PATH] [--streams K]
# Prints a markdown table and the ratio; exit 0 when every run gave numbers, 1 otherwise.
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
REPS=3
TIME=5
K=3
NPERF="$REPO/build/nperf"
while (($#)); do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --time) TIME="$2"; shift 2 ;;
    --streams) K="$2"; shift 2 ;;
    --nperf) NPERF="$2"; shift 2 ;;
    *) echo "usage: bench/concurrent.sh [--reps N] [--time S] [--streams K] [--nperf PATH]" >&2; exit 2 ;;
  esac
done
[[ -x "$NPERF" ]] || { echo "concurrent.sh: no nperf binary at $NPERF (build first)" >&2; exit 2; }
command -v jq >/dev/null || { echo "concurrent.sh: jq is needed" >&2; exit 2; }

WORK=$(mktemp -d)
PORT=$((26201 + RANDOM % 2000))
SERVER_PID=""
cleanup() {
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM HUP

"$NPERF" -s -p "$PORT" --max-tests "$K" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 50); do ss -ltn "sport = :$PORT" | grep -q LISTEN && break; sleep 0.1; done

recv_gbps() { jq -r '(.end.sum_received.bits_per_second // 0) / 1e9' "$1" 2>/dev/null || echo 0; }
failed=0
declare -a together single
for rep in $(seq "$REPS"); do
  # K tests at once, one stream each.
  pids=()
  for i in $(seq "$K"); do
    timeout $((TIME + 20)) "$NPERF" -c 127.0.0.1 -p "$PORT" -t "$TIME" -P 1 -J >"$WORK/c$rep-$i.json" 2>&1 &
    pids+=($!)
  done
  sum=0
  for i in $(seq "$K"); do
    wait "${pids[$((i - 1))]}" || failed=1
    sum=$(awk -v a="$sum" -v b="$(recv_gbps "$WORK/c$rep-$i.json")" 'BEGIN { print a + b }')
  done
  together+=("$sum")
  # One test with K streams.
  timeout $((TIME + 20)) "$NPERF" -c 127.0.0.1 -p "$PORT" -t "$TIME" -P "$K" -J >"$WORK/s$rep.json" 2>&1 || failed=1
  single+=("$(recv_gbps "$WORK/s$rep.json")")
  echo "rep $rep: $K tests at once ${together[-1]} Gbit/s, one -P $K test ${single[-1]} Gbit/s" >&2
done

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mt=$(median "${together[@]}")
ms=$(median "${single[@]}")
echo "| loopback, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) | runs | median received Gbit/s |"
echo "|---|---|---|"
echo "| $K concurrent \`-P 1\` tests, summed | $REPS | $mt |"
echo "| one \`-P $K\` test | $REPS | $ms |"
awk -v t="$mt" -v s="$ms" 'BEGIN { if (s > 0) printf "aggregate / single = %.2f\n", t / s }'
for v in "${together[@]}" "${single[@]}"; do awk -v v="$v" 'BEGIN { exit !(v > 0) }' || failed=1; done
exit "$failed"
