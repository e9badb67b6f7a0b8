package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestDotX4Asm checks the four-row kernels against the Ref dot of each row,
// with row strides longer than a row (padding) and odd block counts.
func TestDotX4Asm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(31, 32))
	cases := []struct {
		name   string
		fn     func(n int, w []byte, rowBytes int, x []byte, out []float32)
		ok     bool
		wBytes int
		ref    func(n int, w, x []byte) float32
		mine   func(n int, w, x []byte) (float64, float64)
		gen    func(nb int) []byte
	}{
		{"Q8_0/AVX2", dotQ8_0x4Asm, true, 34, dotQ8_0Ref, x86RefQ8_0, func(nb int) []byte { return x86GenQ8_0(r, nb, false) }},
		{"Q8_0/VNNI", dotQ8_0x4AsmVNNI, x86HasVNNI(), 34, dotQ8_0Ref, x86RefQ8_0, func(nb int) []byte { return x86GenQ8_0(r, nb, false) }},
		{"Q4_0/AVX2", dotQ4_0x4Asm, true, 18, dotQ4_0Ref, x86RefQ4_0, func(nb int) []byte { return x86GenQ4_0(r, nb) }},
		{"Q4_0/VNNI", dotQ4_0x4AsmVNNI, x86HasVNNI(), 18, dotQ4_0Ref, x86RefQ4_0, func(nb int) []byte { return x86GenQ4_0(r, nb) }},
	}
	for _, c := range cases {
		if !c.ok {
			t.Logf("%s: CPU lacks the features, skipped", c.name)
			continue
		}
		for iter := range 200 {
			nb := iter % 45
			pad := r.IntN(3) * c.wBytes
			rowBytes := nb*c.wBytes + pad
			w := make([]byte, 3*rowBytes+nb*c.wBytes)
			for row := range 4 {
				copy(w[row*rowBytes:], c.gen(nb))
			}
			x := x86GenQ8_0(r, nb, true)
			out := []float32{-1, -1, -1, -1, 42}
			c.fn(nb*32, w, rowBytes, x, out)
			for row := range 4 {
				wr := w[row*rowBytes : row*rowBytes+nb*c.wBytes]
				_, mag := c.mine(nb*32, wr, x)
				x86Check(t, c.name, float64(out[row]), float64(c.ref(nb*32, wr, x)), mag)
			}
			if out[4] != 42 {
				t.Fatalf("%s wrote past out[3]", c.name)
			}
		}
	}
}
