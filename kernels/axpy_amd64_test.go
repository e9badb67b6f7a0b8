package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAxpyAsm checks the FMA axpy kernels against float64 arithmetic: each
// element may differ from the exact a*x+dst by one float32 rounding.
func TestAxpyAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(41, 42))
	for iter := range 300 {
		n := iter % 150
		a := float32(r.NormFloat64())
		dst := make([]float32, n+1)
		xf := make([]float32, n)
		xh := make([]uint16, n)
		for i := range n {
			dst[i] = float32(r.NormFloat64())
			xf[i] = float32(r.NormFloat64())
			xh[i] = x86RandF16(r)
		}
		dst[n] = 42
		for _, c := range []struct {
			name string
			run  func(d []float32)
			x    func(i int) float64
		}{
			{"F32", func(d []float32) { axpyF32Asm(d, a, xf) }, func(i int) float64 { return float64(xf[i]) }},
			{"F16", func(d []float32) { axpyF16Asm(d, a, xh) }, func(i int) float64 { return float64(x86F16(xh[i])) }},
		} {
			got := append([]float32(nil), dst...)
			c.run(got)
			for i := range n {
				want := float64(dst[i]) + float64(a)*c.x(i)
				if math.Abs(float64(got[i])-want) > math.Abs(want)*0x1p-23+1e-37 {
					t.Fatalf("%s n=%d [%d]: got %g, want %g", c.name, n, i, got[i], want)
				}
			}
			if got[n] != 42 {
				t.Fatalf("%s wrote past n", c.name)
			}
		}
	}
}
