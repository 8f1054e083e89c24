#!/usr/bin/env bash
# README command (a): install, build, then a real test on loopback: an nperf
# server on a free port, a 2-stream client against it, the report printed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_deps.sh
scripts/build.sh --target nperf  # only the binary: the demo runs no test suite
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  if [ -z "$(ss -Hltn "sport = :$candidate" 2>/dev/null)" ]; then port=$candidate; break; fi
done
[ -n "$port" ] || { echo "no free port found" >&2; exit 1; }
build/nperf -s -1 -p "$port" >/tmp/nperf-demo-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && break
  sleep 0.05
done
build/nperf -c 127.0.0.1 -p "$port" -P 2 -t 3 | tee /tmp/nperf-demo-client.log
wait "$server" || true
trap - EXIT
echo
echo "--- server side ---"
cat /tmp/nperf-demo-server.log
# The server prints before the results exchange, so its verdict has only its
# own half; the client's has both ends' evidence: it is the demo's answer.
echo
echo "--- verdict (the client's, from both ends' evidence) ---"
grep '^Verdict' /tmp/nperf-demo-client.log || echo "no verdict from the client" >&2
