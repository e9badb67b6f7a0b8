package kernels

import "math"

// expf is float32 e^x: the float64 exp rounded once, so correctly rounded
// in practice. (llama.cpp's SIMD SiLU/softmax use ggml_v_expf, within ~2 ulp
// of this; a scalar Go port of that polynomial with emulated float32 FMAs
// measured 2x slower than math.Exp, so the exact value is used instead.)
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// swigluGo is the portable swiglu: dst[i] = silu(gate[i]) * up[i] (equal lengths).
func swigluGo(dst, gate, up []float32) {
	gate, up = gate[:len(dst)], up[:len(dst)]
	for i, g := range gate {
		dst[i] = g / (1 + expf(-g)) * up[i]
	}
}

// expSubGo is the portable expSub: x[i] = e^(x[i]-m), returning the sum
// of the new values in float64.
func expSubGo(x []float32, m float32) float64 {
	var sum float64
	for i, v := range x {
		e := expf(v - m)
		x[i] = e
		sum += float64(e)
	}
	return sum
}
