#!/usr/bin/env bash
# A three-part "cluster" of network namespaces for nperf-mesh's namespace
# runner (issue #16), sourced by mesh_e2e.sh:
#   - a fabric namespace holding a bridge: the nodes' shared L2 segment;
#   - per node i a namespace with eth0 on that bridge (198.18.160.1i/24),
#     IP forwarding on, and a bridge cni0 (198.19.16i.1/24) for its pod;
#   - per node i a pod namespace with eth0 = 198.19.16i.2/24 on cni0, its
#     default route via the node.
# Like a routing CNI (flannel host-gw, calico without overlay): a node routes
# every other node's pod subnet via that node's address, pod-to-pod traffic is
# routed unchanged, and a pod's traffic to anything outside the pod CIDR
# (198.19.160.0/21), the nodes included, is masqueraded to its node's
# address. Nothing is created in the caller's namespace; every name starts
# with $MESH_PREFIX so cluster_down removes exactly what cluster_up made.
# Addresses: only 198.18.0.0/15.

# cluster_up PREFIX NODES: creates the namespaces; prints nothing.
cluster_up() {
  local prefix="$1" nodes="$2" i j fab="$1-fab"
  ip netns add "$fab"
  ip -n "$fab" link set lo up
  ip -n "$fab" link add br0 type bridge
  ip -n "$fab" link set br0 up
  for i in $(seq 1 "$nodes"); do
    local node="$prefix-node$i" pod="$prefix-pod$i"
    ip netns add "$node"
    ip netns add "$pod"
    ip -n "$node" link set lo up
    ip -n "$pod" link set lo up
    ip -n "$fab" link add "n$i" type veth peer name eth0 netns "$node"
    ip -n "$fab" link set "n$i" master br0 up
    ip -n "$node" addr add "198.18.160.1$i/24" dev eth0
    ip -n "$node" link set eth0 up
    ip netns exec "$node" sysctl -qw net.ipv4.ip_forward=1
    ip -n "$node" link add cni0 type bridge
    ip -n "$node" addr add "198.19.16$i.1/24" dev cni0
    ip -n "$node" link set cni0 up
    ip -n "$node" link add "veth$i" type veth peer name eth0 netns "$pod"
    ip -n "$node" link set "veth$i" master cni0 up
    ip -n "$pod" addr add "198.19.16$i.2/24" dev eth0
    ip -n "$pod" link set eth0 up
    ip -n "$pod" route add default via "198.19.16$i.1"
    ip netns exec "$node" nft -f - <<NFT
table ip mesh_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 198.19.16$i.0/24 ip daddr != 198.19.160.0/21 oifname "eth0" masquerade
  }
}
NFT
  done
  for i in $(seq 1 "$nodes"); do
    for j in $(seq 1 "$nodes"); do
      [ "$i" = "$j" ] || ip -n "$prefix-node$i" route add "198.19.16$j.0/24" via "198.18.160.1$j"
    done
  done
}

# cluster_down PREFIX: kills every process in the namespaces and deletes them.
cluster_down() {
  local prefix="$1" ns
  for ns in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$ns" 2>/dev/null || true
  done
}
