package kernels

import (
	"math"
)

// RMSNorm writes dst[i] = x[i] * scale * weight[i], scale = 1/sqrt(mean(x²)+eps),
// as ggml's rms_norm followed by the weight multiply: squares are float32
// products summed in float64, the mean and scale are float32.
// dst may alias x. weight must be at least len(x) long.
func RMSNorm(dst, x, weight []float32, eps float32) {
	if len(x) == 0 {
		return
	}
	dst, weight = dst[:len(x)], weight[:len(x)]
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / sqrtf(mean+eps)
	for i, v := range x {
		dst[i] = float32(v*scale) * weight[i]
	}
}

// Softmax replaces x by its softmax as ggml's soft_max: subtract the max,
// exp in float32, sum in float64, multiply by the float32 inverse of the sum.
// With AVX-512 it is llama.cpp's AVX-512 computation bit for bit (softmax512Go)
// for a row that llama.cpp pads with masked (-Inf) positions to a multiple of
// 16 (its n_kv is a multiple of 256 when the context is); otherwise the exp
// is expSub's.
func Softmax(x []float32) {
	if len(x) == 0 || softmaxAsm(x) {
		return
	}
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	sum := expSub(x, m)
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
}

// SwiGLU writes dst[i] = silu(gate[i]) * up[i], silu(g) = g/(1+exp(-g))
// with ggml's float32 exp (see expf). dst may alias gate or up.
func SwiGLU(dst, gate, up []float32) {
	swiglu(dst, gate[:len(dst)], up[:len(dst)])
}

// Add adds a to dst element-wise (dst += a).
func Add(dst, a []float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] += a[i]
	}
}
