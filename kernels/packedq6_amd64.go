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
