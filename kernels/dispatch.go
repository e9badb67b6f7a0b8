package kernels

// The dispatch table: the inner kernels the rest of the package calls.
// Each starts out as a portable Go version. dispatch_amd64.go (owned by the
// assembly work) may replace entries ONCE, in its init, with versions chosen
// from the CPU's features; nothing else may assign them. Every replacement
// must compute the same result as the Ref function of the same name, up to
// float32 summation order (tests check this).
var (
	dotF32  func(w, x []float32) float32 = dotF32Go
	dotF16  func(w, x []uint16) float32  = dotF16Go
	dotBF16 func(w, x []uint16) float32  = dotBF16Go

	dotQ8_0 func(n int, w, x []byte) float32 = dotQ8_0Ref // x: Q8_0
	dotQ4_0 func(n int, w, x []byte) float32 = dotQ4_0Ref // x: Q8_0
	dotQ5_0 func(n int, w, x []byte) float32 = dotQ5_0Ref // x: Q8_0
	dotQ4_1 func(n int, w, x []byte) float32 = dotQ4_1Ref // x: Q8_1
	dotQ5_1 func(n int, w, x []byte) float32 = dotQ5_1Ref // x: Q8_1
	dotQ2_K func(n int, w, x []byte) float32 = dotQ2_KRef // x: Q8_K
	dotQ3_K func(n int, w, x []byte) float32 = dotQ3_KRef // x: Q8_K
	dotQ4_K func(n int, w, x []byte) float32 = dotQ4_KRef // x: Q8_K
	dotQ5_K func(n int, w, x []byte) float32 = dotQ5_KRef // x: Q8_K
	dotQ6_K func(n int, w, x []byte) float32 = dotQ6_KRef // x: Q8_K

	// Four-row dots: one activation row x against weight rows w[0:],
	// w[rowBytes:], w[2*rowBytes:], w[3*rowBytes:] (n elements each),
	// results in out[0:4]. nil means "not available": MatMul then calls the
	// one-row dot four times. Tests compare them with four Ref calls.
	// dotQ8_0x4 and dotQ4_0x4 are declared in dispatch_amd64.go for now
	// (to move here so other architectures build).
	dotQ5_0x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ4_1x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ5_1x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ2_Kx4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ3_Kx4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ4_Kx4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ5_Kx4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ6_Kx4 func(n int, w []byte, rowBytes int, x []byte, out []float32)

	// Four-row by nx tiles for batched MatMul (nx activation rows, 1..4):
	// out[a*outStride + r] = dot(n elements of w[r*rowBytes:], x[a*xRowBytes:])
	// for r < 4, a < nx; each weight block is unpacked once for all nx rows.
	// nil means "not available". dotQ8_0x4n, dotQ4_0x4n, dotQ4_Kx4n and
	// dotQ6_Kx4n are declared with the assembly (dispatch_amd64.go /
	// dotx4_other.go); the others here.
	dotQ5_0x4n, dotQ4_1x4n, dotQ5_1x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ2_Kx4n, dotQ3_Kx4n, dotQ5_Kx4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotF16x4n, dotBF16x4n              func(n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int) // strides in elements

	// Attention's weighted sum of values: dst[i] += a * x[i] (len(x) == len(dst)),
	// x in float32 or binary16.
	axpyF32 func(dst []float32, a float32, x []float32) = axpyF32Go
	axpyF16 func(dst []float32, a float32, x []uint16)  = axpyF16Go
	// axpyF16Rows(dst, p, v, stride): dst[i] += p[t]*v[t*stride+i] for every
	// t < len(p) in order, i < len(dst) (len(p) axpyF16 calls in one).
	axpyF16Rows func(dst, p []float32, v []uint16, stride int) = axpyF16RowsGo

	// The exponentials of SwiGLU and Softmax: swiglu(dst, gate, up) with
	// equal lengths (dst may alias gate or up); expSub(x, m) sets x[i] =
	// e^(x[i]-m) and returns the float64 sum. Assembly versions use a
	// polynomial exp within ~2 ulp of the exact one (as ggml's SIMD exp).
	swiglu func(dst, gate, up []float32)        = swigluGo
	expSub func(x []float32, m float32) float64 = expSubGo

	// Activation quantizers (len(x) a multiple of the block size).
	quantizeRowQ8_0 func(dst []byte, x []float32) = quantizeRowQ8_0Go
	quantizeRowQ8_1 func(dst []byte, x []float32) = quantizeRowQ8_1Go
	quantizeRowQ8_K func(dst []byte, x []float32) = quantizeRowQ8_KGo
)
