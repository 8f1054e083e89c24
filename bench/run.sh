#!/usr/bin/env bash
# nperf beside its peers (iperf3 3.12 and iperf 2.1 from Debian), interleaved, in one invocation.
#
#   bench/run.sh --smoke                      # CI: 1 rep, 1 s, loopback, TCP -P 1/-P 2, nperf + iperf3
#   bench/run.sh --reps 3 --time 5            # everything: lo, veth1500, veth9000 x all scenarios
#   bench/run.sh --links lo,veth1500 --scenarios tcp-P1,tcp-P2
#   bench/run.sh --scaling                    # nperf -P 1..16 with per-stream -A beside iperf3, loopback
#   bench/run.sh --same-flags --reps 5 --time 3   # every tool on the very same client command line
#   bench/run.sh --baseline OLD/nperf --tools nperf,baseline,iperf3   # nperf beside an earlier nperf build
#   bench/run.sh --concurrent [--reps N --time S]   # 3 tests at once on one server vs one -P 3 test (bench/concurrent.sh)
#
# Every side runs under /usr/bin/time (CPU seconds and peak RSS measured from outside the process),
# every client under `timeout`, every server is stopped by the script; namespaces, veth pair and
# processes are removed on exit, Ctrl-C and failure. Traffic stays on 127.0.0.1 or on a veth pair
# between two namespaces this script creates (198.18.0.1 <-> 198.18.0.2).
# Parsing: jq for -J (nperf, iperf3), awk for iperf2's --enhanced text; aggregation in awk.
# Missing packages (jq, iperf3, iperf, time, iproute2, procps) are installed with apt-get when root.
set -uo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
ORIG_ARGS=("$@")

ALL_SCENARIOS="tcp-P1,tcp-P2,tcp-P8,tcp-R,tcp-Z,udp-P1,udp-P2,udp-2G,udp-gsro"
SAME_SCENARIOS="P1,P2,P8,P1-l1M,P2-l1M,P8-l1M,R,R-l1M"
REPS=3
TIME=5
LINKS="lo,veth1500,veth9000"
SCENARIOS="$ALL_SCENARIOS"
TOOLS="nperf,iperf3,iperf2"
OUT=""
NPERF=""
BASELINE=""
MODE=full
PORT_BASE=""
DO_INSTALL=1
DO_BUILD=1
links_set=0 scen_set=0 tools_set=0 reps_set=0 time_set=0

usage() {
  cat <<EOF
usage: bench/run.sh [options]
  --reps N            repetitions per cell (default 3)
  --time S            seconds per run (-t, default 5)
  --links LIST        lo,veth1500,veth9000 (default: all three)
  --scenarios LIST    $ALL_SCENARIOS (default: all)
                      (--scaling: P1,P2,P4,P8,P16)
                      (--same-flags: $SAME_SCENARIOS; P<N>, R, with -l<SIZE> after a dash)
  --tools LIST        nperf,iperf3,iperf2 (default: all; --scaling: nperf-A,nperf,iperf3);
                      nperf-A = nperf with per-stream -A 0-(k-1),0-(k-1), k = min(P, nproc)
  --out DIR           results directory (default bench/results/<timestamp>/)
  --nperf PATH        nperf binary (default build-bench/nperf if it exists, else build/nperf)
  --baseline PATH     another nperf binary (e.g. the commit before a refactor), run as the tool
                      "baseline" with nperf's scenarios: a peer like iperf3 in every table
  --port N            first TCP/UDP port to try (default 25201 + a little randomness)
  --smoke             1 rep, 1 s, lo, tcp-P1 and tcp-P2, nperf and iperf3; exit 0 iff every run gave numbers
  --scaling           nperf -P 1,2,4,8,16 with per-stream -A (and without) beside iperf3, loopback
  --same-flags        TCP, every tool on the same client command line (e.g. "-P 2 -l 1M"), loopback
                      and veth1500 by default, tools nperf,iperf3: the defaults table's scenarios
                      give each tool its own defaults (its block size, its syscall size); this one
                      does not, so a lead there is not a choice of defaults
  --no-install        never call apt-get
  --no-build          do not build nperf when the binary is missing
Exit status: 0 when no run failed (an 'unsupported' cell is not a failure), 1 otherwise, 2 bad usage.
EOF
}

die_usage() { echo "run.sh: $*" >&2; usage >&2; exit 2; }

# --concurrent: a scenario of its own (one server, several tests at once), in bench/concurrent.sh.
for arg in "$@"; do
  if [[ "$arg" == --concurrent ]]; then
    rest=()
    for a in "$@"; do [[ "$a" == --concurrent ]] || rest+=("$a"); done
    exec "$SCRIPT_DIR/concurrent.sh" "${rest[@]}"
  fi
done

while (($#)); do
  case "$1" in
    --reps) REPS="${2:-}"; reps_set=1; shift 2 ;;
    --time) TIME="${2:-}"; time_set=1; shift 2 ;;
    --links) LINKS="${2:-}"; links_set=1; shift 2 ;;
    --scenarios) SCENARIOS="${2:-}"; scen_set=1; shift 2 ;;
    --tools) TOOLS="${2:-}"; tools_set=1; shift 2 ;;
    --out) OUT="${2:-}"; shift 2 ;;
    --nperf) NPERF="${2:-}"; shift 2 ;;
    --baseline) BASELINE="${2:-}"; shift 2 ;;
    --port) PORT_BASE="${2:-}"; shift 2 ;;
    --smoke) MODE=smoke; shift ;;
    --scaling) MODE=scaling; shift ;;
    --same-flags) MODE=same; shift ;;
    --no-install) DO_INSTALL=0; shift ;;
    --no-build) DO_BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die_usage "unknown option '$1'" ;;
  esac
