#!/usr/bin/env bash
# A small mutation pass: switches one feature off at a time (a one-line
# change in the product, found by the statement's text, never by line
# number), rebuilds nperf incrementally and runs the tests that should notice.
# A mutation the tests do not notice SURVIVED: the feature has no test that
# can fail. A mutation whose statement is not found exactly once is STALE
# (the code moved on; update the list). Either makes the script exit 1.
#
#   scripts/mutate.sh            run every mutation, print a Markdown table
#   scripts/mutate.sh NAME...    run only these
#   scripts/mutate.sh --list     print the list
#
# The work happens in a scratch copy ($NPERF_MUTATE_DIR, default
# /tmp/nperf-mutate) with its own build folder, kept between runs; the
# working tree is never touched. Not part of .ci/run: it takes 5-15 minutes.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${NPERF_MUTATE_DIR:-/tmp/nperf-mutate}
export CCACHE_DIR=${CCACHE_DIR:-$root/../.ccache}

# name | file | anchor (the first TARGET after this unique line; "" = TARGET itself unique)
#      | target statement text | replace this text on that line | with this | gtest filter
# Each one turns an option off or back to its default. The filters name the
# mechanism tests (counts, flags, sizes: robust on a busy machine), plus the
# older suites whose checks are exact (bytes, socket state), not the rate ones.
mutations=(
  "zerocopy-off|src/engine/tcp_stream.cpp||if (plan.zerocopy) file.emplace(block, file_span);|plan.zerocopy|false|ZerocopyMechanism.*:Zerocopy.*"
  "skip-rx-copy-off|src/engine/tcp_stream.cpp||const int flags = plan.skip_rx_copy ? MSG_TRUNC : 0;|plan.skip_rx_copy ? MSG_TRUNC : 0|0|SkipRxCopyMechanism.*:SkipRxCopy.*"
  "udp-burst-1|src/engine/udp_stream.cpp||static_cast<uint64_t>(std::max(plan.burst, 1)));|std::max(plan.burst, 1)|1|BurstMechanism.Udp*"
  "tcp-burst-1|src/engine/tcp_stream.cpp||const uint64_t burst = static_cast<uint64_t>(std::max(plan.burst, 1));|std::max(plan.burst, 1)|1|BurstMechanism.Tcp*"
  "udp-pacing-off|src/engine/udp_stream.cpp||uint64_t n = pacer.allowance(seconds(now), want);|pacer.allowance(seconds(now), want)|want|PacingMechanism.Udp*"
  "tcp-pacing-off|src/engine/tcp_stream.cpp||if (plan.rate_bps && (burst == 1|plan.rate_bps &&|false &&|PacingMechanism.Tcp*"
  "gso-off|src/engine/udp_stream.cpp||if (!plan.gso \|\| plan.block_len * 2 > kMaxGsoBytes) return 1;|!plan.gso|true|GsroMechanism.*"
  "gro-off|src/engine/udp_stream.cpp||features.gro = plan.gro && ::setsockopt(|plan.gro &&|false &&|GsroMechanism.*"
  "nodelay-off|src/net/socket_options_linux.cpp||if (spec.nodelay) set_int(|spec.nodelay|false|NoDelayMechanism.*"
  "mss-off|src/net/socket_options_linux.cpp||if (spec.mss > 0) set_int(|spec.mss > 0|false|MssMechanism.*"
  "congestion-off|src/net/socket_options_linux.cpp||if (!spec.congestion.empty()) {|!spec.congestion.empty()|false|CongestionMechanism.*"
  "tcp-window-off|src/net/socket_options_linux.cpp|void apply_tcp_options(|if (spec.window > 0) {|spec.window > 0|false|WindowMechanism.Tcp*"
  "udp-window-off|src/net/socket_options_linux.cpp|void apply_udp_options(|if (spec.window > 0) {|spec.window > 0|false|WindowMechanism.Udp*"
  "tos-off|src/net/socket_options_linux.cpp||if (spec.tos > 0) {|spec.tos > 0|false|Tos.*"
  "fq-rate-off|src/net/socket_options_linux.cpp||bytes_per_second = spec.fq_rate_bps / 8; bytes_per_second > 0) {|bytes_per_second > 0)|false)|FqRateMechanism.*"
  "bind-dev-off|src/net/socket_options_linux.cpp||if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE,|if (::setsockopt(|if (true \|\| ::setsockopt(|BindDevice.*"
  "dont-fragment-off|src/net/socket_options_linux.cpp||if (spec.dont_fragment) {|spec.dont_fragment|false|DontFragmentMechanism.*"
  "repeating-payload-off|include/nperf/engine/payload.hpp||if (repeating) {|(repeating)|(repeating && false)|RepeatingPayloadMechanism.*"
  "per-stream-affinity-off|src/engine/stream_engine.cpp||if (plan.cpu >= 0 && !net::pin_current_thread(|plan.cpu >= 0|false|AffinityMechanism.*:Affinity.*"
  "process-affinity-off|src/main.cpp||if (config.affinity.local.kind == nperf::CpuPlacement::Kind::kWholeProcess &&|config.affinity.local.kind == nperf::CpuPlacement::Kind::kWholeProcess|false|AffinityMechanism.*:Affinity.*"
  "udp-counters-32bit|src/engine/udp_stream.cpp||protocol::encode_udp_header(h, plan.udp_counters_64bit,|plan.udp_counters_64bit|false|UdpCounters64Mechanism.*"
  "udp-length-default|src/engine/udp_stream.cpp||const size_t len = plan.block_len;|plan.block_len|1460|LengthMechanism.Udp*"
  "tcp-length-default|src/session/test_run.cpp||p.block_len = spec.block_len;|spec.block_len|128 * 1024|LengthMechanism.Tcp*"
  "tcp-calls-one-block|src/cli/option_checks.cpp||s.call_len = raw.udp \|\| c.block_len_given ? 0 : kDefaultTcpCallLen;|? 0 : kDefaultTcpCallLen|? 0 : 0|CallSizeMechanism.*"
  "compact-buffers-off|src/engine/stream_engine.cpp||const bool compact = compact_buffers_for(static_cast<int>(tcp_workers));|compact_buffers_for(|false && compact_buffers_for(|CallSizeMechanism.*"
  "tcp-calls-ignore-length|src/cli/option_checks.cpp||s.call_len = raw.udp \|\| c.block_len_given ? 0 : kDefaultTcpCallLen;|raw.udp \|\| c.block_len_given|raw.udp|CallSizeMechanism.*:LengthMechanism.Tcp*"
  "host-drop-count-off|src/engine/udp_stream.cpp||features.overflow_counts = ::setsockopt(plan.fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == 0;|::setsockopt(plan.fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on) == 0|false|Udp.HostDropsAreReported*"
)

