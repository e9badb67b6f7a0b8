package kernels

import (
	"math"
	"testing"
)

// TestExp512Kernels checks the AVX-512 swiglu, expSub and Softmax kernels
// bit for bit against swiglu512Go, expSub512Go and softmax512Go
// (transcriptions of llama.cpp's AVX-512 ggml_vec_swiglu_f32,
// ggml_vec_soft_max_f32 and soft_max row), for every length
// up to 80 (full chunks and tails), with -Inf and out-of-range entries.
func TestExp512Kernels(t *testing.T) {
	if !hasExp512 {
		t.Skip("no AVX-512 F/DQ")
	}
	r := newRand(5)
	for n := 0; n <= 80; n++ {
		g, u := gaussian(r, n, 6), gaussian(r, n, 1)
		for i := range g {
			switch r.IntN(23) {
			case 0:
				g[i] = float32(math.Inf(-1))
			case 1:
				g[i] = float32(math.Inf(1))
			case 2:
				g[i] = float32(r.NormFloat64() * 100)
			case 3:
				g[i] = 1e30
			}
		}
		want, got := make([]float32, n), make([]float32, n)
		swiglu512Go(want, g, u)
		swigluAsm(got, g, u)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
				t.Fatalf("n %d: swiglu(%g)[%d] = %g, want %g", n, g[i], i, got[i], want[i])
			}
		}
		x := gaussian(r, n, 10)
		for i := range x {
			if r.IntN(7) == 0 {
				x[i] = float32(math.Inf(-1))
			}
		}
		for _, m := range []float32{0, 3, -2.5, 200} {
			a, b := append([]float32(nil), x...), append([]float32(nil), x...)
			ws := expSub512Go(a, m)
			gs := expSubAsm(b, m)
			if ws != gs && !(ws != ws && gs != gs) {
				t.Fatalf("n %d m %g: expSub sum = %g, want %g", n, m, gs, ws)
			}
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
					t.Fatalf("n %d m %g: expSub[%d] = %g, want %g", n, m, i, b[i], a[i])
				}
			}
		}
		if n == 0 {
			continue
		}
		for _, s := range []float32{1, 0.125, 8} {
			a := make([]float32, n)
			for i, v := range x {
				a[i] = v * s
			}
			b := append([]float32(nil), a...)
			softmax512Go(a)
			Softmax(b)
			for i := range a {
				if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
					t.Fatalf("n %d scale %g: Softmax[%d] = %g, want %g", n, s, i, b[i], a[i])
				}
			}
		}
	}
}
