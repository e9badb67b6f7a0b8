package kernels

// Q6_K prefill on weights that were not repacked at load: 16-row tiles in
// the repacked layout (packed.go: the quants in nsb*3072 bytes, then the
// scales in nsb*288), packed per call and multiplied by the repacked
// kernels, llama.cpp's arithmetic bit for bit (packedQ6_KRowRef).
const pack16Q6RBlockBytes = (3072 + 288) / 8 // per 32 columns

// gemm16Q6RMinBatch is the smallest batch that packs Q6_K tiles per call:
// below it the row dots are faster (2048x2048, 1 thread: the packing costs
// ~0.9 ms; packed vs dots b8 1.49 vs 1.38 ms, b16 1.81 vs 2.91 ms).
var gemm16Q6RMinBatch = 10

// The kernels over those tiles (nil where the CPU has none; set in
// packedq6_amd64.go), operands as the packed-tile kernels (gemm8.go) except
// that x holds the Q8_K rows and aux is not read.
var gemm16Q6Rx8, gemm16Q6Rx1 gemm8Kernel

// pack16Q6RFast is pack16Q6R's packer in assembly (nil where the CPU has
// none): rows w[0:], w[rowBytes:], ... w[15*rowBytes:] of nsb super-blocks
// to the quants q and scales meta of one tile.
var pack16Q6RFast func(nsb int, w []byte, rowBytes int, q, meta []byte)

// pack16Q6R writes rows [r, r+16) of the Q6_K matrix w (rb bytes per row)
// to dst as a tile in the repacked layout.
func pack16Q6R(dst []byte, w Matrix, rb, r int) {
	nsb := w.Cols / qkK
	packQ6_KTile(dst[:nsb*3072], dst[nsb*3072:nsb*3360], w.Data[r*rb:(r+16)*rb], rb, nsb)
}

// packQ6_KTile writes the 16 rows at rows[0:], rows[rb:], ... (nsb
// super-blocks each) as one repacked tile: quants to q, scales to meta. Repack
// and pack16Q6R both use it.
func packQ6_KTile(q, meta, rows []byte, rb, nsb int) {
	if pack16Q6RFast != nil {
		pack16Q6RFast(nsb, rows, rb, q, meta)
		return
	}
	for i := range 16 {
		for b := range nsb {
			repackQ6_KRow(q[b*3072:(b+1)*3072], meta[b*288:(b+1)*288], rows[i*rb+b*q6KSize:i*rb+(b+1)*q6KSize], i)
		}
	}
}

// q6KGroupOff[g] = 64*q6KGroup(g).
var q6KGroupOff = func() (t [48]int) {
	for g := range t {
		t[g] = 64 * q6KGroup(g)
	}
	return
}()
