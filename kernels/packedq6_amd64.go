package kernels

//go:generate go run packedq6_gen.go

//go:noescape
func packedQ6_Kx1VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func packedQ6_Kx2VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func packedQ6_Kx4VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func packedQ6_Kx8VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

func init() { setPackedQ6_KWide(8) }

// setPackedQ6_KWide sets the repacked Q6_K kernels with `wide` (4 or 8)
// activation rows per call for the widest one (8: the unpacking of the
// quants is shared by more rows; 4 is kept for comparison).
func setPackedQ6_KWide(wide int) {
	if !x86HasVNNI() {
		return
	}
	kw := packedQ6_Kx8VNNI
	if wide == 4 {
		kw = packedQ6_Kx4VNNI
	}
	packedQ6_K.wide = wide
	setPackedKernels(&packedQ6_K, q8KSize, packedQ6_Kx1VNNI, packedQ6_Kx2VNNI, kw)
}

func init() {
	if x86HasVNNI() {
		gemm16Q6Rx8, gemm16Q6Rx1 = gemm16Q6RAsm(8, packedQ6_Kx8VNNI), gemm16Q6RAsm(1, packedQ6_Kx1VNNI)
	}
}

// gemm16Q6RAsm wraps the repacked Q6_K kernel k (nx activation rows) for a
// tile packed per call (pack16Q6R), behind the bounds checks it relies on.
func gemm16Q6RAsm(nx int, k func(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)) gemm8Kernel {
	return func(nb int, w, x []byte, xStride int, _ []uint32, _ int, out []float32, outStride int) {
		_ = out[(nx-1)*outStride+15]
		nsb := nb / 8
		if nsb <= 0 {
			for a := range nx {
				clear(out[a*outStride : a*outStride+16])
			}
			return
		}
		if nb%8 != 0 || xStride < nsb*q8KSize {
			panic("kernels: gemm16Q6R: bad column count or activation stride")
		}
		_ = w[nsb*3360-1]
		_ = x[(nx-1)*xStride+nsb*q8KSize-1]
		k(nsb, &w[0], &w[nsb*3072], &x[0], xStride, nil, 0, &out[0], outStride)
	}
}

//go:noescape
func pack16Q6RAVX512(nsb int, w *byte, rowBytes int, q *byte, meta *byte)

func init() {
	if x86HasVNNI() {
		pack16Q6RFast = pack16Q6RAsm
	}
}

func pack16Q6RAsm(nsb int, w []byte, rowBytes int, q, meta []byte) {
	if nsb <= 0 {
		return
	}
	if rowBytes < nsb*q6KSize || 15*rowBytes > 1<<31-1 {
		panic("kernels: pack16Q6R: bad row stride")
	}
	_ = w[15*rowBytes+nsb*q6KSize-1]
	_ = q[nsb*3072-1]
	_ = meta[nsb*288-1]
	pack16Q6RAVX512(nsb, &w[0], rowBytes, &q[0], &meta[0])
}
