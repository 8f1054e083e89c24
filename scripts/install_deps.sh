#!/usr/bin/env bash
# Installs what nperf needs to build and test from Debian 12 packages, only
# when something is missing. Run as root (or with sudo available). libssl-dev:
# libcrypto for authentication (docs/auth.md). nftables:
# the diagnosis tests drop packets inside a namespace they create. strace:
# tests/e2e/mechanism_test.cpp observes the system calls each option makes.
# podman, buildah, runc, conntrack: the container tests; python3-yaml and
# python3-kubernetes: the manifest validation; lintian, man-db: the .deb test.
set -euo pipefail
packages=(g++ cmake make clang-format libasio-dev libcli11-dev nlohmann-json3-dev libfmt-dev libgtest-dev libssl-dev iperf3 iproute2 procps nftables strace podman buildah runc conntrack iptables python3 python3-yaml python3-kubernetes lintian man-db)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -qq
  $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