done

case "$MODE" in
  smoke)
    ((reps_set)) || REPS=1
    ((time_set)) || TIME=1
    ((links_set)) || LINKS=lo
    ((scen_set)) || SCENARIOS="tcp-P1,tcp-P2"
    ((tools_set)) || TOOLS="nperf,iperf3"
    ;;
  same)
    ((links_set)) || LINKS=lo,veth1500
    ((scen_set)) || SCENARIOS="$SAME_SCENARIOS"
    ((tools_set)) || TOOLS="nperf,iperf3"
    ;;
  scaling)
    ((links_set)) || LINKS=lo
    ((scen_set)) || SCENARIOS="P1,P2,P4,P8,P16"
    ((tools_set)) || TOOLS="nperf-A,nperf,iperf3"
    ;;
esac

[[ "$REPS" =~ ^[1-9][0-9]*$ ]] || die_usage "--reps wants a positive integer"
[[ "$TIME" =~ ^[1-9][0-9]*$ ]] || die_usage "--time wants a positive integer (seconds)"
[[ -z "$PORT_BASE" || "$PORT_BASE" =~ ^[1-9][0-9]*$ ]] || die_usage "--port wants a number"
# below the ephemeral range (32768-60999 by default): a listener cannot bind a port that some
# client socket (or a TIME_WAIT left by one) holds as its local port
[[ -n "$PORT_BASE" ]] || PORT_BASE=$((25201 + RANDOM % 500))
IFS=, read -r -a LINK_LIST <<<"$LINKS"
IFS=, read -r -a SCEN_LIST <<<"$SCENARIOS"
IFS=, read -r -a TOOL_LIST <<<"$TOOLS"
for l in "${LINK_LIST[@]}"; do
  case "$l" in lo|veth1500|veth9000) ;; *) die_usage "unknown link '$l'" ;; esac
done
for t in "${TOOL_LIST[@]}"; do
  case "$t" in nperf|nperf-A|baseline|iperf3|iperf2) ;; *) die_usage "unknown tool '$t'" ;; esac
done
for s in "${SCEN_LIST[@]}"; do
  if [[ "$MODE" == scaling ]]; then
    [[ "$s" =~ ^P[1-9][0-9]*$ ]] || die_usage "scaling scenarios are P<N>, not '$s'"
  elif [[ "$MODE" == same ]]; then
    [[ "$s" =~ ^(P[1-9][0-9]*|R)(-l[0-9]+[KM]?)?$ ]] || die_usage "same-flags scenarios are P<N> or R, optionally -l<SIZE>, not '$s'"
  else
    case ",$ALL_SCENARIOS," in *",$s,"*) ;; *) die_usage "unknown scenario '$s'" ;; esac
  fi
done

log() { echo "[bench] $*" >&2; }

# ---------------------------------------------------------------- prerequisites
uses_tool() { local t; for t in "${TOOL_LIST[@]}"; do [[ "$t" == "$1"* ]] && return 0; done; return 1; }
need_veth=0
for l in "${LINK_LIST[@]}"; do [[ "$l" == veth* ]] && need_veth=1; done

