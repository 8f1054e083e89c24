#!/usr/bin/env bash
# The Debian package (issue #15): cpack builds it from the build tree, lintian
# finds no error and no warning, `apt-get install ./nperf_*.deb` installs it,
# `nperf -v` runs from /usr/bin, `man nperf` renders, `nperf-mesh --help` and
# `man nperf-mesh` work, bash completion offers
# options from the binary, and the systemd template unit passes
# `systemd-analyze verify` with no message and `systemd-analyze security
# --offline=true` at an exposure of at most 3.0. The package is removed again
# at the end (unless an nperf package was installed before the test).
# Usage: deb_test.sh BUILD_DIR      Exit 77 = skipped (not root).
set -euo pipefail
build="$(readlink -f "${1:?usage: deb_test.sh BUILD_DIR}")"
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
  [ "${CI:-}" = "true" ] && fail "CI=true: installing the package needs root"
  echo "SKIP: installing the package needs root"
  exit 77
fi
for tool in cpack lintian systemd-analyze man dpkg-deb; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/install_deps.sh installs it)"
done
work="$(mktemp -d)"
preinstalled=0
dpkg-query -W -f='${Status}' nperf 2>/dev/null | grep -q "install ok installed" && preinstalled=1
cleanup() {
  [ "$preinstalled" = 1 ] || apt-get remove -y -qq nperf >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$work" && cpack -G DEB --config "$build/CPackConfig.cmake" >cpack.log 2>&1) || { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$(ls "$work"/nperf_*.deb)"
echo "built $(basename "$deb"): $(stat -c %s "$deb") bytes"

# lintian as root warns about itself on stderr; its findings go to stdout.
lintian --tag-display-limit 0 "$deb" >"$work/lintian.txt" 2>/dev/null || true
if grep -E '^(E|W): ' "$work/lintian.txt"; then fail "lintian reports errors or warnings"; fi
echo "lintian: no errors, no warnings ($(grep -c '^[IP]: ' "$work/lintian.txt" || true) info/pedantic tags)"

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install failed"; }
/usr/bin/nperf -v | grep -q '^nperf ' || fail "/usr/bin/nperf -v"
echo "installed: $(/usr/bin/nperf -v | head -1)"

MANWIDTH=80 MANPAGER=cat man nperf >"$work/man.txt" 2>"$work/man.err" || { cat "$work/man.err"; fail "man nperf"; }
for section in NAME SYNOPSIS OPTIONS "EXIT STATUS" EXAMPLES; do
  grep -q "^$section" "$work/man.txt" || fail "man nperf has no $section section"
done
echo "man nperf: $(wc -l <"$work/man.txt") lines"

# nperf-mesh (issue #16): runs from /usr/bin with its modules from /usr/share/nperf
# (python3 comes with the package's Depends) and leaves no bytecode there.
/usr/bin/nperf-mesh --help >"$work/mesh-help.txt" || fail "/usr/bin/nperf-mesh --help exited $?"
grep -q -- '--out DIR' "$work/mesh-help.txt" || fail "/usr/bin/nperf-mesh --help: $(head -3 "$work/mesh-help.txt")"
MANWIDTH=80 MANPAGER=cat man nperf-mesh >"$work/mesh-man.txt" 2>&1 || fail "man nperf-mesh: $(cat "$work/mesh-man.txt")"
grep -q '^EXIT STATUS' "$work/mesh-man.txt" || fail "man nperf-mesh has no EXIT STATUS section"
[ -z "$(find /usr/share/nperf -name __pycache__)" ] || fail "nperf-mesh wrote bytecode under /usr/share/nperf"
echo "nperf-mesh: --help and man nperf-mesh from the package"

completions=$(bash -c 'source /usr/share/bash-completion/completions/nperf
  COMP_WORDS=(nperf --ti); COMP_CWORD=1; _nperf; printf "%s\n" "${COMPREPLY[@]}"')
echo "$completions" | grep -qx -- '--time' || fail "bash completion of --ti offers: $completions"

unit=/lib/systemd/system/nperf@.service
[ -f "$unit" ] || fail "$unit not installed"
verify=$(systemd-analyze verify /lib/systemd/system/nperf@5201.service 2>&1 || true)
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
exposure=$(systemd-analyze security --offline=true "$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || fail "systemd-analyze security printed no exposure level"
awk -v e="$exposure" 'BEGIN { exit !(e <= 3.0) }' || fail "unit exposure $exposure is above 3.0"
echo "nperf@.service: verify clean, exposure $exposure"
echo "deb_test: 6 passed, 0 failed"
