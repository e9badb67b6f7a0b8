package kernels

import (
	"encoding/binary"
	"math"
)

// Packed 8-row tiles for Q4_K weights (prefill); see gemm8.go for the idea.
// A Q4_K row is packed per 32-column sub-block, pack8KBlockBytes each:
//
//	[0:32)    d*scale of the sub-block for rows 0..7, float32
//	[32:64)   dmin*min of the sub-block for rows 0..7, float32
//	[64:320)  eight groups of 32 bytes: columns 4g..4g+3 of rows 0..7, the
//	          4-bit quants as bytes 0..15
//
// The activations are the Q8_K rows' quants copied to plain int8 rows
// (cols bytes each); gemm8KAux gives per sub-block the Q8_K scale dx and
// dx*sum(x) (for the minimum term), both float32. Row r's dot is then
// sum over sub-blocks of float(sum q*x) * (d*scale*dx) - (dmin*min) * dx*sum(x),
// which is ggml's Q4_K dot up to float32 rounding order.
const pack8KBlockBytes = 64 + 8*32

// The Q4_K packed-tile kernels and quant packer (nil where the CPU has
// none; set in dispatch_amd64.go). Kernel operands as gemm8x8/gemm8x1 with
// nb = sub-blocks, x plain int8 rows; the packer writes the quant groups of
// eight rows of nsb super-blocks (rowBytes apart) into a packed tile.
var (
	gemm8Kx8, gemm8Kx1 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	pack8Q4_KQuants    func(nsb int, w []byte, rowBytes int, dst []byte)
)

// pack8Q4_K writes rows [r, r+8) of the Q4_K matrix w (rb bytes per row)
// to dst as a packed tile.
func pack8Q4_K(dst []byte, w Matrix, rb, r int) {
	nsb := w.Cols / qkK
	dst = dst[:8*nsb*pack8KBlockBytes]
	f := float32s(dst) // 80 floats per sub-block: scales at 0..7, mins at 8..15
	const fs = pack8KBlockBytes / 4
	for i := range 8 {
		row := w.Data[(r+i)*rb : (r+i+1)*rb]
		for s := range nsb {
			blk := row[s*q4KSize : (s+1)*q4KSize]
			d := f16Table[binary.LittleEndian.Uint16(blk)]
			dmin := f16Table[binary.LittleEndian.Uint16(blk[2:])]
			q := (*[12]byte)(blk[4:16])
			o := f[8*s*fs : 8*(s+1)*fs]
			for j := range 4 {
				o[j*fs+i] = d * float32(q[j]&63)
				o[j*fs+8+i] = dmin * float32(q[j+4]&63)
				o[(j+4)*fs+i] = d * float32(q[j+8]&0x0f|(q[j]>>6)<<4)
				o[(j+4)*fs+8+i] = dmin * float32(q[j+8]>>4|(q[j+4]>>6)<<4)
			}
			if pack8Q4_KQuants == nil {
				for j := range 8 {
					out := dst[(8*s+j)*pack8KBlockBytes:]
					qs := blk[16+32*(j/2):]
					for g := range 8 {
						v := binary.LittleEndian.Uint32(qs[4*g:])
						if j%2 == 1 {
							v >>= 4
						}
						binary.LittleEndian.PutUint32(out[64+32*g+4*i:], v&0x0f0f0f0f)
					}
				}
			}
		}
	}
	if pack8Q4_KQuants != nil {
		pack8Q4_KQuants(nsb, w.Data[r*rb:(r+8)*rb], rb, dst)
	}
}

// gemm8KAux copies the quants of the Q8_K row x (nsb super-blocks) to the
// int8 row xk and writes aux[2j] = dx, aux[2j+1] = dx*sum(x over sub-block j)
// (float32 bits) for every 32-column sub-block j.
func gemm8KAux(aux []uint32, xk, x []byte, nsb int) {
	aux = aux[:16*nsb]
	for s := range nsb {
		blk := x[s*q8KSize : (s+1)*q8KSize]
		copy(xk[s*qkK:(s+1)*qkK], blk[4:4+qkK])
		d := math.Float32frombits(binary.LittleEndian.Uint32(blk))
		bs := blk[4+qkK:]
		for j := range 8 {
			sum := int32(int16(binary.LittleEndian.Uint16(bs[4*j:]))) + int32(int16(binary.LittleEndian.Uint16(bs[4*j+2:])))
			aux[2*(8*s+j)] = math.Float32bits(d)
			aux[2*(8*s+j)+1] = math.Float32bits(d * float32(sum))
		}
	}
}