field() {  # field N of a mutation line ('|' separated; '\|' is a literal bar)
  local line=${1//\\|/$'\x01'}
  local value
  value=$(cut -d'|' -f"$2" <<<"$line")
  printf '%s' "${value//$'\x01'/|}"
}

selected=("$@")
wanted() {
  ((${#selected[@]} == 0)) && return 0
  local s
  for s in "${selected[@]}"; do [[ $s == "$1" ]] && return 0; done
  return 1
}

# The line number of TARGET (after ANCHOR when given) in FILE, or a reason it is stale.
locate() {
  local file=$1 anchor=$2 target=$3 count from=0 line
  if [[ -n $anchor ]]; then
    count=$(grep -cF -- "$anchor" "$file")
    ((count == 1)) || { echo "STALE: anchor found $count times"; return 1; }
    from=$(grep -nF -- "$anchor" "$file" | cut -d: -f1)
    line=$(tail -n +"$((from + 1))" "$file" | grep -nF -m1 -- "$target" | cut -d: -f1)
    [[ -n $line ]] || { echo "STALE: statement not found after the anchor"; return 1; }
    echo $((from + line))
    return 0
  fi
  count=$(grep -cF -- "$target" "$file")
  ((count == 1)) || { echo "STALE: statement found $count times"; return 1; }
  grep -nF -- "$target" "$file" | cut -d: -f1
}

if [[ ${1:-} == --list ]]; then  # where each statement is now, in the working tree
  for m in "${mutations[@]}"; do
    at=$(locate "$root/$(field "$m" 2)" "$(field "$m" 3)" "$(field "$m" 4)")
    printf '%-24s %s:%s  %s -> %s\n' "$(field "$m" 1)" "$(field "$m" 2)" "$at" "$(field "$m" 5)" "$(field "$m" 6)"
  done
  exit 0
fi

log=$work/log
mkdir -p "$work/tree" "$log"
echo "copying the tree to $work/tree and building (nice) ..." >&2
# Only files whose content changed get a new time stamp, so the build stays incremental.
(cd "$root" && git ls-files --cached --others --exclude-standard -z) |
  (cd "$root" && tar --null -T - -cf -) | tar -xf - -C "$work/tree" --keep-newer-files 2>/dev/null
(cd "$root" && git ls-files --cached --others --exclude-standard -z) |
  while IFS= read -r -d '' f; do cmp -s "$root/$f" "$work/tree/$f" || cp "$root/$f" "$work/tree/$f"; done
build() {
  nice -n 10 cmake --build "$work/build" -j2 --target "$@" >"$log/build.txt" 2>&1
}
cmake -S "$work/tree" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache \
  >"$log/cmake.txt" 2>&1 || { cat "$log/cmake.txt"; exit 1; }
build nperf nperf_e2e_tests || { tail -30 "$log/build.txt"; exit 1; }
tests=$work/build/tests/nperf_e2e_tests

# Runs FILTER; prints the tests that failed (empty: all passed). Serial and niced.
run_tests() {
  local out=$1 filter=$2
  timeout 900 nice -n 10 "$tests" --gtest_filter="$filter" >"$out" 2>&1
  grep -E '^\[  FAILED  \] [A-Za-z0-9_./]+ \(' "$out" | sed -E 's/^\[  FAILED  \] ([^ ]+) .*/\1/' | sort -u |
    paste -sd' ' -
}
count_tests() { grep -oE '^\[==========\] [0-9]+ tests? from' "$1" | head -1 | grep -oE '[0-9]+'; }

# Baseline: every filter must pass unmutated, or a "caught" below means nothing.
filters=()
for m in "${mutations[@]}"; do wanted "$(field "$m" 1)" && filters+=("$(field "$m" 7)"); done
((${#filters[@]})) || { echo "no mutation named: $*" >&2; exit 1; }
baseline=$(IFS=:; echo "${filters[*]}")
echo "baseline: $baseline" >&2
failed=$(run_tests "$log/baseline.txt" "$baseline")
if [[ -n $failed ]]; then  # once more, alone: the machine may have been busy
  echo "baseline: again, alone: $failed" >&2
  failed=$(run_tests "$log/baseline-again.txt" "${failed// /:}")
fi
if [[ -n $failed ]]; then
  echo "baseline FAILED (unmutated): $failed" >&2
  echo "see $log/baseline.txt; rerun on a quieter machine" >&2
  exit 1
fi

status=0
printf '| mutation | statement (file) | tests run | result | failing tests |\n|---|---|---|---|---|\n'
for m in "${mutations[@]}"; do
  name=$(field "$m" 1)
  wanted "$name" || continue
  file=$(field "$m" 2) anchor=$(field "$m" 3) target=$(field "$m" 4)
  old=$(field "$m" 5) new=$(field "$m" 6) filter=$(field "$m" 7)
  path=$work/tree/$file
  shown="\`${target//|/\\|}\` ($file)"
  if ! line=$(locate "$path" "$anchor" "$target"); then
    printf '| %s | %s | - | %s | |\n' "$name" "$shown" "$line"
    status=1
    continue
  fi
  cp -p "$path" "$log/original"
  mapfile -t lines <"$path"
  before=${lines[line - 1]}
  lines[line - 1]=${before/"$old"/"$new"}
  if [[ ${lines[line - 1]} == "$before" ]]; then
    printf '| %s | %s | - | STALE: "%s" not on the line | |\n' "$name" "$shown" "$old"
    status=1
    continue
  fi
  printf '%s\n' "${lines[@]}" >"$path"
  echo "$name: $file:$line: ${lines[line - 1]}" >&2
  if ! build nperf; then
    result="BUILD FAILED (a bad mutation; see $log/$name.build.txt)" failed="" ran=0
    cp "$log/build.txt" "$log/$name.build.txt"
    status=1
  else
    failed=$(run_tests "$log/$name.txt" "$filter")
    ran=$(count_tests "$log/$name.txt")
    if [[ -n $failed ]]; then
      result=caught
    elif [[ ${ran:-0} -eq 0 ]]; then
      result="SURVIVED (no test ran)"
      status=1
    else
      result=SURVIVED
      status=1
    fi
  fi
  # Back to the original content; a new time stamp makes the next build recompile it.
  cp "$log/original" "$path"
  touch "$path"
  printf '| %s | %s | %s (`%s`) | %s | %s |\n' "$name" "$shown" "${ran:-0}" "$filter" "$result" "$failed"
done
build nperf >/dev/null 2>&1  # leave the scratch binary unmutated
exit $status
