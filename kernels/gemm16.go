package kernels

import (
	"encoding/binary"

	"github.com/amulet-llm/amulet/gguf"
)

// Packed 16-row tiles for Q8_0/Q4_0 prefill: the 8-row tiles of gemm8.go
// widened to one 512-bit register per group, for CPUs that run two 512-bit
// VPDPBUSD per cycle (twice the multiplies of two 256-bit ones). Per block
// of 32 columns, pack16BlockBytes:
//
//	[0:64)     the sixteen rows' block scales as float32
//	[64:576)   eight groups of 64 bytes: columns 4g..4g+3 of rows 0..15
//	           (4 bytes per row), unsigned as in gemm8.go
//
// i.e. two 8-row tiles interleaved: rows 0..7 in the first half of every
// 32-byte-aligned piece of 64, rows 8..15 in the second.
const pack16BlockBytes = 64 + 8*64

// The 16-row kernels (operands as gemm8x8/gemm8x1, out gets 16 floats per
// activation row) and half-tile packers (rows w[0:], ... w[7*rowBytes:]
// into dst as one half of a 16-row tile: scales at dst[0:32], groups at
// dst[64+64g:]); nil where the CPU has none (set in dispatch_amd64.go).
var (
	gemm16x8, gemm16x1       func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	pack16hQ8_0, pack16hQ4_0 func(nb int, w []byte, rowBytes int, dst []byte)
)

// pack16 writes rows [r, r+16) of w (Q8_0 or Q4_0, rb bytes per row) to
// dst as a packed 16-row tile.
func pack16(dst []byte, w Matrix, rb, r int) {
	nb := w.Cols / 32
	half := pack16hQ8_0
	if w.Type == gguf.TypeQ4_0 {
		half = pack16hQ4_0
	}
	dst = dst[:nb*pack16BlockBytes]
	half(nb, w.Data[r*rb:(r+8)*rb], rb, dst)
	half(nb, w.Data[(r+8)*rb:(r+16)*rb], rb, dst[32:])
}

// Q4_K in 16-row tiles: per 32-column sub-block, pack16KBlockBytes =
// 64 bytes of d*scale (16 rows, float32), 64 of dmin*min, then eight
// groups of 64 bytes (columns 4g..4g+3 of rows 0..15, nibbles as bytes).
const pack16KBlockBytes = 128 + 8*64

// The 16-row Q4_K kernels (operands as gemm8Kx8/gemm8Kx1) and half-tile
// quant packer (eight rows of nsb super-blocks into one half of a 16-row
// tile: groups at dst[(8s+j)*640+128+64g:]); nil where the CPU has none.
var (
	gemm16Kx8, gemm16Kx1 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	pack16hQ4_KQuants    func(nsb int, w []byte, rowBytes int, dst []byte)
)

// pack16Q4_K writes rows [r, r+16) of the Q4_K matrix w (rb bytes per row)
// to dst as a packed 16-row tile.
func pack16Q4_K(dst []byte, w Matrix, rb, r int) {
	nsb := w.Cols / qkK
	dst = dst[:8*nsb*pack16KBlockBytes]
	f := float32s(dst)
	const fs = pack16KBlockBytes / 4
	for i := range 16 {
		row := w.Data[(r+i)*rb : (r+i+1)*rb]
		for s := range nsb {
			blk := row[s*q4KSize : (s+1)*q4KSize]
			d := f16Table[binary.LittleEndian.Uint16(blk)]
			dmin := f16Table[binary.LittleEndian.Uint16(blk[2:])]
			q := (*[12]byte)(blk[4:16])
			o := f[8*s*fs : 8*(s+1)*fs]
			for j := range 4 {
				o[j*fs+i] = d * float32(q[j]&63)
				o[j*fs+16+i] = dmin * float32(q[j+4]&63)
				o[(j+4)*fs+i] = d * float32(q[j+8]&0x0f|(q[j]>>6)<<4)
				o[(j+4)*fs+16+i] = dmin * float32(q[j+8]>>4|(q[j+4]>>6)<<4)
			}
		}
	}
	pack16hQ4_KQuants(nsb, w.Data[r*rb:(r+8)*rb], rb, dst)
	pack16hQ4_KQuants(nsb, w.Data[(r+8)*rb:(r+16)*rb], rb, dst[32:])
}
