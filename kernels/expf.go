package kernels

import "math"

// expf is float32 e^x: the float64 exp rounded once, so correctly rounded
// in practice. It is the portable (non-x86) exp of SwiGLU and Softmax; the
// x86 kernels follow llama.cpp's builds instead (see exp512 and glibcExpf).
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

// exp512 is ggml_v_expf of llama.cpp's AVX-512 builds (ggml-cpu/vec.h, the
// __AVX512F__ && __AVX512DQ__ branch), one lane: n = round(x/ln2) by the
// 1.5*2^23 shift, b = x - n*ln2 (two parts), a degree-5 polynomial j(b), and
// _mm512_scalef_ps(j, n); where |n| > 192 the result is +Inf (n > 0) or 0.
func exp512(x float32) float32 {
	const r = float32(0x1.8p23)
	z := fmaF32(x, 0x1.715476p+0, r)
	n := z - r
	b := fmaF32(-n, 0x1.7f7d1cp-20, fmaF32(-n, 0x1.62e4p-1, x))
	u := b * b
	j := fmaF32(fmaF32(fmaF32(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fmaF32(0x1.555e66p-3, b, 0x1.fffdb6p-2)), u,
		fmaF32(0x1.ffffecp-1, b, 1))
	if abs32(n) > 192 {
		if n > 0 {
			return float32(math.Inf(1))
		}
		return 0
	}
	if n != n {
		return n
	}
	// scalef: j*2^n, rounded once (exact in float64, then one rounding).
	return float32(math.Ldexp(float64(j), int(n)))
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// glibcExpf is glibc's expf (sysdeps/ieee754/flt-32/e_expf.c) as its FMA
// ifunc variant computes it on x86-64 (the one llama.cpp's scalar tails call
// on this CPU): k = round(x*32/ln2) by the 1.5*2^52 shift and r = x*32/ln2 - k,
// both with fused multiply-adds, s = 2^(k/32) from the table, and
// s*(C0 r³ + C1 r² + C2 r + 1) in float64, rounded once to float32.
func glibcExpf(x float32) float32 {
	const (
		invLn2N = 0x1.71547652b82fep+0 * 32
		shift   = 0x1.8p+52
		c0      = 0x1.c6af84b912394p-5 / 32 / 32 / 32
		c1      = 0x1.ebfce50fac4f3p-3 / 32 / 32
		c2      = 0x1.62e42ff0c52d6p-1 / 32
	)
	ux := math.Float32bits(x)
	if abstop := ux >> 20 & 0x7ff; abstop >= 0x42b { // |x| >= 88 or NaN
		switch {
		case ux == 0xff800000: // -Inf
			return 0
		case abstop >= 0x7f8: // +Inf, NaN
			return x + x
		case x > 0x1.62e42ep6:
			return float32(math.Inf(1))
		case x < -0x1.9fe368p6:
			return 0
		case x < -0x1.9d1d9ep6: // __math_may_uflowf: 0x1.4p-75f squared
			return float32(0x1.4p-75) * float32(0x1.4p-75)
		}
	}
	xd := float64(x)
	kd := math.FMA(invLn2N, xd, shift)
	ki := math.Float64bits(kd)
	kd -= shift
	r := math.FMA(invLn2N, xd, -kd)
	t := exp2fTab[ki%32] + ki<<47
	s := math.Float64frombits(t)
	z := math.FMA(c0, r, c1)
	r2 := r * r
	y := math.FMA(c2, r, 1)
	y = math.FMA(z, r2, y)
	return float32(y * s)
}

// siluGlibc is ggml_silu_f32's g/(1+expf(-g)) with glibc's expf (the scalar
// tail of llama.cpp's swiglu).
func siluGlibc(g float32) float32 { return g / (1 + glibcExpf(-g)) }

// swiglu512Go is ggml_vec_swiglu_f32 of llama.cpp's AVX-512 builds: chunks
// of 16 use ggml_v_silu (exp512 of 0-g, then g/(1+e)) times up; the last
// len%16 elements the scalar silu with glibc's expf.
func swiglu512Go(dst, gate, up []float32) {
	gate, up = gate[:len(dst)], up[:len(dst)]
	n16 := len(dst) &^ 15
	for i := 0; i < n16; i++ {
		g := gate[i]
		dst[i] = g / (1 + exp512(0-g)) * up[i]
	}
	for i := n16; i < len(dst); i++ {
		dst[i] = siluGlibc(gate[i]) * up[i]
	}
}

// reduce16 is GCC's _mm512_reduce_add_ps: halves added lane-wise down to
// four lanes, then (v[0]+v[2]) + (v[1]+v[3]).
func reduce16(v *[16]float32) float32 {
	var v8 [8]float32
	for i := range v8 {
		v8[i] = v[i+8] + v[i]
	}
	var v4 [4]float32
	for i := range v4 {
		v4[i] = v8[i+4] + v8[i]
	}
	return (v4[0] + v4[2]) + (v4[1] + v4[3])
}

// expSub512Go is ggml_vec_soft_max_f32 of llama.cpp's AVX-512 builds over a
// row whose positions from len(x) on are masked (-Inf, so e^ gives 0), as the
// padded n_kv row of llama.cpp's attention (a multiple of 16 long): every
// chunk of 16, the last one partial, gets exp512(x-m), summed in float32 by
// _mm512_reduce_add_ps and then added to the float64 sum.
func expSub512Go(x []float32, m float32) float64 {
	var sum float64
	for i := 0; i < len(x); i += 16 {
		var v [16]float32
		for j := range v {
			if i+j < len(x) {
				e := exp512(x[i+j] - m)
				x[i+j], v[j] = e, e
			}
		}
		sum += float64(reduce16(&v))
	}
	return sum
}

// softmax512Go is ggml_compute_forward_soft_max_f32 of llama.cpp's AVX-512
// builds for one row (scale and mask already applied, positions from len(x)
// on masked): max by ggml's MAX, expSub512Go, then x[i] *= float32(1/sum).
func softmax512Go(x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if !(m > v) {
			m = v
		}
	}
	inv := float32(1 / expSub512Go(x, m))
	for i := range x {
		x[i] *= inv
	}
}
