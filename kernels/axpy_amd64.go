package kernels

// Attention's weighted value sums in assembly (axpy_amd64.s).

//go:noescape
func axpyF32AVX2(n int, dst *float32, a float32, x *float32)

//go:noescape
func axpyF16AVX2(n int, dst *float32, a float32, x *uint16)

// axpyF32Asm adds a*x to dst over min(len(dst), len(x)) elements (fused
// multiply-add: one rounding per element instead of two).
func axpyF32Asm(dst []float32, a float32, x []float32) {
	if n := min(len(dst), len(x)); n > 0 {
		axpyF32AVX2(n, &dst[0], a, &x[0])
	}
}

// axpyF16Asm is axpyF32Asm with x in binary16.
func axpyF16Asm(dst []float32, a float32, x []uint16) {
	if n := min(len(dst), len(x)); n > 0 {
		axpyF16AVX2(n, &dst[0], a, &x[0])
	}
}
