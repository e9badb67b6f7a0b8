package kernels

// F32 GEMM micro-kernels for F16 prefill (gemmf16_amd64.s); see gemmf16.go.

//go:noescape
func gemmF32x8x3AVX512(k16 int, w *float32, wStride int, x *float32, xStride int, out *float32, outStride int)

//go:noescape
func gemmF32x8x1AVX512(k16 int, w *float32, wStride int, x *float32, xStride int, out *float32, outStride int)

//go:noescape
func cvtF16F32AVX512(n16 int, src *uint16, dst *float32)

// gemmF32Check panics like an index expression unless the operands hold
// eight weight rows and nx activation rows of 16*k16 floats and an 8 x nx
// block of out; it reports whether k16 > 0.
func gemmF32Check(k16 int, w []float32, wStride int, x []float32, xStride int, out []float32, outStride, nx int) bool {
	_ = out[(nx-1)*outStride+7]
	if k16 <= 0 {
		return false
	}
	if wStride < 16*k16 || xStride < 16*k16 {
		panic("kernels: gemmF32: stride shorter than a row")
	}
	_ = w[7*wStride+16*k16-1]
	_ = x[(nx-1)*xStride+16*k16-1]
	return true
}

func gemmF32x8x3Asm(k16 int, w []float32, wStride int, x []float32, xStride int, out []float32, outStride int) {
	if gemmF32Check(k16, w, wStride, x, xStride, out, outStride, 3) {
		gemmF32x8x3AVX512(k16, &w[0], wStride, &x[0], xStride, &out[0], outStride)
	}
}

func gemmF32x8x1Asm(k16 int, w []float32, wStride int, x []float32, xStride int, out []float32, outStride int) {
	if gemmF32Check(k16, w, wStride, x, xStride, out, outStride, 1) {
		gemmF32x8x1AVX512(k16, &w[0], wStride, &x[0], xStride, &out[0], outStride)
	}
}

func cvtF16F32Asm(dst []float32, src []uint16) {
	n16 := len(src) / 16
	if n16*16 != len(src) {
		panic("kernels: cvtF16F32: length not a multiple of 16")
	}
	if n16 > 0 {
		_ = dst[len(src)-1]
		cvtF16F32AVX512(n16, &src[0], &dst[0])
	}
}
