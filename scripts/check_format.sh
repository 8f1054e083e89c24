#!/usr/bin/env bash
# Fails when any C++ file under src/, include/ or tests/ differs from what
# clang-format (Debian 12's clang-format 14, .clang-format) would write.
# `scripts/check_format.sh --fix` rewrites them instead.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: clang-format is not installed" >&2; exit 1; }
mapfile -t files < <(git ls-files --cached --others --exclude-standard 'src/*' 'include/*' 'tests/*' | grep -E '\.(cpp|hpp)$')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
  echo "check_format: ${#files[@]} files clean"
fi