pkgs=()
command -v jq >/dev/null || pkgs+=(jq)
[[ -x /usr/bin/time ]] || pkgs+=(time)
command -v timeout >/dev/null || pkgs+=(coreutils)
command -v ss >/dev/null || pkgs+=(iproute2)
((need_veth)) && ! command -v ip >/dev/null && pkgs+=(iproute2)
uses_tool iperf3 && ! command -v iperf3 >/dev/null && pkgs+=(iperf3)
uses_tool iperf2 && ! command -v iperf >/dev/null && pkgs+=(iperf)
if ((${#pkgs[@]})); then
  if ((DO_INSTALL)) && [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
    log "installing: ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1 ||
      { apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null 2>&1; } ||
      log "apt-get install ${pkgs[*]} failed"
  else
    log "missing (not installing): ${pkgs[*]}"
  fi
fi
for c in jq timeout awk; do command -v "$c" >/dev/null || { log "required command '$c' is missing"; exit 1; }; done
[[ -x /usr/bin/time ]] || { log "/usr/bin/time is missing (Debian package 'time')"; exit 1; }

if [[ -z "$NPERF" ]]; then
  if [[ -x "$REPO/build-bench/nperf" ]]; then NPERF="$REPO/build-bench/nperf"
  elif [[ -x "$REPO/build/nperf" ]]; then NPERF="$REPO/build/nperf"
  elif uses_tool nperf && ((DO_BUILD)); then
    log "no nperf binary: building build-bench/ (Release)"
    cmake -S "$REPO" -B "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release -DNPERF_BUILD_TESTS=OFF >/dev/null &&
      make -C "$REPO/build-bench" -j"$(nproc)" nperf >/dev/null || log "building nperf failed"
    NPERF="$REPO/build-bench/nperf"
  else
    NPERF="$REPO/build/nperf"
  fi
fi
[[ "$NPERF" == /* ]] || NPERF="$PWD/$NPERF"
[[ -z "$BASELINE" || "$BASELINE" == /* ]] || BASELINE="$PWD/$BASELINE"
if uses_tool nperf && [[ ! -x "$NPERF" ]]; then log "nperf binary '$NPERF' is missing"; exit 1; fi

tool_present() {
  case "$1" in
    nperf|nperf-A) [[ -x "$NPERF" ]] ;;
    baseline) [[ -n "$BASELINE" && -x "$BASELINE" ]] ;;
    iperf3) command -v iperf3 >/dev/null ;;
    iperf2) command -v iperf >/dev/null ;;
  esac
}

# ---------------------------------------------------------------- output
STAMP="$(date +%Y%m%d-%H%M%S)"
[[ -n "$OUT" ]] || OUT="$SCRIPT_DIR/results/$STAMP"
mkdir -p "$OUT/runs" || { log "cannot create $OUT"; exit 1; }
CSV="$OUT/results.csv"
MD="$OUT/results.md"
echo "timestamp,link,scenario,tool,rep,status,recv_gbps,sent_gbps,recv_gbit,retrans,loss_pct,jitter_ms,client_cpu_s,server_cpu_s,gbit_per_cpu_s,client_rss_kib,server_rss_kib,client_rc,note,command" >"$CSV"

# ---------------------------------------------------------------- cleanup
SERVER_PIDS=()
CLIENT_PID=""
NS_S="" NS_C=""
cleanup() {
  local p
  trap - EXIT INT TERM
  if [[ -n "$CLIENT_PID" ]]; then
    kill -TERM -- "-$CLIENT_PID" 2>/dev/null
    sleep 0.2
    kill -KILL -- "-$CLIENT_PID" 2>/dev/null
    CLIENT_PID=""
  fi
  for p in "${SERVER_PIDS[@]}"; do
    kill -0 "$p" 2>/dev/null || continue
    kill -INT -- "-$p" 2>/dev/null
  done
  sleep 0.2
  for p in "${SERVER_PIDS[@]}"; do kill -KILL -- "-$p" 2>/dev/null; done
  [[ -n "$NS_S" ]] && ip netns del "$NS_S" 2>/dev/null
  [[ -n "$NS_C" ]] && ip netns del "$NS_C" 2>/dev/null
  NS_S="" NS_C=""
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------- links
VETH_OK=0
setup_veth() {
  NS_S="nperfb-s-$$" NS_C="nperfb-c-$$"
  local vs="nbs$$" vc="nbc$$"
  ip netns add "$NS_S" && ip netns add "$NS_C" &&
    ip link add name "$vs" netns "$NS_S" type veth peer name "$vc" netns "$NS_C" &&
    ip -n "$NS_S" addr add 198.18.0.1/24 dev "$vs" &&
    ip -n "$NS_C" addr add 198.18.0.2/24 dev "$vc" &&
    ip -n "$NS_S" link set lo up && ip -n "$NS_C" link set lo up &&
    ip -n "$NS_S" link set "$vs" up && ip -n "$NS_C" link set "$vc" up || return 1
  VETH_S="$vs" VETH_C="$vc"
  VETH_OK=1
}
set_mtu() {
  ip -n "$NS_S" link set dev "$VETH_S" mtu "$1" && ip -n "$NS_C" link set dev "$VETH_C" mtu "$1"
}

# per-link: command prefixes and the server's address
link_env() {
  case "$1" in
    lo) S_PFX=() C_PFX=() HOST=127.0.0.1 ;;
    veth*) S_PFX=(ip netns exec "$NS_S") C_PFX=(ip netns exec "$NS_C") HOST=198.18.0.1 ;;
  esac
}

# ---------------------------------------------------------------- scenarios
# scenario_proto SCEN -> tcp|udp
scenario_proto() { [[ "$1" == udp-* ]] && echo udp || echo tcp; }

# tool_args TOOL SCEN -> prints the client arguments; returns 1 when the tool has no such scenario
tool_args() {
  local tool="$1" scen="$2" ncpu p k
  if [[ "$MODE" == scaling ]]; then
    p="${scen#P}"
    case "$tool" in
      nperf-A)
        ncpu=$(nproc); k=$((p < ncpu ? p : ncpu))
        echo "-P $p -A 0-$((k - 1)),0-$((k - 1))" ;;
      nperf|iperf3) echo "-P $p" ;;
      iperf2) echo "-P $p" ;;
    esac
    return 0
  fi
  if [[ "$MODE" == same ]]; then # one command line for every tool: P2-l1M -> "-P 2 -l 1M"
    local head="${scen%%-l*}" len=""
    [[ "$scen" == *-l* ]] && len=" -l ${scen##*-l}"
    [[ "$tool" == nperf-A ]] && return 1
    if [[ "$head" == R ]]; then echo "-P 1 -R$len"; else echo "-P ${head#P}$len"; fi
    return 0
  fi
  if [[ "$tool" == baseline ]]; then tool_args nperf "$scen"; return; fi  # an earlier nperf, same flags
  if [[ "$tool" == nperf-A ]]; then # the nperf scenario plus per-stream pinning on both ends
    local base_args; base_args=$(tool_args nperf "$scen") || return 1
    p=$(sed -n 's/.*-P \([0-9]*\).*/\1/p' <<<"$base_args"); p=${p:-1}
    ncpu=$(nproc); k=$((p < ncpu ? p : ncpu))
    echo "$base_args -A 0-$((k - 1)),0-$((k - 1))"
    return 0
  fi
  case "$tool" in
    nperf|iperf3)
      case "$scen" in
        tcp-P1) echo "-P 1" ;;
        tcp-P2) echo "-P 2" ;;
        tcp-P8) echo "-P 8" ;;
        tcp-R) echo "-P 1 -R" ;;
        tcp-Z) echo "-P 1 -Z" ;;
        udp-P1) echo "-u -b 0 -l 1400 -P 1" ;;
        udp-P2) echo "-u -b 0 -l 1400 -P 2" ;;
        udp-2G) echo "-u -b 2G -l 1400 -P 1" ;;
        # UDP GSO/GRO (iperf3 >= 3.19's --gsro; Debian's 3.12 lacks it: compare with its udp-P1).
        udp-gsro) [[ "$tool" == nperf ]] && echo "-u -b 0 -l 1400 -P 1 --gsro" || return 1 ;;
      esac ;;
    iperf2)
      # iperf 2.1 has no zero-copy mode (its -Z is the congestion control) and rejects -b 0 for
      # UDP: 100g stands for 'unlimited' (the write loop is then bound by the socket).
      case "$scen" in
        tcp-P1) echo "-P 1" ;;
        tcp-P2) echo "-P 2" ;;
        tcp-P8) echo "-P 8" ;;
        tcp-R) echo "-P 1 -R" ;;
        tcp-Z) return 1 ;;
        udp-P1) echo "-u -b 100g -l 1400 -P 1" ;;
        udp-P2) echo "-u -b 100g -l 1400 -P 2" ;;
        udp-2G) echo "-u -b 2g -l 1400 -P 1" ;;
        udp-gsro) return 1 ;;
      esac ;;
  esac
}

