#!/usr/bin/env bash
# fetch-vocab.sh: put llama.cpp's tokenizer test vocabularies (models/ggml-vocab-*.gguf with their
# .inp/.out vectors), tests/test-tokenizer-0.cpp, src/unicode-data.cpp and the chat templates (models/templates/)
# under .cache/llama-models/ at the repository root.
#
# They come from the llama.cpp source snapshot that the npm package node-llama-cpp@3.22.1 ships
# as llama/gitRelease.bundle (llama.cpp commit de3ff815). The first run fetches the package with
# `npm pack` into .cache/ (ignored by git); later runs see the stamp file and return at once.
#
# Usage: tokenizer/testdata/fetch-vocab.sh [--force]
set -euo pipefail

pkg="node-llama-cpp@3.22.1"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="$root/.cache"
dest="$cache/llama-models"
stamp="$dest/.complete-$pkg"

if [[ "${1:-}" == "--force" ]]; then
  rm -rf "$dest"
fi
if [[ -f "$stamp" ]]; then
  exit 0
fi

for tool in git tar; do
  command -v "$tool" >/dev/null || { echo "fetch-vocab: $tool is required" >&2; exit 1; }
done

mkdir -p "$cache"
work="$(mktemp -d "$cache/fetch-vocab.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# The bundle: from the npm tarball, fetched once and kept in .cache/.
tgz="$cache/node-llama-cpp-3.22.1.tgz"
if [[ ! -s "$tgz" ]]; then
  command -v npm >/dev/null || { echo "fetch-vocab: npm is required to fetch $pkg" >&2; exit 1; }
  echo "fetch-vocab: npm pack $pkg into $cache" >&2
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  mv "$work"/node-llama-cpp-3.22.1.tgz "$tgz"
fi
tar -xzf "$tgz" -C "$work" package/llama/gitRelease.bundle

git clone -q --bare "$work/package/llama/gitRelease.bundle" "$work/llama.git"
mkdir -p "$work/out"
git --git-dir="$work/llama.git" archive HEAD models/ tests/test-tokenizer-0.cpp src/unicode-data.cpp | tar -x -C "$work/out"

rm -rf "$dest.tmp"
mkdir -p "$dest.tmp/templates"
cp "$work"/out/models/ggml-vocab-* "$dest.tmp/"
cp -r "$work"/out/models/templates/. "$dest.tmp/templates/"
cp "$work/out/tests/test-tokenizer-0.cpp" "$work/out/src/unicode-data.cpp" "$dest.tmp/"
git --git-dir="$work/llama.git" rev-parse HEAD > "$dest.tmp/COMMIT"
touch "$dest.tmp/.complete-$pkg"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
echo "fetch-vocab: $(ls "$dest"/ggml-vocab-*.gguf | wc -l) vocabularies in $dest" >&2
