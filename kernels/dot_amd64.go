package kernels

// Assembly kernels for amd64 and the Go wrappers that give them the
// dispatch-table signatures (see dispatch_amd64.go). The wrappers check the
// slice lengths once, so the assembly never reads out of bounds.

const (
	x86Q8_0Bytes = 34  // Q8_0 block: f16 d, int8 qs[32]
	x86Q4_0Bytes = 18  // Q4_0 block: f16 d, u8 qs[16]
	x86Q4KBytes  = 144 // Q4_K block: f16 d, f16 dmin, u8 scales[12], u8 qs[128]
	x86Q6KBytes  = 210 // Q6_K block: u8 ql[128], u8 qh[64], int8 scales[16], f16 d
	x86Q8KBytes  = 292 // Q8_K block: f32 d, int8 qs[256], int16 bsums[16]
	x86Q5KBytes  = 176 // Q5_K block: f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
	x86Q2KBytes  = 84  // Q2_K block: u8 scales[16], u8 qs[64], f16 d, f16 dmin
	x86Q3KBytes  = 110 // Q3_K block: u8 hmask[32], u8 qs[64], u8 scales[12], f16 d
	x86Q4_1Bytes = 20  // Q4_1 block: f16 d, f16 m, u8 qs[16]
	x86Q5_0Bytes = 22  // Q5_0 block: f16 d, u8 qh[4], u8 qs[16]
	x86Q5_1Bytes = 24  // Q5_1 block: f16 d, f16 m, u8 qh[4], u8 qs[16]
	x86Q8_1Bytes = 36  // Q8_1 block: f16 d, f16 s, int8 qs[32]
)

//go:noescape
func dotF32AVX2(n int, w, x *float32) float32

//go:noescape
func dotF16AVX2(n int, w, x *uint16) float32

//go:noescape
func dotBF16AVX2(n int, w, x *uint16) float32

//go:noescape
func dotQ8_0AVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ8_0VNNI(nb int, w, x *byte) float32

//go:noescape
func dotQ4_0AVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ4_0VNNI(nb int, w, x *byte) float32

//go:noescape
func dotQ4_KAVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ6_KAVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ4_KVNNI(nb int, w, x *byte) float32

//go:noescape
func dotQ6_KVNNI(nb int, w, x *byte) float32

//go:noescape
func dotQ5_KAVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ5_KVNNI(nb int, w, x *byte) float32

//go:noescape
func dotQ2_KAVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ3_KAVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ4_1AVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ5_0AVX2(nb int, w, x *byte) float32

//go:noescape
func dotQ5_1AVX2(nb int, w, x *byte) float32

// dotF32Asm is dotF32 with AVX2+FMA over min(len(w), len(x)) elements.
func dotF32Asm(w, x []float32) float32 {
	n := min(len(w), len(x))
	if n == 0 {
		return 0
	}
	return dotF32AVX2(n, &w[0], &x[0])
}

// dotF16Asm is dotF16 with F16C+FMA over min(len(w), len(x)) elements.
func dotF16Asm(w, x []uint16) float32 {
	n := min(len(w), len(x))
	if n == 0 {
		return 0
	}
	return dotF16AVX2(n, &w[0], &x[0])
}

// dotBF16Asm is dotBF16 with AVX2+FMA over min(len(w), len(x)) elements.
func dotBF16Asm(w, x []uint16) float32 {
	n := min(len(w), len(x))
	if n == 0 {
		return 0
	}
	return dotBF16AVX2(n, &w[0], &x[0])
}

// x86Blocks returns how many whole blocks of n elements (blockLen each) both w
// and x hold, panicking like a slice index would when they are too short.
func x86Blocks(n, blockLen, wBytes, xBytes int, w, x []byte) int {
	nb := n / blockLen
	if nb <= 0 {
		return 0
	}
	_ = w[nb*wBytes-1]
	_ = x[nb*xBytes-1]
	return nb
}

func dotQ8_0Asm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q8_0Bytes, x86Q8_0Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ8_0AVX2(nb, &w[0], &x[0])
}

func dotQ8_0AsmVNNI(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q8_0Bytes, x86Q8_0Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ8_0VNNI(nb, &w[0], &x[0])
}

func dotQ4_0Asm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q4_0Bytes, x86Q8_0Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ4_0AVX2(nb, &w[0], &x[0])
}

func dotQ4_0AsmVNNI(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q4_0Bytes, x86Q8_0Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ4_0VNNI(nb, &w[0], &x[0])
}

func dotQ4_KAsm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q4KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ4_KAVX2(nb, &w[0], &x[0])
}

func dotQ6_KAsm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q6KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ6_KAVX2(nb, &w[0], &x[0])
}

func dotQ5_KAsm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q5KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ5_KAVX2(nb, &w[0], &x[0])
}

func dotQ4_1Asm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q4_1Bytes, x86Q8_1Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ4_1AVX2(nb, &w[0], &x[0])
}

func dotQ5_0Asm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q5_0Bytes, x86Q8_0Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ5_0AVX2(nb, &w[0], &x[0])
}

func dotQ5_1Asm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 32, x86Q5_1Bytes, x86Q8_1Bytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ5_1AVX2(nb, &w[0], &x[0])
}

func dotQ2_KAsm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q2KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ2_KAVX2(nb, &w[0], &x[0])
}

func dotQ3_KAsm(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q3KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ3_KAVX2(nb, &w[0], &x[0])
}

func dotQ4_KAsmVNNI(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q4KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ4_KVNNI(nb, &w[0], &x[0])
}

func dotQ6_KAsmVNNI(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q6KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ6_KVNNI(nb, &w[0], &x[0])
}

func dotQ5_KAsmVNNI(n int, w, x []byte) float32 {
	nb := x86Blocks(n, 256, x86Q5KBytes, x86Q8KBytes, w, x)
	if nb == 0 {
		return 0
	}
	return dotQ5_KVNNI(nb, &w[0], &x[0])
}
