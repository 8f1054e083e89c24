#!/usr/bin/env bash
# Builds the container image nperf:VERSION from this checkout's own Release
# build, with no registry: FROM scratch plus the stripped binary and exactly
# the shared objects `ldd` names (a Release nperf needs only libc and ld.so,
# docs/kubernetes.md). The image runs as a non-root user (uid 10001), needs no
# writable path (so it runs with --read-only) and no capability.
#
#   scripts/image.sh                  build nperf:VERSION (and nperf:latest)
#   scripts/image.sh --oci FILE.tar   also export it as an OCI archive
#                                     (for `ctr images import`, `kind load image-archive`)
#   NPERF_BINARY=path scripts/image.sh   use that binary instead of building build/nperf
set -euo pipefail
cd "$(dirname "$0")/.."
oci_archive=""
while (($#)); do
  case "$1" in
    --oci) oci_archive="${2:?--oci needs a file}"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "image.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/packaging/container/containers.conf}"
command -v buildah >/dev/null || { echo "image.sh: buildah is not installed (apt-get install buildah runc)" >&2; exit 1; }

binary="${NPERF_BINARY:-}"
if [ -z "$binary" ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$(nproc)" --target nperf >/dev/null
  binary=build/nperf
fi
version="$("$binary" -v | awk 'NR==1 {print $2}')"
[ -n "$version" ] || { echo "image.sh: cannot read the version of $binary" >&2; exit 1; }

root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
install -D -m 0755 "$binary" "$root/usr/bin/nperf"
strip --strip-all "$root/usr/bin/nperf"
# Every shared object the binary loads, at the path the loader looks for it.
ldd "$binary" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
  install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
done
mkdir -p "$root/etc"
printf 'root:x:0:0:root:/:/usr/sbin/nologin\nnperf:x:10001:10001:nperf:/:/usr/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nnperf:x:10001:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"

source_url="$(git config --get remote.origin.url 2>/dev/null || true)"
container="$(buildah from scratch)"
cleanup() { buildah rm "$container" >/dev/null 2>&1 || true; rm -rf "$root"; }
trap cleanup EXIT
buildah copy "$container" "$root" / >/dev/null
buildah config \
  --user 10001:10001 \
  --entrypoint '["/usr/bin/nperf"]' --cmd '-s' \
  --port 5201/tcp --port 5201/udp \
  --label org.opencontainers.image.title=nperf \
  --label org.opencontainers.image.description="iperf3-compatible network throughput tester with one thread per stream" \
  --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.licenses=BSD-3-Clause \
  --label org.opencontainers.image.source="${source_url:-nperf}" \
  --label org.opencontainers.image.revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  "$container"
buildah commit --quiet --format oci "$container" "localhost/nperf:$version" >/dev/null
buildah tag "localhost/nperf:$version" localhost/nperf:latest
echo "image.sh: built localhost/nperf:$version"
if [ -n "$oci_archive" ]; then
  rm -f "$oci_archive"
  buildah push --quiet "localhost/nperf:$version" "oci-archive:$oci_archive:nperf:$version"
  echo "image.sh: exported $oci_archive"
fi
