package kernels

// Activation quantizers in assembly (quant_amd64.s), wrapped to the
// dispatch-table signatures; len(x) is a multiple of the block size.

//go:noescape
func quantizeQ8_0AVX2(nb int, dst *byte, x *float32)

//go:noescape
func quantizeQ8_1AVX2(nb int, dst *byte, x *float32)

//go:noescape
func quantizeQ8_KAVX2(nb int, dst *byte, x *float32)

func quantizeRowQ8_0Asm(dst []byte, x []float32) {
	nb := len(x) / 32
	if nb == 0 {
		return
	}
	_ = dst[nb*x86Q8_0Bytes-1]
	quantizeQ8_0AVX2(nb, &dst[0], &x[0])
}

func quantizeRowQ8_1Asm(dst []byte, x []float32) {
	nb := len(x) / 32
	if nb == 0 {
		return
	}
	_ = dst[nb*x86Q8_1Bytes-1]
	quantizeQ8_1AVX2(nb, &dst[0], &x[0])
}

func quantizeRowQ8_KAsm(dst []byte, x []float32) {
	nb := len(x) / 256
	if nb == 0 {
		return
	}
	_ = dst[nb*x86Q8KBytes-1]
	quantizeQ8_KAVX2(nb, &dst[0], &x[0])
}
