package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestDotX4nAsm checks the 4 x nx tile kernels against the Ref dot of every
// (row, activation) pair, with padded strides and odd block counts, and that
// nothing outside the tile's outputs is written.
func TestDotX4nAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(51, 52))
	type kernel func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	cases := []struct {
		name   string
		fn     kernel
		ok     bool
		wBytes int
		ref    func(n int, w, x []byte) float32
		mine   func(n int, w, x []byte) (float64, float64)
		gen    func(nb int) []byte
	}{
		{"Q8_0/AVX2", dotQ8_0x4nAsm, true, 34, dotQ8_0Ref, x86RefQ8_0, func(nb int) []byte { return x86GenQ8_0(r, nb, false) }},
		{"Q8_0/VNNI", dotQ8_0x4nAsmVNNI, x86HasVNNI(), 34, dotQ8_0Ref, x86RefQ8_0, func(nb int) []byte { return x86GenQ8_0(r, nb, false) }},
		{"Q4_0/AVX2", dotQ4_0x4nAsm, true, 18, dotQ4_0Ref, x86RefQ4_0, func(nb int) []byte { return x86GenQ4_0(r, nb) }},
		{"Q4_0/VNNI", dotQ4_0x4nAsmVNNI, x86HasVNNI(), 18, dotQ4_0Ref, x86RefQ4_0, func(nb int) []byte { return x86GenQ4_0(r, nb) }},
	}
	for _, c := range cases {
		if !c.ok {
			t.Logf("%s: CPU lacks the features, skipped", c.name)
			continue
		}
		for iter := range 200 {
			nb := iter % 43
			nx := 1 + iter%4
			rowBytes := nb*c.wBytes + r.IntN(3)*c.wBytes
			xRowBytes := nb*34 + r.IntN(3)*34
			outStride := 4 + r.IntN(3)
			w := make([]byte, 3*rowBytes+nb*c.wBytes)
			for row := range 4 {
				copy(w[row*rowBytes:], c.gen(nb))
			}
			x := make([]byte, (nx-1)*xRowBytes+nb*34)
			for a := range nx {
				copy(x[a*xRowBytes:], x86GenQ8_0(r, nb, true))
			}
			out := make([]float32, nx*outStride+1)
			for i := range out {
				out[i] = 42
			}
			c.fn(nb*32, w, rowBytes, x, xRowBytes, nx, out, outStride)
			for a := range nx {
				xa := x[a*xRowBytes : a*xRowBytes+nb*34]
				for row := range 4 {
					wr := w[row*rowBytes : row*rowBytes+nb*c.wBytes]
					_, mag := c.mine(nb*32, wr, xa)
					x86Check(t, c.name, float64(out[a*outStride+row]), float64(c.ref(nb*32, wr, xa)), mag)
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

// TestDispatchX4n checks the dispatched tile entries against the Ref dots.
func TestDispatchX4n(t *testing.T) {
	r := rand.New(rand.NewPCG(53, 54))
	for _, c := range []struct {
		name   string
		fn     func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
		wBytes int
		ref    func(n int, w, x []byte) float32
		mine   func(n int, w, x []byte) (float64, float64)
		gen    func(nb int) []byte
	}{
		{"Q8_0", dotQ8_0x4n, 34, dotQ8_0Ref, x86RefQ8_0, func(nb int) []byte { return x86GenQ8_0(r, nb, false) }},
		{"Q4_0", dotQ4_0x4n, 18, dotQ4_0Ref, x86RefQ4_0, func(nb int) []byte { return x86GenQ4_0(r, nb) }},
	} {
		if c.fn == nil {
			t.Logf("%s: no tile kernel on this CPU", c.name)
			continue
		}
		const nb, nx = 9, 3
		w := make([]byte, 4*nb*c.wBytes)
		for row := range 4 {
			copy(w[row*nb*c.wBytes:], c.gen(nb))
		}
		x := make([]byte, nx*nb*34)
		for a := range nx {
			copy(x[a*nb*34:], x86GenQ8_0(r, nb, true))
		}
		out := make([]float32, nx*4)
		c.fn(nb*32, w, nb*c.wBytes, x, nb*34, nx, out, 4)
		for a := range nx {
			for row := range 4 {
				wr, xa := w[row*nb*c.wBytes:(row+1)*nb*c.wBytes], x[a*nb*34:(a+1)*nb*34]
				_, mag := c.mine(nb*32, wr, xa)
				x86Check(t, c.name, float64(out[a*4+row]), float64(c.ref(nb*32, wr, xa)), mag)
			}
		}
	}
}

// TestDispatchK4n checks the dispatched K-quant tile entries against Ref.
func TestDispatchK4n(t *testing.T) {
	r := rand.New(rand.NewPCG(55, 56))
	for _, c := range []struct {
		name   string
		fn     func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
		wBytes int
		ref    func(n int, w, x []byte) float32
		mine   func(n int, w, x []byte) (float64, float64)
		f16At  []int
	}{
		{"Q4_K", dotQ4_Kx4n, 144, dotQ4_KRef, x86RefQ4_K, []int{0, 2}},
		{"Q6_K", dotQ6_Kx4n, 210, dotQ6_KRef, x86RefQ6_K, []int{208}},
	} {
		if c.fn == nil {
			t.Logf("%s: no tile kernel on this CPU", c.name)
			continue
		}
		const nb, nx = 3, 2
		w := make([]byte, 4*nb*c.wBytes)
		for row := range 4 {
			copy(w[row*nb*c.wBytes:], x86GenK(r, nb, c.wBytes, c.f16At))
		}
		x := make([]byte, nx*nb*292)
		for a := range nx {
			copy(x[a*nb*292:], x86GenQ8_K(r, nb))
		}
		out := make([]float32, nx*4)
		c.fn(nb*256, w, nb*c.wBytes, x, nb*292, nx, out, 4)
		for a := range nx {
			for row := range 4 {
				wr, xa := w[row*nb*c.wBytes:(row+1)*nb*c.wBytes], x[a*nb*292:(a+1)*nb*292]
				_, mag := c.mine(nb*256, wr, xa)
				x86Check(t, c.name, float64(out[a*4+row]), float64(c.ref(nb*256, wr, xa)), mag)
			}
		}
	}
}
