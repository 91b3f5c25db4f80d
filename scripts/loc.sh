#!/usr/bin/env bash
# Prints the number of C# code lines (non-blank, not comment-only) per source folder: a visible size budget.
set -euo pipefail
cd "$(dirname "$0")/.."
printf '%-45s %7s\n' "folder" "lines"
for dir in $(find src -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -printf '%h\n' | sort -u); do
  n=$(find "$dir" -maxdepth 1 -name '*.cs' -print0 | xargs -0 cat | grep -cvE '^\s*($|//)' || true)
  printf '%-45s %7d\n' "$dir" "$n"
done
total=$(find src -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0 | xargs -0 cat | grep -cvE '^\s*($|//)' || true)
printf '%-45s %7d\n' "total (src)" "$total"
