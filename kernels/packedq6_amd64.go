package kernels

//go:generate go run packedq6_gen.go

//go:noescape
func packedQ6_Kx1VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func packedQ6_Kx2VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func packedQ6_Kx4VNNI(nb int, q, meta, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

func init() {
	if x86HasVNNI() {
		setPackedKernels(&packedQ6_K, q8KSize, packedQ6_Kx1VNNI, packedQ6_Kx2VNNI, packedQ6_Kx4VNNI)
	}
}
