package kernels

// Four-row dot products (dotx4_amd64.s): one activation row against four
// weight rows, for MatMul to call on groups of four rows. See
// /work/brief/ASM-NOTES.md for the contract.

//go:noescape
func dotQ8_0x4AVX2(nb int, w *byte, rowBytes int, x *byte, out *float32)

//go:noescape
func dotQ8_0x4VNNI(nb int, w *byte, rowBytes int, x *byte, out *float32)

//go:noescape
func dotQ4_0x4AVX2(nb int, w *byte, rowBytes int, x *byte, out *float32)

//go:noescape
func dotQ4_0x4VNNI(nb int, w *byte, rowBytes int, x *byte, out *float32)

// x86Rows4 checks that w holds four rows of rowBytes (the last needing
// only nb blocks), x nb activation blocks and out four floats, and returns nb.
func x86Rows4(n, wBytes int, w []byte, rowBytes int, x []byte, out []float32) int {
	nb := n / 32
	_ = out[3]
	if nb <= 0 {
		return 0
	}
	if rowBytes < nb*wBytes {
		panic("kernels: dot x4: row stride shorter than a row")
	}
	_ = w[3*rowBytes+nb*wBytes-1]
	_ = x[nb*x86Q8_0Bytes-1]
	return nb
}

func dotQ8_0x4Asm(n int, w []byte, rowBytes int, x []byte, out []float32) {
	if nb := x86Rows4(n, x86Q8_0Bytes, w, rowBytes, x, out); nb > 0 {
		dotQ8_0x4AVX2(nb, &w[0], rowBytes, &x[0], &out[0])
	} else {
		clear(out[:4])
	}
}

func dotQ8_0x4AsmVNNI(n int, w []byte, rowBytes int, x []byte, out []float32) {
	if nb := x86Rows4(n, x86Q8_0Bytes, w, rowBytes, x, out); nb > 0 {
		dotQ8_0x4VNNI(nb, &w[0], rowBytes, &x[0], &out[0])
	} else {
		clear(out[:4])
	}
}

func dotQ4_0x4Asm(n int, w []byte, rowBytes int, x []byte, out []float32) {
	if nb := x86Rows4(n, x86Q4_0Bytes, w, rowBytes, x, out); nb > 0 {
		dotQ4_0x4AVX2(nb, &w[0], rowBytes, &x[0], &out[0])
	} else {
		clear(out[:4])
	}
}

func dotQ4_0x4AsmVNNI(n int, w []byte, rowBytes int, x []byte, out []float32) {
	if nb := x86Rows4(n, x86Q4_0Bytes, w, rowBytes, x, out); nb > 0 {
		dotQ4_0x4VNNI(nb, &w[0], rowBytes, &x[0], &out[0])
	} else {
		clear(out[:4])
	}
}
