#!/usr/bin/env bash
# make mutate FOLDER=src/RefNet/Layers: Stryker.NET mutation testing of one source folder (not in CI: slow).
# Coverage-based test selection (perTest), the slow MNIST band test left out; HTML and JSON reports under
# artifacts/mutation/<folder>/, and the time the folder took printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:?usage: scripts/mutate.sh src/RefNet/<Folder>}"
folder="${folder%/}"
case "$folder" in
  src/RefNet/*) ;;
  *) echo "mutate: FOLDER must be under src/RefNet (got '$folder')" >&2; exit 2 ;;
esac
[ -d "$folder" ] || { echo "mutate: no folder '$folder'" >&2; exit 2; }
rel="${folder#src/RefNet/}"
out="$PWD/artifacts/mutation/${rel//\//-}"
mkdir -p "$out"
dotnet tool restore >/dev/null
start=$(date +%s)
config="$out/stryker-config.json"
cat > "$config" <<JSON
{
  "stryker-config": {
    "project": "RefNet.csproj",
    "test-projects": ["$PWD/tests/RefNet.Tests/RefNet.Tests.csproj"],
    "mutate": ["**/$rel/**/*.cs"],
    "coverage-analysis": "perTest",
    "test-case-filter": "FullyQualifiedName!~MnistMlpSlowTests&FullyQualifiedName!~Reproduction",
    "reporters": ["html", "json", "progress", "cleartext"],
    "concurrency": ${MUTATE_CONCURRENCY:-2},
    "configuration": "Release"
  }
}
JSON
cd src/RefNet
dotnet stryker --config-file "$config" --output "$out" --skip-version-check
echo "mutate: $folder took $(( $(date +%s) - start )) s; reports in $out/reports/"
