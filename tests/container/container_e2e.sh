#!/usr/bin/env bash
# Container e2e (issue #15): the image from scripts/image.sh, run the way a pod
# runs it, against real peers.
#   1. the image is under 10 MB and declares a non-root user;
#   2. a client in a container on a podman bridge (NAT + conntrack, the path a
#      pod's traffic takes through a CNI) tests an nperf server in a network
#      namespace: exit 0, valid JSON, the server saw the masqueraded address,
#      and conntrack holds the translated flow;
#   3. a server in a container (read-only root, all capabilities dropped) with
#      a published port serves Debian's iperf3 3.12 client from outside
#      (from the namespace): exit 0, valid JSON, the server process runs as
#      uid 10001.
# Addresses: only 198.18.0.0/15 (the bridge 198.19.77.0/24, the namespace link
# 198.18.77.0/30). Everything the test creates is removed on exit.
# Exit 77 (ctest: skipped) only where this machine cannot run containers at
# all, with the reason; under CI=true that is a failure.
# Usage: container_e2e.sh PATH/TO/nperf
set -euo pipefail
nperf="$(readlink -f "${1:?usage: container_e2e.sh PATH/TO/nperf}")"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
export CONTAINERS_CONF="$repo/packaging/container/containers.conf"
tag="nperf-ct-$$"
ns="$tag-srv"
net="$tag"
host_if="nct$$h"
ns_if="nct$$n"
subnet=198.19.77.0/24
host_ip=198.18.77.1
ns_ip=198.18.77.2
containers=()

skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL (CI=true does not accept a skip): $*" >&2
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  set +e
  for c in "${containers[@]}"; do podman rm -f -t 1 "$c" >/dev/null 2>&1; done
  podman network rm -f "$net" >/dev/null 2>&1
  ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  ip link del "$host_if" 2>/dev/null
  rm -rf "$work"
}
work="$(mktemp -d)"
trap cleanup EXIT

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces, rootful podman)"
for tool in podman buildah runc iperf3 ip conntrack python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/install_deps.sh installs it)"
done

# 1. The image.
NPERF_BINARY="$nperf" "$repo/scripts/image.sh" >"$work/image.log" 2>&1 || { cat "$work/image.log"; fail "image.sh failed"; }
image="localhost/nperf:$("$nperf" -v | awk 'NR==1 {print $2}')"
if ! podman run --rm --network=none "$image" -v >"$work/probe.log" 2>&1; then
  skip "this machine cannot start a container: $(tail -1 "$work/probe.log")"
fi
size=$(podman image inspect --format '{{.Size}}' "$image")
[ "$size" -lt $((10 * 1000 * 1000)) ] || fail "image is $size bytes, not under 10 MB"
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[ "$user" = "10001:10001" ] || fail "image user is '$user', not 10001:10001"
echo "image $image: $size bytes, user $user"
# --check in a container names what only the host can show, and where to run it.
podman run --rm --read-only --cap-drop=all --network=none "$image" --check >"$work/check.txt" 2>&1 || true
grep -q "cannot be seen here" "$work/check.txt" || { cat "$work/check.txt"; fail "--check in a container does not say which facts are the host's"; }

# The namespace "node" and the bridge "pod network".
ip netns add "$ns"
ip link add "$host_if" type veth peer name "$ns_if"
ip link set "$ns_if" netns "$ns"
ip addr add "$host_ip/30" dev "$host_if"
ip link set "$host_if" up
ip -n "$ns" addr add "$ns_ip/30" dev "$ns_if"
ip -n "$ns" link set "$ns_if" up
ip -n "$ns" link set lo up
podman network create --subnet "$subnet" "$net" >/dev/null

json_field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {'d': d}))" "$@"; }

# 2. Client in a container -> nperf server in the namespace, through NAT.
ip netns exec "$ns" timeout 60 "$nperf" -s -1 -p 5201 -J >"$work/server2.json" 2>"$work/server2.err" &
server_pid=$!
for _ in $(seq 1 100); do
  ip netns exec "$ns" ss -Hltn 'sport = :5201' | grep -q . && break
  sleep 0.05
done
podman run --rm --name "$tag-client" --read-only --cap-drop=all --network "$net" "$image" \
  -c "$ns_ip" -t 2 -J >"$work/client2.json" 2>"$work/client2.err" || {
  cat "$work/client2.err"
  fail "client in a container exited non-zero"
}
wait "$server_pid" || { cat "$work/server2.err"; fail "server in the namespace exited non-zero"; }
received=$(json_field "$work/client2.json" "d['end']['sum_received']['bytes']")
[ "$received" -gt 0 ] || fail "container client received $received bytes"
seen=$(json_field "$work/server2.json" "d['start']['connected'][0]['remote_host']")
[ "$seen" = "$host_ip" ] || fail "server saw the client as $seen, expected the masqueraded $host_ip"
flows=$(conntrack -L -p tcp --orig-port-dst 5201 --dst "$ns_ip" 2>/dev/null | grep -c "src=198.19.77." || true)
[ "$flows" -gt 0 ] || fail "conntrack shows no translated flow from $subnet to $ns_ip:5201"
echo "container client -> namespace server: $received bytes, server saw $seen, $flows conntrack entries"

# 3. Server in a container with a published port <- iperf3 3.12 from the namespace.
server_ct="$tag-server"
containers+=("$server_ct")
podman run -d --name "$server_ct" --read-only --cap-drop=all --network "$net" \
  -p "$host_ip:5301:5201/tcp" "$image" -s -1 >/dev/null
for _ in $(seq 1 100); do
  podman exec "$server_ct" /usr/bin/nperf -v >/dev/null 2>&1 && \
    nsenter -t "$(podman inspect --format '{{.State.Pid}}' "$server_ct")" -n ss -Hltn 'sport = :5201' | grep -q . && break
  sleep 0.1
done
pid=$(podman inspect --format '{{.State.Pid}}' "$server_ct")
uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
[ "$uid" = "10001" ] || fail "server container runs as uid $uid"
ip netns exec "$ns" timeout 60 iperf3 -c "$host_ip" -p 5301 -t 2 -J >"$work/client3.json" 2>"$work/client3.err" || {
  cat "$work/client3.json" "$work/client3.err"
  podman logs "$server_ct"
  fail "iperf3 client against the containerised server exited non-zero"
}
received=$(json_field "$work/client3.json" "d['end']['sum_received']['bytes']")
[ "$received" -gt 0 ] || fail "iperf3 against the container received $received bytes"
echo "iperf3 3.12 in the namespace -> server container (uid $uid, read-only, no capabilities): $received bytes"
echo "container_e2e: 3 passed, 0 failed"
