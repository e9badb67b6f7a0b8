package kernels

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDotK4nAsm checks the K-quant 4 x nx tiles (and their x4 forms) against
// the Ref dot of every (row, activation) pair.
func TestDotK4nAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(61, 62))
	for _, c := range []struct {
		name   string
		x4n    func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
		x4     func(n int, w []byte, rowBytes int, x []byte, out []float32)
		wBytes int
		ref    func(n int, w, x []byte) float32
		mine   func(n int, w, x []byte) (float64, float64)
		f16At  []int
	}{
		{"Q4_K", dotQ4_Kx4nAsm, dotQ4_Kx4Asm, 144, dotQ4_KRef, x86RefQ4_K, []int{0, 2}},
		{"Q6_K", dotQ6_Kx4nAsm, dotQ6_Kx4Asm, 210, dotQ6_KRef, x86RefQ6_K, []int{208}},
		{"Q5_K", dotQ5_Kx4nAsm, dotQ4_Kx4Asm, 176, dotQ5_KRef, x86RefQ5_K, []int{0, 2}},
		{"Q5_K/VNNI", dotQ5_Kx4nAsmVNNI, dotQ4_Kx4Asm, 176, dotQ5_KRef, x86RefQ5_K, []int{0, 2}},
		{"Q4_K/VNNI", dotQ4_Kx4nAsmVNNI, dotQ4_Kx4Asm, 144, dotQ4_KRef, x86RefQ4_K, []int{0, 2}},
		{"Q6_K/VNNI", dotQ6_Kx4nAsmVNNI, dotQ6_Kx4Asm, 210, dotQ6_KRef, x86RefQ6_K, []int{208}},
	} {
		if strings.HasSuffix(c.name, "VNNI") && !x86HasVNNI() {
			continue
		}
		for iter := range 120 {
			nb := iter % 9
			nx := 1 + iter%4
			rowBytes := nb*c.wBytes + r.IntN(2)*c.wBytes
			xRowBytes := nb*292 + r.IntN(2)*292
			outStride := 4 + r.IntN(3)
			w := make([]byte, 3*rowBytes+nb*c.wBytes)
			for row := range 4 {
				copy(w[row*rowBytes:], x86GenK(r, nb, c.wBytes, c.f16At))
			}
			x := make([]byte, (nx-1)*xRowBytes+nb*292)
			for a := range nx {
				copy(x[a*xRowBytes:], x86GenQ8_K(r, nb))
			}
			out := make([]float32, nx*outStride+1)
			for i := range out {
				out[i] = 42
			}
			c.x4n(nb*256, w, rowBytes, x, xRowBytes, nx, out, outStride)
			out4 := []float32{0, 0, 0, 0, 42}
			c.x4(nb*256, w, rowBytes, x, out4)
			for a := range nx {
				xa := x[a*xRowBytes : a*xRowBytes+nb*292]
				for row := range 4 {
					wr := w[row*rowBytes : row*rowBytes+nb*c.wBytes]
					_, mag := c.mine(nb*256, wr, xa)
					want := float64(c.ref(nb*256, wr, xa))
					x86Check(t, c.name+" x4n", float64(out[a*outStride+row]), want, mag)
					if a == 0 && !strings.HasPrefix(c.name, "Q5_K") {
						x86Check(t, c.name+" x4", float64(out4[row]), want, mag)
					}
				}
				for i := a*outStride + 4; i < (a+1)*outStride; i++ {
					if out[i] != 42 {
						t.Fatalf("%s wrote out[%d] outside the tile", c.name, i)
					}
				}
			}
			if out[len(out)-1] != 42 || out4[4] != 42 {
				t.Fatalf("%s wrote past the tile", c.name)
			}
		}
	}
}
