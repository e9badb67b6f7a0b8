package kernels

import "encoding/binary"

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
	q, meta := dst[:nsb*3072], dst[nsb*3072:nsb*3360]
	if pack16Q6RFast != nil {
		pack16Q6RFast(nsb, w.Data[r*rb:(r+16)*rb], rb, q, meta)
		return
	}
	le := binary.LittleEndian
	for i := range 16 {
		row := w.Data[(r+i)*rb : (r+i+1)*rb]
		for b := range nsb {
			src := (*[q6KSize]byte)(row[b*q6KSize:])
			qb := (*[3072]byte)(q[b*3072:])
			mb := (*[288]byte)(meta[b*288:])
			le.PutUint16(mb[2*i:], le.Uint16(src[208:]))
			for u := range 8 {
				le.PutUint16(mb[32+32*u+2*i:], le.Uint16(src[192+2*u:]))
			}
			for g := range 48 {
				le.PutUint32(qb[q6KGroupOff[g]+4*i:], le.Uint32(src[4*g:]))
			}
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
