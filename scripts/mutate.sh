#!/usr/bin/env bash
# make mutate FOLDER="src/RefNet/Layers [src/RefNet/Losses …]": Stryker.NET mutation testing (not in CI: slow).
# Coverage-based test selection (perTest), the slow MNIST band test left out. Several folders share one run
# (Stryker compiles every mutant of the library once per run, which is most of a small folder's time).
# MUTATE_FILTER replaces the test filter (e.g. the backend tests only, for src/RefNet/Backends, whose mutants every
# test covers); MUTATE_CONCURRENCY sets Stryker's parallel test runners (default 2).
# HTML and JSON reports under artifacts/mutation/<name>/reports/, then a score per folder and the time taken.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: scripts/mutate.sh src/RefNet/<Folder> [src/RefNet/<Folder> …]" >&2; exit 2; }
globs=() rels=()
for folder in "$@"; do
  folder="${folder%/}"
  case "$folder" in
    src/RefNet/*) ;;
    *) echo "mutate: FOLDER must be under src/RefNet (got '$folder')" >&2; exit 2 ;;
  esac
  [ -d "$folder" ] || { echo "mutate: no folder '$folder'" >&2; exit 2; }
  rel="${folder#src/RefNet/}"
  rels+=("$rel")
  globs+=("\"**/$rel/**/*.cs\"")
done
name=$(IFS=+; echo "${rels[*]//\//-}")
out="$PWD/artifacts/mutation/$name"
mkdir -p "$out"
dotnet tool restore >/dev/null
start=$(date +%s)
config="$out/stryker-config.json"
cat > "$config" <<JSON
{
  "stryker-config": {
    "project": "RefNet.csproj",
    "test-projects": ["$PWD/tests/RefNet.Tests/RefNet.Tests.csproj"],
    "mutate": [$(IFS=,; echo "${globs[*]}")],
    "coverage-analysis": "perTest",
    "test-case-filter": "${MUTATE_FILTER:-FullyQualifiedName!~MnistMlpSlowTests&FullyQualifiedName!~Reproduction}",
    "reporters": ["html", "json", "progress", "cleartext"],
    "concurrency": ${MUTATE_CONCURRENCY:-2},
    "configuration": "Release"
  }
}
JSON
(cd src/RefNet && dotnet stryker --config-file "$config" --output "$out" --skip-version-check)
elapsed=$(( $(date +%s) - start ))
python3 scripts/mutation_scores.py "$out/reports/mutation-report.json" "${rels[@]}"
echo "mutate: ${*} took ${elapsed} s (test filter: ${MUTATE_FILTER:-default}); reports in $out/reports/"
