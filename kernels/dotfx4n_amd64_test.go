package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotFx4nAsm checks the F16/BF16 tiles against the Ref dots of every
// (row, activation) pair, with odd lengths (tails), padded strides, nx 1..4.
func TestDotFx4nAsm(t *testing.T) {
	if !x86HasAVX512VL() {
		t.Skip("CPU lacks AVX-512 F/VL/BW")
	}
	r := rand.New(rand.NewPCG(71, 72))
	for _, c := range []struct {
		name string
		fn   func(n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int)
		ref  func(w, x []uint16) float32
		conv func(uint16) float32
		gen  func() uint16
	}{
		{"F16", dotF16x4nAsm, dotF16Ref, x86F16, func() uint16 { return x86RandF16(r) }},
		{"BF16", dotBF16x4nAsm, dotBF16Ref, bf16ToFP32, func() uint16 { return fp32ToBF16(float32(r.NormFloat64())) }},
	} {
		for iter := range 200 {
			n := iter*3 + iter%8
			nx := 1 + iter%4
			rowStride, xStride, outStride := n+r.IntN(9), n+r.IntN(9), 4+r.IntN(3)
			w := make([]uint16, 3*rowStride+n)
			x := make([]uint16, (nx-1)*xStride+n)
			for i := range w {
				w[i] = c.gen()
			}
			for i := range x {
				x[i] = c.gen()
			}
			out := make([]float32, nx*outStride+1)
			for i := range out {
				out[i] = 42
			}
			c.fn(n, w, rowStride, x, xStride, nx, out, outStride)
			for a := range nx {
				xa := x[a*xStride : a*xStride+n]
				for row := range 4 {
					wr := w[row*rowStride : row*rowStride+n]
					var mag float64
					for i := range wr {
						mag += math.Abs(float64(c.conv(wr[i]) * c.conv(xa[i])))
					}
					x86Check(t, c.name, float64(out[a*outStride+row]), float64(c.ref(wr, xa)), mag)
				}
				for i := a*outStride + 4; i < (a+1)*outStride; i++ {
					if out[i] != 42 {
						t.Fatalf("%s wrote out[%d] outside the tile", c.name, i)
					}
				}
			}
			if out[len(out)-1] != 42 {
				t.Fatalf("%s wrote past the tile", c.name)
			}
		}
	}
}
