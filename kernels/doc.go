// Package kernels holds the numeric building blocks of the CPU forward pass:
// the GGUF weight formats (dequantize, quantize, dot products against a
// quantized activation row, all following ggml's definitions at llama.cpp
// commit de3ff81), matrix multiplication over a persistent worker pool, and
// the small vector operations of a transformer layer (RMSNorm, RoPE, softmax,
// SwiGLU, grouped-query attention).
//
// Quantize reproduces llama-quantize's output byte for byte for F16, BF16,
// Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K and Q6_K (tested on
// every matrix of the synth256 models). MatMul quantizes activations as
// llama.cpp's x86 CPU backend does (Q8_0/Q8_1/Q8_K, rounding to nearest even)
// and computes the same integer block sums.
//
// Every inner kernel has a plain Go reference version (suffix Ref). The
// dispatch table in dispatch.go starts out pointing at portable Go versions;
// architecture files (dispatch_amd64.go) may replace entries once, at init,
// with assembly versions chosen from the CPU's features. Tests compare every
// dispatched kernel with its reference.
//
// Weights are read in their GGUF layout, except that Repack copies Q8_0,
// Q4_0, Q4_K and Q6_K matrices into 16-row interleaved tiles (packed.go)
// for CPUs with AVX-512 VNNI: one 512-bit instruction then serves sixteen
// rows, so decoding
// streams each weight byte once whatever the batch (the Amulet decoder's
// two contexts cost one read) and prefill needs no per-call packing.
// F16 weights stay in the file's layout: one activation row takes
// ggml_vec_dot_f16's order four rows at a time (dotf16vd.go, bit-identical
// to llama.cpp's decode step), a prompt batch a float32 GEMM with the batch
// across the vector lanes (gemmf16.go).
//
// Byte layouts are little-endian, as in GGUF files; the package assumes a
// little-endian host (NewMatrix reports an error otherwise).
package kernels
