package kernels

// Four-row by n-activation tiles (dotx4n_amd64.s) for MatMul with a batch:
// see /work/brief/ASM-NOTES.md for the contract.

//go:noescape
func dotQ8_0x4nAVX2(nb int, w *byte, rowBytes int, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ8_0x4nVNNI(nb int, w *byte, rowBytes int, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ4_0x4nAVX2(nb int, w *byte, rowBytes int, x *byte, xRowBytes, nx int, out *float32, outStride int)

//go:noescape
func dotQ4_0x4nVNNI(nb int, w *byte, rowBytes int, x *byte, xRowBytes, nx int, out *float32, outStride int)

// x86Tile4n checks the operands of a 4 x nx tile (1 <= nx <= 4) and returns
// the block count; it panics like an index expression on short slices.
func x86Tile4n(n, wBytes int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) int {
	if nx < 1 || nx > 4 {
		panic("kernels: dot x4n: nx out of [1, 4]")
	}
	_ = out[(nx-1)*outStride+3]
	nb := n / 32
	if nb <= 0 {
		return 0
	}
	if rowBytes < nb*wBytes || xRowBytes < nb*x86Q8_0Bytes {
		panic("kernels: dot x4n: row stride shorter than a row")
	}
	_ = w[3*rowBytes+nb*wBytes-1]
	_ = x[(nx-1)*xRowBytes+nb*x86Q8_0Bytes-1]
	return nb
}

type x86Tile4nKernel func(nb int, w *byte, rowBytes int, x *byte, xRowBytes, nx int, out *float32, outStride int)

func x86RunTile4n(k x86Tile4nKernel, wBytes, n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	nb := x86Tile4n(n, wBytes, w, rowBytes, x, xRowBytes, nx, out, outStride)
	if nb == 0 {
		for a := range nx {
			clear(out[a*outStride : a*outStride+4])
		}
		return
	}
	k(nb, &w[0], rowBytes, &x[0], xRowBytes, nx, &out[0], outStride)
}

func dotQ8_0x4nAsm(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunTile4n(dotQ8_0x4nAVX2, x86Q8_0Bytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ8_0x4nAsmVNNI(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunTile4n(dotQ8_0x4nVNNI, x86Q8_0Bytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ4_0x4nAsm(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunTile4n(dotQ4_0x4nAVX2, x86Q4_0Bytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}

func dotQ4_0x4nAsmVNNI(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int) {
	x86RunTile4n(dotQ4_0x4nVNNI, x86Q4_0Bytes, n, w, rowBytes, x, xRowBytes, nx, out, outStride)
}
