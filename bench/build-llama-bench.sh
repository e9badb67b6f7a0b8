#!/usr/bin/env bash
# build-llama-bench.sh: build llama.cpp's own benchmark tool, llama-bench, natively for this
# machine (GGML_NATIVE, OpenMP thread pool), from the llama.cpp source snapshot that the npm
# package node-llama-cpp@3.22.1 ships (llama/gitRelease.bundle, llama.cpp commit de3ff815: the
# same code as the prebuilt libraries ../shared/tools runs). The binary lands in
# .cache/llama-bench/bin/llama-bench, where `go run ./bench/compare` finds it.
#
# Why: node-llama-cpp restarts its thread pool on every decode and reaches only about half of
# llama.cpp's speed at 2 threads on a 2-core machine; llama-bench is the like-for-like reference
# there. Needs git, tar, cmake and a C++ compiler (Debian: apt-get install cmake g++); about
# 5 minutes on 2 cores. Not part of `make test`.
#
# Usage: bench/build-llama-bench.sh [--force]
set -euo pipefail

pkg="node-llama-cpp@3.22.1"
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache"
dest="$cache/llama-bench"

if [[ "${1:-}" == "--force" ]]; then
  rm -rf "$dest"
fi
if [[ -x "$dest/bin/llama-bench" ]]; then
  echo "build-llama-bench: $dest/bin/llama-bench is there (--force rebuilds)" >&2
  exit 0
fi
for tool in git tar cmake c++; do
  command -v "$tool" >/dev/null || { echo "build-llama-bench: $tool is required" >&2; exit 1; }
done

mkdir -p "$cache"
tgz="$cache/node-llama-cpp-3.22.1.tgz"
if [[ ! -s "$tgz" ]]; then
  command -v npm >/dev/null || { echo "build-llama-bench: npm is required to fetch $pkg" >&2; exit 1; }
  work="$(mktemp -d "$cache/npm.XXXXXX")"
  (cd "$work" && npm pack --silent "$pkg" >/dev/null)
  mv "$work"/node-llama-cpp-3.22.1.tgz "$tgz"
  rm -rf "$work"
fi

# Built in place: llama-bench finds its shared libraries through a RUNPATH into the build tree.
rm -rf "$dest"
mkdir -p "$dest"
trap '[[ -x "$dest/bin/llama-bench" ]] || rm -rf "$dest"' EXIT
tar -xzf "$tgz" -C "$dest" package/llama/gitRelease.bundle
git clone -q "$dest/package/llama/gitRelease.bundle" "$dest/llama.cpp"
rm -rf "$dest/package"

cmake -S "$dest/llama.cpp" -B "$dest/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF >&2
cmake --build "$dest/build" --target llama-bench -j "$(nproc)" >&2
"$dest/build/bin/llama-bench" --help >/dev/null
mkdir -p "$dest/bin"
ln -s ../build/bin/llama-bench "$dest/bin/llama-bench"
echo "build-llama-bench: $dest/bin/llama-bench (llama.cpp $(git -C "$dest/llama.cpp" rev-parse --short=8 HEAD))" >&2
