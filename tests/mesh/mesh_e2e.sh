#!/usr/bin/env bash
# nperf-mesh end to end with the namespace runner (issue #16): a "cluster" of
# 3 nodes, each with a pod behind masquerade (netns_cluster.sh), an nperf
# server on every node and in every pod, and all four paths.
#   1. every cell is filled with a rate > 0, the CSV parses with its header
#      and the --label columns, the heatmap is an SVG with four panels;
#   2. one pair made slow on purpose - node3 -> node2, capped by a tbf
#      (200 Mbit/s, 100 KB queue) on node3's link for node2's addresses -
#      stands out: its cells stay under the cap while every other cell is at
#      least twice as fast, and its verdict is network-limited (the cap
#      drops what its short queue cannot hold; with a long queue nperf's
#      verdict is "undetermined", see docs/kubernetes.md);
#   3. a mesh killed (SIGKILL to its process group) after a few tests and
#      run again with the same output directory keeps the rows it had and
#      ends with the same rows, in the same order, as an uninterrupted run.
# Addresses: only 198.18.0.0/15. Every namespace, process and file it makes
# is removed on exit (NPERF_MESH_KEEP=DIR keeps the first run's CSV, SVG and
# matrix there). Exit 77 (skipped) only when not root; under CI=true a
# skip is a failure.
# Usage: mesh_e2e.sh PATH/TO/nperf
set -euo pipefail
nperf="$(readlink -f "${1:?usage: mesh_e2e.sh PATH/TO/nperf}")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
mesh="$repo/tools/nperf-mesh"
prefix="nmesh$$"
cap_mbit=200
server_life_s=150   # every server ends on its own even if cleanup never runs
mesh_pid=""

skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL (CI=true does not accept a skip): $*" >&2
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, nft, tc)"
for tool in ip nft tc setsid /usr/bin/python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install_deps.sh installs it)"
done

source "$here/netns_cluster.sh"
work="$(mktemp -d)"
cleanup() {
  set +e
  [ -n "$mesh_pid" ] && kill -9 -- "-$mesh_pid" 2>/dev/null
  cluster_down "$prefix"
  rm -rf "$work"
}
trap cleanup EXIT

cluster_up "$prefix" 3
for i in 1 2 3; do
  for side in node pod; do
    ip netns exec "$prefix-$side$i" timeout "$server_life_s" "$nperf" -s -p 5201 >"$work/server-$side$i.log" 2>&1 &
    disown  # cleanup kills it; no "Killed" line from the shell then
  done
done
for i in 1 2 3; do
  for side in node pod; do
    for _ in $(seq 50); do
      ip netns exec "$prefix-$side$i" ss -Hltn 'sport = :5201' | grep -q . && break
      sleep 0.1
    done
    ip netns exec "$prefix-$side$i" ss -Hltn 'sport = :5201' | grep -q . || fail "no server in $prefix-$side$i"
  done
done

# The slow pair: node3's traffic to node2 and node2's pod, through a tbf.
# htb only sorts: what no filter matches leaves unshaped (its default 0).
tc -n "$prefix-node3" qdisc add dev eth0 root handle 1: htb
tc -n "$prefix-node3" class add dev eth0 parent 1: classid 1:3 htb rate 10gbit quantum 100000
tc -n "$prefix-node3" qdisc add dev eth0 parent 1:3 handle 30: tbf rate "${cap_mbit}mbit" burst 64kb limit 100kb
for dst in 198.18.160.12/32 198.19.162.0/24; do
  tc -n "$prefix-node3" filter add dev eth0 parent 1: protocol ip prio 1 u32 match ip dst "$dst" flowid 1:3
done

/usr/bin/python3 - "$prefix" >"$work/cluster.json" <<'PY'
import json, sys
p = sys.argv[1]
print(json.dumps({"nodes": [{"name": f"node{i}", "address": f"198.18.160.1{i}", "netns": f"{p}-node{i}",
                             "pod": {"name": f"pod{i}", "address": f"198.19.16{i}.2", "netns": f"{p}-pod{i}"}}
                            for i in (1, 2, 3)]}))
PY
# 1 and 2: the whole mesh.
start=$(date +%s)
timeout 120 "$mesh" --runner netns --endpoints "$work/cluster.json" --nperf "$nperf" --out "$work/full" \
  --label run=e2e --label slow=node3-node2 -- -t 1 >"$work/full.out" 2>"$work/full.err" ||
  { cat "$work/full.out" "$work/full.err"; fail "the mesh exited $?"; }
cat "$work/full.out"
echo "full mesh: $(($(date +%s) - start)) s"
/usr/bin/python3 "$here/check_mesh_e2e.py" full "$work/full" "$work/full.out" "$cap_mbit"
# NPERF_MESH_KEEP=DIR keeps this run's table and pictures (docs/mesh-heatmap.svg comes from there).
if [ -n "${NPERF_MESH_KEEP:-}" ]; then
  mkdir -p "$NPERF_MESH_KEEP" && cp "$work/full/results.csv" "$work/full/heatmap.svg" "$work/full.out" "$NPERF_MESH_KEEP/"
fi

# 3: killed and resumed.
rm -f "$work/resumed.csv"
setsid bash -c "exec timeout 60 \"$mesh\" --runner netns --endpoints \"$work/cluster.json\" --nperf \"$nperf\" \
  --out \"$work/resumed\" --paths node-node,pod-pod --label run=e2e --label slow=node3-node2 -- -t 1" \
  >"$work/killed.out" 2>&1 &
mesh_pid=$!
for _ in $(seq 300); do
  rows=$( (tail -n +2 "$work/resumed/results.csv" 2>/dev/null || true) | wc -l)
  [ "$rows" -ge 3 ] && break
  sleep 0.1
done
kill -9 -- "-$mesh_pid"
wait "$mesh_pid" 2>/dev/null || true
mesh_pid=""
cp "$work/resumed/results.csv" "$work/before-resume.csv"
echo "killed the mesh after $(($(wc -l <"$work/before-resume.csv") - 1)) rows"
timeout 60 "$mesh" --runner netns --endpoints "$work/cluster.json" --nperf "$nperf" --out "$work/resumed" \
  --paths node-node,pod-pod --label run=e2e --label slow=node3-node2 -- -t 1 >"$work/resumed.out" 2>"$work/resumed.err" ||
  { cat "$work/resumed.out" "$work/resumed.err"; fail "the resumed mesh exited $?"; }
cat "$work/resumed.err"
/usr/bin/python3 "$here/check_mesh_e2e.py" resumed "$work/resumed" "$work/before-resume.csv" "$work/full"
echo "mesh_e2e: passed in $(($(date +%s) - start)) s"
