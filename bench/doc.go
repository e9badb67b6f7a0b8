// Package bench holds Go microbenchmarks of amulet's CPU kernels at the
// matrix shapes of real models (TinyLlama-1.1B, Qwen2.5-0.5B, Llama-3.2-1B).
//
// The benchmarks run a matrix-vector product through the public
// kernels.Pool.MatMul for every weight type, with 1 and 2 threads, and
// report the weight bytes streamed per second (MB/s, from b.SetBytes) and
// GFLOP/s (2 per weight per batch row). Run them with
//
//	go test -run '^$' -bench . ./bench/
//
// or narrow with a pattern, e.g. -bench 'MatVec/TinyLlama/.*/Q4_K/'.
// The package has no non-test API.
//
// Whole-model speed is `amulet-run bench` (llama-bench's table and JSON);
// bench/compare runs it alternately with llama.cpp on the same files: with
// node-llama-cpp (the reference kit in ../shared/tools) and, once `make
// llama-bench` (bench/build-llama-bench.sh) has built it, with llama.cpp's
// own llama-bench compiled for this machine, the like-for-like reference
// at more than one thread.
package bench