# ---------------------------------------------------------------- one run
NEXT_PORT=$PORT_BASE
port_busy() { "$@" ss -Hanut "sport = :$PORT" 2>/dev/null | grep -q .; }      # any state
port_listening() { "$@" ss -Hlnut "sport = :$PORT" 2>/dev/null | grep -q .; }
pick_port() {
  local tries=0
  while :; do
    PORT=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
    ((NEXT_PORT > PORT_BASE + 200)) && NEXT_PORT=$PORT_BASE
    command -v ss >/dev/null || return 0
    port_busy "${S_PFX[@]}" || return 0
    ((++tries > 200)) && return 0
  done
}
wait_listen() { # pid
  local i
  for ((i = 0; i < 100; i++)); do
    kill -0 "$1" 2>/dev/null || return 1
    if command -v ss >/dev/null; then
      port_listening "${S_PFX[@]}" && return 0
    elif ((i >= 10)); then
      return 0
    fi
    sleep 0.05
  done
  return 1
}
# the tool process below /usr/bin/time (the server's session leader)
child_of() {
  local c=""
  [[ -r "/proc/$1/task/$1/children" ]] && read -r c _ <"/proc/$1/task/$1/children"
  [[ -z "$c" ]] && command -v pgrep >/dev/null && c=$(pgrep -P "$1" | head -n1)
  echo "$c"
}
stop_server() { # pid tool
  local pid="$1" tool="$2" i c
  if [[ "$tool" == iperf2 ]]; then
    sleep 0.5 # iperf 2 has no one-off server: let it print its report, then interrupt it
    c=$(child_of "$pid"); [[ -n "$c" ]] && kill -INT "$c" 2>/dev/null
  fi
  for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  if kill -0 "$pid" 2>/dev/null; then
    c=$(child_of "$pid"); [[ -n "$c" ]] && kill -INT "$c" 2>/dev/null
    for ((i = 0; i < 60; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL -- "-$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  local keep=() p
  for p in "${SERVER_PIDS[@]}"; do [[ "$p" == "$pid" ]] || keep+=("$p"); done
  SERVER_PIDS=("${keep[@]}")
}
time_field() { # file index(1=user 2=sys 3=rss) -> value from /usr/bin/time's last line
  [[ -s "$1" ]] || return 0
  tail -n1 "$1" | awk -v i="$2" 'NF == 3 && $1 ~ /^[0-9.]+$/ { print $i }'
}

# iperf 2 --enhanced -f k text: sums over per-stream lines ([SUM] lines are skipped)
# prints: send_bps recv_bps recv_bytes retrans jitter_ms loss_pct (empty fields as '-')
parse_iperf2() { # sender_file receiver_file proto
  awk -v proto="$3" -v sfile="$1" -v rfile="$2" '
    function bytes(v, u) { return v * (u ~ /^K/ ? 1024 : u ~ /^M/ ? 1048576 : u ~ /^G/ ? 1073741824 : 1) }
    function bps(v, u) { return v * (u ~ /^K/ ? 1e3 : u ~ /^M/ ? 1e6 : u ~ /^G/ ? 1e9 : 1) }
    FNR == 1 { file++ }
    /^\[ *\*?[0-9]+\] +[0-9.]+-[0-9.]+ +sec/ {
      line = $0; sub(/^\[[^]]*\] */, "", line); n = split(line, f, /[ \t]+/)
      # f: 1 interval, 2 sec, 3-4 transfer, 5-6 bandwidth, 7.. extra
      if (FILENAME == sfile && f[7] ~ /^[0-9]+\/[0-9]+$/) {
        send += bps(f[5], f[6]); ns++
        if (proto == "tcp" && f[8] ~ /^[0-9]+$/) { retr += f[8]; hr = 1 }
      }
      if (FILENAME == rfile) {
        if (proto == "udp" && f[8] == "ms" && f[9] ~ /^[0-9]+\/[0-9]+$/) {
          recv += bps(f[5], f[6]); rb += bytes(f[3], f[4]); nr++
          jit += f[7]; nj++; split(f[9], lt, "/"); lost += lt[1]; tot += lt[2]
        } else if (proto == "tcp" && f[7] !~ /\//) {
          recv += bps(f[5], f[6]); rb += bytes(f[3], f[4]); nr++
        }
      }
    }
    END {
      printf "%s %s %s %s %s %s\n", ns ? send : "-", nr ? recv : "-", nr ? rb : "-",
        hr ? retr : "-", nj ? jit / nj : "-", tot ? 100 * lost / tot : "-"
    }' "$1" "$2" 2>/dev/null
}

FAILED=0
RUN_NO=0
run_one() { # link scenario tool rep
  local link="$1" scen="$2" tool="$3" rep="$4"
  local proto base args srv cli crc spid note="" status=ok
  local recv="" sent="" rgbit="" retr="" loss="" jit="" ccpu="" scpu="" gpc="" crss="" srss=""
  proto=$(scenario_proto "$scen")
  [[ "$MODE" == scaling || "$MODE" == same ]] && proto=tcp
  base="$OUT/runs/${link}_${scen}_${tool}_r${rep}"
  RUN_NO=$((RUN_NO + 1))
  link_env "$link"

  emit() {
    echo "$(date +%s),$link,$scen,$tool,$rep,$status,$recv,$sent,$rgbit,$retr,$loss,$jit,$ccpu,$scpu,$gpc,$crss,$srss,${crc:-},$note,\"${cli[*]:-}\"" >>"$CSV"
    log "$(printf '%-9s %-7s %-8s rep %s: %-11s recv %s Gbit/s  cpu %s+%s s %s' "$link" "$scen" "$tool" "$rep" "$status" "${recv:--}" "${ccpu:--}" "${scpu:--}" "$note")"
  }

  if ! tool_present "$tool"; then status=unsupported note="not-installed"; cli=(); emit; return; fi
  if ! args=$(tool_args "$tool" "$scen"); then status=unsupported note="no-such-mode"; cli=(); emit; return; fi
  pick_port
  local -a a; read -r -a a <<<"$args"
  case "$tool" in
    nperf|nperf-A)
      srv=("$NPERF" -s -1 -p "$PORT")
      cli=("$NPERF" -c "$HOST" -p "$PORT" -t "$TIME" -J "${a[@]}") ;;
    baseline)
      srv=("$BASELINE" -s -1 -p "$PORT")
      cli=("$BASELINE" -c "$HOST" -p "$PORT" -t "$TIME" -J "${a[@]}") ;;
    iperf3)
      srv=(iperf3 -s -1 -p "$PORT")
      cli=(iperf3 -c "$HOST" -p "$PORT" -t "$TIME" -J "${a[@]}") ;;
    iperf2)
      srv=(iperf -s -p "$PORT" -e -f k)
      [[ "$proto" == udp ]] && srv+=(-u)
      cli=(iperf -c "$HOST" -p "$PORT" -t "$TIME" -e -f k "${a[@]}") ;;
  esac

  # server: own session (setsid) so the cleanup can end it with everything below it
  setsid "${S_PFX[@]}" /usr/bin/time -f '%U %S %M' -o "$base.server.time" "${srv[@]}" \
    >"$base.server.out" 2>&1 </dev/null &
  spid=$!
  SERVER_PIDS+=("$spid")
  if ! wait_listen "$spid"; then
    status=failed note="server-did-not-start"
    stop_server "$spid" "$tool"; FAILED=1; emit; return
  fi
  # client: own session too, waited for with `wait` so that a signal reaches the trap at once
  setsid "${C_PFX[@]}" /usr/bin/time -f '%U %S %M' -o "$base.client.time" \
    timeout -k 5 $((TIME + 10)) "${cli[@]}" >"$base.client.out" 2>"$base.client.err" </dev/null &
  CLIENT_PID=$!
  wait "$CLIENT_PID"
  crc=$?
  CLIENT_PID=""
  stop_server "$spid" "$tool"

  ccpu=$(time_field "$base.client.time" 1); local csys; csys=$(time_field "$base.client.time" 2)
  scpu=$(time_field "$base.server.time" 1); local ssys; ssys=$(time_field "$base.server.time" 2)
  crss=$(time_field "$base.client.time" 3); srss=$(time_field "$base.server.time" 3)
  [[ -n "$ccpu" && -n "$csys" ]] && ccpu=$(awk -v u="$ccpu" -v s="$csys" 'BEGIN { printf "%.2f", u + s }')
  [[ -n "$scpu" && -n "$ssys" ]] && scpu=$(awk -v u="$scpu" -v s="$ssys" 'BEGIN { printf "%.2f", u + s }')

  local vals=""
  if [[ "$tool" == iperf2 ]]; then
    local sf="$base.client.out" rf="$base.server.out"
    [[ " ${a[*]} " == *" -R "* ]] && { sf="$base.server.out"; rf="$base.client.out"; }
    [[ $crc -eq 0 ]] && vals=$(parse_iperf2 "$sf" "$rf" "$proto")
    # iperf2 prints 'connect failed' and still exits 0 in some versions
    grep -qiE 'connect failed|connection refused' "$base.client.out" "$base.client.err" 2>/dev/null && vals=""
  elif [[ $crc -eq 0 ]]; then
    vals=$(jq -r 'if .error then "" else
        [ .end.sum_sent.bits_per_second, .end.sum_received.bits_per_second, .end.sum_received.bytes,
          .end.sum_sent.retransmits,
          (.end.sum_received.jitter_ms // .end.sum.jitter_ms),
          (.end.sum_received.lost_percent // .end.sum.lost_percent) ]
        | map(if . == null then "-" else tostring end) | join(" ") end' "$base.client.out" 2>/dev/null)
    # a -J whose end sums are zero while its per-stream results are not (nperf -R at the time of
    # writing): take the per-stream figures and say so in the note column
    local from_streams
    from_streams=$(jq -r 'if (.end.sum_received.bytes // 0) == 0 and ((.end.streams // []) | map(.receiver.bytes // 0) | add // 0) > 0 then
        [ ([.end.streams[].sender.bits_per_second] | add), ([.end.streams[].receiver.bits_per_second] | add),
          ([.end.streams[].receiver.bytes] | add), ([.end.streams[].sender.retransmits // empty] | add),
          null, null ]
        | map(if . == null then "-" else tostring end) | join(" ") else "" end' "$base.client.out" 2>/dev/null)
    [[ -n "$from_streams" ]] && { vals="$from_streams"; note="end-sums-zero:used-streams"; }
  fi
  if [[ -n "$vals" ]]; then
    local s r rb rt j l
    read -r s r rb rt j l <<<"$vals"
    [[ "$s" == - ]] || sent=$(awk -v v="$s" 'BEGIN { printf "%.3f", v / 1e9 }')
    [[ "$r" == - ]] || recv=$(awk -v v="$r" 'BEGIN { printf "%.3f", v / 1e9 }')
    [[ "$rb" == - ]] || rgbit=$(awk -v v="$rb" 'BEGIN { printf "%.3f", v * 8 / 1e9 }')
    if [[ "$proto" == tcp ]]; then [[ "$rt" == - ]] || retr="$rt"; fi
    if [[ "$proto" == udp ]]; then
      if [[ "$j" == - && "$l" == - && "$tool" != iperf2 ]]; then
        # a -J without jitter/loss (nperf's UDP at the time of writing): take them from the
        # server's iperf3-style text summary, its last '... J ms  lost/total (p%)  receiver' line
        read -r j l < <(awk '/receiver[ \t]*$/ { for (i = 2; i < NF; i++) if ($i == "ms" && $(i + 1) ~ /^[0-9]+\/[0-9]+$/) {
            split($(i + 1), lt, "/"); jj = $(i - 1); ll = lt[2] ? 100 * lt[1] / lt[2] : 0; found = 1 } }
          END { if (found) print jj, ll; else print "- -" }' "$base.server.out" 2>/dev/null)
        [[ "$j" != - && -n "$j" ]] && note="${note:+$note;}udp-loss-from-server-text"
      fi
      [[ "$j" == - || -z "$j" ]] || jit=$(awk -v v="$j" 'BEGIN { printf "%.4f", v }')
      [[ "$l" == - || -z "$l" ]] || loss=$(awk -v v="$l" 'BEGIN { printf "%.3f", v }')
    fi
  fi
  if [[ -n "$recv" ]] && awk -v r="$recv" 'BEGIN { exit !(r <= 0) }'; then recv="" note="zero-received"; fi
  if [[ -z "$recv" || -z "$ccpu" || -z "$scpu" ]]; then
    # nperf has no UDP (issue #3) and maybe no -Z yet: an error there is 'unsupported', not a failure
    if [[ ( "$tool" == nperf* || "$tool" == baseline ) && $crc -ne 0 && ( "$proto" == udp || "$scen" == tcp-Z || $crc -eq 2 ) ]]; then
      status=unsupported note="nperf-exit-$crc"
    else
      status=failed note="${note:-rc=$crc}"
      [[ $crc -eq 124 || $crc -eq 137 ]] && note="timeout"
      FAILED=1
    fi
    recv="" sent="" rgbit="" retr="" loss="" jit=""
  else
    gpc=$(awk -v g="${rgbit:-}" -v r="$recv" -v t="$TIME" -v c="$ccpu" -v s="$scpu" \
      'BEGIN { if (g == "") g = r * t; if (c + s > 0) printf "%.2f", g / (c + s) }')
  fi
  emit
  sleep 0.3
}

# ---------------------------------------------------------------- main loop
# the source the binary probably came from, read now (others may commit while this runs)
git_rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)
git_dirty=$(git -C "$REPO" status --porcelain -- src include CMakeLists.txt 2>/dev/null | wc -l)
nperf_built=$([[ -x "$NPERF" ]] && date -u -r "$NPERF" '+%Y-%m-%d %H:%M UTC')
START_S=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
cpu_jiffies() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9 }' /proc/stat 2>/dev/null; }
read -r J0_TOTAL J0_STEAL < <(cpu_jiffies)
n_runs=$((${#LINK_LIST[@]} * ${#SCEN_LIST[@]} * ${#TOOL_LIST[@]} * REPS))
log "mode $MODE: $n_runs runs of ${TIME}s (links ${LINKS}; scenarios ${SCENARIOS}; tools ${TOOLS}; reps $REPS) -> $OUT"
log "nperf: $NPERF"

for link in "${LINK_LIST[@]}"; do
  case "$link" in
    veth*)
      if ((!VETH_OK)) && ! setup_veth; then
        log "cannot create the namespaces/veth pair (need root and CAP_NET_ADMIN): skipping $link"
        cleanup; trap cleanup EXIT; trap 'log "interrupted"; exit 130' INT TERM
        FAILED=1; continue
      fi
      set_mtu "${link#veth}" || { log "cannot set MTU ${link#veth}: skipping $link"; FAILED=1; continue; }
      ;;
  esac
  for ((rep = 1; rep <= REPS; rep++)); do
    for scen in "${SCEN_LIST[@]}"; do
      # interleave the tools (A B C A B C ...), rotating who goes first each repetition
      nt=${#TOOL_LIST[@]}
      for ((k = 0; k < nt; k++)); do
        run_one "$link" "$scen" "${TOOL_LIST[$(((k + rep - 1) % nt))]}" "$rep"
      done
    done
  done
done
cleanup
trap - INT TERM
ELAPSED=$(($(date +%s) - START_S))
read -r J1_TOTAL J1_STEAL < <(cpu_jiffies)
STEAL=$(awk -v a="${J0_TOTAL:-0}" -v b="${J1_TOTAL:-0}" -v c="${J0_STEAL:-0}" -v d="${J1_STEAL:-0}" \
  'BEGIN { if (b > a) printf "%.1f", 100 * (d - c) / (b - a); else print "?" }')

# ---------------------------------------------------------------- report
nperf_ver=$([[ -x "$NPERF" ]] && "$NPERF" -v 2>&1 | head -n1)
iperf3_ver=$(command -v iperf3 >/dev/null && iperf3 -v 2>&1 | head -n1)
iperf2_ver=$(command -v iperf >/dev/null && iperf -v 2>&1 | head -n1)
cpu_model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)

{
  echo "# nperf benchmark ($MODE), $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- command: \`bench/run.sh ${ORIG_ARGS[*]}\`"
  echo "- machine: $(nproc) CPUs, ${cpu_model:-unknown CPU}, kernel $(uname -r)"
  echo "- tools: ${nperf_ver:-nperf ?} ($NPERF, built ${nperf_built:-?}; HEAD at start ${git_rev:-?}$( ((git_dirty)) && echo " + $git_dirty uncommitted file(s) under src/ include/")); ${iperf3_ver:-iperf3 absent}; ${iperf2_ver:-iperf2 absent}"
  echo "- $REPS repetition(s) x ${TIME} s per run, tools interleaved; ${ELAPSED} s in all; load average before ${LOAD_START:-?}; CPU steal during the runs ${STEAL} %"
  echo "- each cell: median [min-max] over the repetitions that produced numbers; CPU s = user+sys of the"
  echo "  whole process measured by /usr/bin/time; Gbit/CPU-s = received Gbit / (client + server CPU s);"
  echo "  RSS = peak resident set in MiB; ratios = nperf median / best peer median"
  echo
  awk -F, -v mode="$MODE" -f - "$CSV" <<'AWK'
function isort(arr, n,   i, j, v) { for (i = 2; i <= n; i++) { v = arr[i]; for (j = i - 1; j >= 1 && arr[j] > v; j--) arr[j + 1] = arr[j]; arr[j + 1] = v } }
function median(key, m,   n, i, a, s) {
  n = cnt[key, m]; if (!n) return ""
  for (i = 1; i <= n; i++) a[i] = val[key, m, i] + 0
  isort(a, n)
  return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function vmin(key, m,   n, i, x) { n = cnt[key, m]; x = val[key, m, 1] + 0; for (i = 2; i <= n; i++) if (val[key, m, i] + 0 < x) x = val[key, m, i] + 0; return x }
function vmax(key, m,   n, i, x) { n = cnt[key, m]; x = val[key, m, 1] + 0; for (i = 2; i <= n; i++) if (val[key, m, i] + 0 > x) x = val[key, m, i] + 0; return x }
function cell(key, m, fmt,   n) {
  n = cnt[key, m]; if (!n) return "–"
  if (n == 1) return sprintf(fmt, median(key, m))
  return sprintf(fmt " [" fmt "–" fmt "]", median(key, m), vmin(key, m), vmax(key, m))
}
function addl(list, x, arr) { if (!((x) in arr)) { arr[x] = 1; return list (list == "" ? "" : ",") x } return list }
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
{
  l = $col["link"]; s = $col["scenario"]; t = $col["tool"]; st = $col["status"]
  links = addl(links, l, seenl); scens = addl(scens, s, seens); tools = addl(tools, t, seent)
  key = l SUBSEP s SUBSEP t
  runs[key]++; stat[key, st]++
  if (st != "ok") { if (note[key] == "") note[key] = $col["note"]; next }
  if ($col["note"] != "") oknote[key] = $col["note"]
  if ($col["recv_gbps"] != "") { pair[key, $col["rep"]] = $col["recv_gbps"] + 0; if ($col["rep"] + 0 > maxrep) maxrep = $col["rep"] + 0 }
  split("recv_gbps sent_gbps retrans loss_pct jitter_ms client_cpu_s server_cpu_s gbit_per_cpu_s client_rss_kib server_rss_kib", ms, " ")
  for (i in ms) { m = ms[i]; v = $col[m]; if (v != "") { if (m ~ /rss/) v = v / 1024; val[key, m, ++cnt[key, m]] = v } }
}
END {
  nl = split(links, L, ","); ns = split(scens, S, ","); nt = split(tools, T, ",")
  for (a = 1; a <= nl; a++) {
    l = L[a]
    lname = (l == "lo") ? "loopback (127.0.0.1)" : (l ~ /^veth/) ? "veth pair between two namespaces, MTU " substr(l, 5) : l
    printf "## %s\n\n", lname
    print "| scenario | tool | runs | recv Gbit/s | sent Gbit/s | retr | loss % | jitter ms | CPU s client | CPU s server | Gbit/CPU-s | RSS client MiB | RSS server MiB | nperf ÷ best peer, recv | nperf ÷ best peer, Gbit/CPU-s |"
    print "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    for (b = 1; b <= ns; b++) {
      s = S[b]
      best_r = ""; best_g = ""; best_rt = ""; best_gt = ""
      for (c = 1; c <= nt; c++) {
        t = T[c]; key = l SUBSEP s SUBSEP t
        if (t ~ /^nperf/ || !cnt[key, "recv_gbps"]) continue
        r = median(key, "recv_gbps"); g = median(key, "gbit_per_cpu_s")
        if (best_r == "" || r > best_r) { best_r = r; best_rt = t }
        if (g != "" && (best_g == "" || g > best_g)) { best_g = g; best_gt = t }
      }
      for (c = 1; c <= nt; c++) {
        t = T[c]; key = l SUBSEP s SUBSEP t
        if (!runs[key]) continue
        okn = stat[key, "ok"] + 0
        if (okn == runs[key]) rs = okn "/" runs[key] (oknote[key] != "" ? " (" oknote[key] ")" : "")
        else if (stat[key, "unsupported"] == runs[key]) rs = "unsupported"
        else rs = okn "/" runs[key] " (" (stat[key, "failed"] ? "failed: " : "") note[key] ")"
        r1 = "–"; r2 = "–"
        if (t ~ /^nperf/ && cnt[key, "recv_gbps"]) {
          if (best_r != "" && best_r > 0) r1 = sprintf("%.2f (vs %s)", median(key, "recv_gbps") / best_r, best_rt)
          if (best_g != "" && best_g > 0 && cnt[key, "gbit_per_cpu_s"]) r2 = sprintf("%.2f (vs %s)", median(key, "gbit_per_cpu_s") / best_g, best_gt)
        }
        printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s, t, rs,
          cell(key, "recv_gbps", "%.2f"), cell(key, "sent_gbps", "%.2f"), cell(key, "retrans", "%.0f"),
          cell(key, "loss_pct", "%.2f"), cell(key, "jitter_ms", "%.3f"),
          cell(key, "client_cpu_s", "%.2f"), cell(key, "server_cpu_s", "%.2f"), cell(key, "gbit_per_cpu_s", "%.2f"),
          cell(key, "client_rss_kib", "%.1f"), cell(key, "server_rss_kib", "%.1f"), r1, r2
      }
    }
    print ""
    # The tools of one repetition run one after another, so their ratio is less
    # exposed to drift of the machine (a VM's neighbours) than the ratio of
    # medians above, which compares runs minutes apart.
    if (mode != "scaling" && maxrep > 1) {
      hdr = ""; sep = ""; np = 0
      for (c = 1; c <= nt; c++) if (T[c] !~ /^nperf/) { P[++np] = T[c]; hdr = hdr " nperf ÷ " T[c] " |"; sep = sep "---|" }
      if (np) {
        print "Per repetition, nperf's received rate ÷ the peer's in the same repetition (seconds apart, not minutes): median [min–max] (pairs)"
        print ""
        print "| scenario |" hdr; print "|---|" sep
        for (b = 1; b <= ns; b++) {
          s = S[b]; row = "| " s " |"; kn = l SUBSEP s SUBSEP "nperf"
          for (c = 1; c <= np; c++) {
            # the ratios join val[] under a measure of their own, so cell() gives median [min–max]
            kp = l SUBSEP s SUBSEP P[c]; m = "÷" P[c]
            for (rep = 1; rep <= maxrep; rep++)
              if (((kn, rep) in pair) && ((kp, rep) in pair) && pair[kp, rep] > 0) val[kn, m, ++cnt[kn, m]] = pair[kn, rep] / pair[kp, rep]
            row = row " " cell(kn, m, "%.2f") (cnt[kn, m] ? " (" cnt[kn, m] ")" : "") " |"
          }
          print row
        }
        print ""
      }
    }
    if (mode == "scaling") {
      printf "### received Gbit/s per -P, %s\n\n", lname
      hdr = "| -P |"; sep = "|---|"
      for (c = 1; c <= nt; c++) { hdr = hdr " " (T[c] == "nperf-A" ? "nperf -A (stream i on core i mod nproc)" : T[c]) " |"; sep = sep "---|" }
      hdr = hdr " nperf -A ÷ iperf3 | nperf ÷ iperf3 |"; sep = sep "---|---|"
      print hdr; print sep
      for (b = 1; b <= ns; b++) {
        s = S[b]; row = "| " substr(s, 2) " |"
        for (c = 1; c <= nt; c++) row = row " " cell(l SUBSEP s SUBSEP T[c], "recv_gbps", "%.2f") " |"
        ki = l SUBSEP s SUBSEP "iperf3"; bi = cnt[ki, "recv_gbps"] ? median(ki, "recv_gbps") : ""
        for (c = 1; c <= 2; c++) {
          kn = l SUBSEP s SUBSEP (c == 1 ? "nperf-A" : "nperf")
          row = row " " ((bi > 0 && cnt[kn, "recv_gbps"]) ? sprintf("%.2f", median(kn, "recv_gbps") / bi) : "–") " |"
        }
        print row
      }
      print ""
    }
  }
}
AWK
  echo "Raw rows: \`results.csv\` (one per run); each run's client/server output under \`runs/\`."
} >"$MD"

cat "$MD"
log "results: $MD and $CSV (${ELAPSED} s)"

if [[ "$MODE" == smoke ]]; then
  bad=$(awk -F, 'NR > 1 && $6 != "ok"' "$CSV" | wc -l)
  total=$(($(wc -l <"$CSV") - 1))
  if ((bad > 0 || total == 0)); then log "smoke: $bad of $total runs gave no numbers"; exit 1; fi
  log "smoke: all $total runs gave numbers"
  exit 0
fi
exit $((FAILED ? 1 : 0))
