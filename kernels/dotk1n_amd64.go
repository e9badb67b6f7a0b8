package kernels

// K-quant row-by-batch kernels (dotk1n_amd64.s): one weight row against up
// to four Q8_K activation rows, exposed with the four-row (x4) and 4 x nx
// tile (x4n) signatures of the dispatch table; see /work/brief/ASM-NOTES.md.

//go:noescape
func dotQ4_K1nAVX2(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ6_K1nAVX2(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ4_K1nVNNI(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ6_K1nVNNI(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ5_K1nAVX2(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ5_K1nVNNI(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

type x86K1nKernel func(nb int, w *byte, x *byte, xRowBytes, nx int, out *float32, outStride int)

// x86RunK4n computes a 4 x nx tile with four calls of a one-row kernel.
func x86RunK4n(k x86K1nKernel, wBytes, n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	if nx < 1 || nx > 4 {
		panic("kernels: dot x4n: nx out of [1, 4]")
	}
	_ = out[(nx-1)*outStride+3]
	nb := n / 256
	if nb <= 0 {
		for a := range nx {
			clear(out[a*outStride : a*outStride+4])
		}
		return
	}
	if rowBytes < nb*wBytes || xRowBytes < nb*x86Q8KBytes {
		panic("kernels: dot x4n: row stride shorter than a row")
	}
	_ = w[3*rowBytes+nb*wBytes-1]
	_ = x[(nx-1)*xRowBytes+nb*x86Q8KBytes-1]
	for r := range 4 {
		k(nb, &w[r*rowBytes], &x[0], xRowBytes, nx, &out[r], outStride)
	}
}

func dotQ4_Kx4nAsm(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ4_K1nAVX2, x86Q4KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ6_Kx4nAsm(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ6_K1nAVX2, x86Q6KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ4_Kx4nAsmVNNI(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ4_K1nVNNI, x86Q4KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ6_Kx4nAsmVNNI(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ6_K1nVNNI, x86Q6KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ5_Kx4nAsm(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ5_K1nAVX2, x86Q5KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ5_Kx4nAsmVNNI(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunK4n(dotQ5_K1nVNNI, x86Q5KBytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ4_Kx4Asm(n int, w []byte, rowBytes int, x []byte, out []float32) {
	x86RunK4n(dotQ4_K1nAVX2, x86Q4KBytes, n, w, rowBytes, x, len(x), 1, out, 4)
}

func dotQ6_Kx4Asm(n int, w []byte, rowBytes int, x []byte, out []float32) {
	x86RunK4n(dotQ6_K1nAVX2, x86Q6KBytes, n, w, rowBytes, x, len(x), 1, out, 4)
}
