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

//go:noescape
func axpyF16RowsAVX2(n32 int, dst *float32, p *float32, np int, v *uint16, vStride int)

// axpyF16RowsAsm is axpyF16Rows: the first multiple of 32 elements in
// assembly, the rest with axpyF16 per row.
func axpyF16RowsAsm(dst, p []float32, v []uint16, stride int) {
	n := len(dst)
	if len(p) == 0 || n == 0 {
		return
	}
	_ = v[(len(p)-1)*stride+n-1]
	if n32 := n / 32; n32 > 0 {
		axpyF16RowsAVX2(n32, &dst[0], &p[0], len(p), &v[0], stride)
	}
	if tail := n / 32 * 32; tail < n {
		for t, pt := range p {
			axpyF16(dst[tail:], pt, v[t*stride+tail:t*stride+n])
		}
	}
}
