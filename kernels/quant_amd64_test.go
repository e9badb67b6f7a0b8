package kernels

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"
)

// x86QuantRow returns a random activation row of n floats with the hard
// cases mixed in: all-zero blocks, a block whose largest magnitude appears
// with both signs (the first one wins in Q8_K), tiny and huge values, and
// for Q8_K (q8K) a block of subnormals. (Q8_0/Q8_1 leave subnormal blocks
// out: there 127/amax overflows and the assembly, like ggml's AVX2 code,
// turns +Inf into -128 where the Go reference saturates to 127.)
func x86QuantRow(r *rand.Rand, n int, q8K bool) []float32 {
	x := make([]float32, n)
	scale := math.Pow(10, float64(r.IntN(12)-6))
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	switch r.IntN(5) {
	case 0:
		clear(x[:min(n, 32)])
	case 1:
		if n >= 64 {
			x[5], x[40] = 3.5, -3.5
			x[17] = -3.5
		}
	case 2:
		for i := range x {
			x[i] = float32(r.IntN(5)-2) * 0.5 // many ties at .5 steps
		}
	case 3:
		if n >= 256 && q8K { // a block of subnormals: -127/maxv overflows
			for i := range x[:256] {
				x[i] = float32(r.NormFloat64()) * 1e-39
			}
		}
	}
	return x
}

func TestQuantizeRowsAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(21, 22))
	for iter := range 300 {
		nk := iter % 9
		x := x86QuantRow(r, nk*256, false)
		xk := x86QuantRow(r, nk*256, true)
		n := len(x)
		for _, c := range []struct {
			name     string
			size     int
			blk      int
			asm, ref func(dst []byte, x []float32)
		}{
			{"Q8_0", 34, 32, quantizeRowQ8_0Asm, quantizeRowQ8_0Ref},
			{"Q8_1", 36, 32, quantizeRowQ8_1Asm, quantizeRowQ8_1Ref},
			{"Q8_K", 292, 256, quantizeRowQ8_KAsm, quantizeRowQ8_KRef},
		} {
			got := make([]byte, n/c.blk*c.size+3)
			want := make([]byte, len(got))
			for i := range got {
				got[i], want[i] = 0xAA, 0xAA
			}
			in := x
			if c.name == "Q8_K" {
				in = xk
			}
			c.asm(got, in)
			c.ref(want, in)
			if !bytes.Equal(got, want) {
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s n=%d: byte %d (block %d offset %d) = %#x, want %#x", c.name, n, i, i/c.size, i%c.size, got[i], want[i])
					}
				}
			}
		}
	}
}
