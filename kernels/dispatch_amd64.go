package kernels

// init replaces entries of the dispatch table (dispatch.go) with assembly
// versions the CPU supports: AVX2+FMA+F16C forms of every dot, axpy and
// activation quantizer; where AVX-512 F/VL/BW is present the F16/BF16 tiles;
// where AVX-512 VNNI is present the 256-bit VPDPBUSD forms of the Q8_0/Q4_0
// dots and tiles and the VPDPWSSD forms of the Q4_K/Q5_K/Q6_K dots and tiles. Entries
// without an assembly version keep their Go implementation. This runs once,
// before any other use.
func init() {
	if !x86HasAVX2() {
		return
	}
	dotF32 = dotF32Asm
	dotF16 = dotF16Asm
	dotBF16 = dotBF16Asm
	dotQ8_0 = dotQ8_0Asm
	dotQ4_0 = dotQ4_0Asm
	dotQ4_K = dotQ4_KAsm
	dotQ6_K = dotQ6_KAsm
	dotQ5_K = dotQ5_KAsm
	dotQ2_K = dotQ2_KAsm
	dotQ3_K = dotQ3_KAsm
	dotQ4_1 = dotQ4_1Asm
	dotQ5_0 = dotQ5_0Asm
	dotQ5_1 = dotQ5_1Asm
	axpyF32 = axpyF32Asm
	axpyF16 = axpyF16Asm
	axpyF16Rows = axpyF16RowsAsm
	swiglu = swigluAsm
	expSub = expSubAsm
	quantizeRowQ8_0 = quantizeRowQ8_0Asm
	quantizeRowQ8_1 = quantizeRowQ8_1Asm
	quantizeRowQ8_K = quantizeRowQ8_KAsm
	dotQ8_0x4 = dotQ8_0x4Asm
	dotQ4_0x4 = dotQ4_0x4Asm
	dotQ8_0x4n = dotQ8_0x4nAsm
	dotQ4_0x4n = dotQ4_0x4nAsm
	dotQ4_Kx4n = dotQ4_Kx4nAsm
	dotQ6_Kx4n = dotQ6_Kx4nAsm
	dotQ5_Kx4n = dotQ5_Kx4nAsm
	pack8Q8_0 = pack8Q8_0Asm
	pack8Q4_0 = pack8Q4_0Asm
	pack8Q4_KQuants = pack8Q4_KQuantsAsm
	pack16hQ8_0 = pack16hQ8_0Asm
	pack16hQ4_0 = pack16hQ4_0Asm
	pack16hQ4_KQuants = pack16hQ4_KQuantsAsm
	if x86HasAVX512VL() {
		dotF16x4n = dotF16x4nAsm
		dotBF16x4n = dotBF16x4nAsm
		gemmF16T12 = gemmF16T12Asm
		gemmF16T4 = gemmF16T4Asm
		dotF16x4VD = dotF16x4VDAsm
		cvtF16F32 = cvtF16F32Asm
	}
	if x86HasVNNI() {
		dotQ8_0 = dotQ8_0AsmVNNI
		dotQ4_0 = dotQ4_0AsmVNNI
		dotQ4_K = dotQ4_KAsmVNNI
		dotQ6_K = dotQ6_KAsmVNNI
		dotQ4_Kx4n = dotQ4_Kx4nAsmVNNI
		dotQ6_Kx4n = dotQ6_Kx4nAsmVNNI
		dotQ5_K = dotQ5_KAsmVNNI
		dotQ5_Kx4n = dotQ5_Kx4nAsmVNNI
		dotQ8_0x4 = dotQ8_0x4AsmVNNI
		dotQ4_0x4 = dotQ4_0x4AsmVNNI
		dotQ8_0x4n = dotQ8_0x4nAsmVNNI
		dotQ4_0x4n = dotQ4_0x4nAsmVNNI
		gemm8x8 = gemm8x8Asm
		gemm8x4 = gemm8x4Asm
		gemm8x1 = gemm8x1Asm
		gemm8Kx8 = gemm8Kx8Asm
		gemm8Kx1 = gemm8Kx1Asm
		gemm16x8 = gemm16x8Asm
		gemm16x1 = gemm16x1Asm
		gemm16Kx8 = gemm16Kx8Asm
		gemm16Kx1 = gemm16Kx1Asm
		setPackedKernels(&packedQ8_0, x86Q8_0Bytes, packedQ8_0x1VNNI, packedQ8_0x2VNNI, packedQ8_0x8VNNI)
		setPackedKernels(&packedQ4_0, x86Q8_0Bytes, packedQ4_0x1VNNI, packedQ4_0x2VNNI, packedQ4_0x8VNNI)
		setPackedKernels(&packedQ4_K, q8KSize, packedQ4_Kx1VNNI, packedQ4_Kx2VNNI, packedQ4_Kx4VNNI)
	}
}

// Four-row dots (see /work/brief/ASM-NOTES.md): out[r] = dot of n elements
// of row r (w[r*rowBytes:]) with the Q8_0 activation row x, for r = 0..3.
// nil where the CPU has no version (callers fall back to the one-row dot).
var (
	dotQ8_0x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ4_0x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
)

// Four-row by nx-activation tiles (see /work/brief/ASM-NOTES.md):
// out[a*outStride+r] = dot of n elements of row r (w[r*rowBytes:]) with
// activation row a (x[a*xRowBytes:], Q8_0), r = 0..3, a = 0..nx-1,
// 1 <= nx <= 4; x is Q8_0 for Q8_0/Q4_0 and Q8_K for Q4_K/Q6_K. They pay
// for nx >= 2 (batches); for one activation row use the x4 or one-row dots.
// nil where the CPU has no version.
var (
	dotQ8_0x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ4_0x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ4_Kx4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ6_Kx4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
)
