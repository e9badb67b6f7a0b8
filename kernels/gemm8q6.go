package kernels

import "encoding/binary"

// Packed 8-row tiles for Q6_K weights (prefill); see gemm8.go and gemm8k.go.
// A Q6_K row is packed per 32-column unit (two 16-column sub-blocks),
// pack8KBlockBytes each:
//
//	[0:32)    d*scale of the unit's first sub-block for rows 0..7, float32
//	[32:64)   d*scale of its second sub-block, float32
//	[64:320)  eight groups of 32 bytes (columns 4g..4g+3 of rows 0..7), the
//	          6-bit quants as bytes 0..63; groups 0..3 are the first
//	          sub-block, 4..7 the second
//
// The activations are plain int8 rows as for Q4_K; gemm8Q6Aux gives per
// unit {dx, -32*sum(x) of each sub-block} (the weights are quant - 32).
// Row r's dot is then sum over sub-blocks of float(sum q*x - 32*sum x) *
// (d*scale*dx), ggml's Q6_K dot up to float32 rounding order.

// gemm8Q6AuxPer is the aux entries per 32 columns of the Q6_K path.
const gemm8Q6AuxPer = 4

// The Q6_K packed-tile kernels and quant packer (nil where the CPU has
// none; set in dispatch_amd64.go), operands as for gemm8Kx8/gemm8Kx1 and
// pack8Q4_KQuants.
var (
	gemm8Q6x8, gemm8Q6x1 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	pack8Q6_KQuants      func(nsb int, w []byte, rowBytes int, dst []byte)
)

// pack8Q6_K writes rows [r, r+8) of the Q6_K matrix w (rb bytes per row)
// to dst as a packed tile.
func pack8Q6_K(dst []byte, w Matrix, rb, r int) {
	nsb := w.Cols / qkK
	dst = dst[:8*nsb*pack8KBlockBytes]
	f := float32s(dst)
	const fs = pack8KBlockBytes / 4
	for i := range 8 {
		row := w.Data[(r+i)*rb : (r+i+1)*rb]
		for s := range nsb {
			blk := row[s*q6KSize : (s+1)*q6KSize]
			d := f16Table[binary.LittleEndian.Uint16(blk[208:])]
			sc := (*[16]byte)(blk[192:208])
			o := f[8*s*fs : 8*(s+1)*fs]
			for u := range 8 {
				o[u*fs+i] = d * float32(int8(sc[2*u]))
				o[u*fs+8+i] = d * float32(int8(sc[2*u+1]))
			}
			if pack8Q6_KQuants == nil {
				for u := range 8 {
					h, c := u/4, u%4
					ql := blk[64*h+32*(c%2):]
					qh := blk[128+32*h:]
					out := dst[(8*s+u)*pack8KBlockBytes:]
					for g := range 8 {
						lo := binary.LittleEndian.Uint32(ql[4*g:])
						if c >= 2 {
							lo >>= 4
						}
						hi := binary.LittleEndian.Uint32(qh[4*g:]) >> (2 * c)
						binary.LittleEndian.PutUint32(out[64+32*g+4*i:], lo&0x0f0f0f0f|(hi&0x03030303)<<4)
					}
				}
			}
		}
	}
	if pack8Q6_KQuants != nil {
		pack8Q6_KQuants(nsb, w.Data[r*rb:(r+8)*rb], rb, dst)
	}
}

// gemm8Q6Aux copies the quants of the Q8_K row x (nsb super-blocks) to the
// int8 row xk and writes, for every 32-column unit u, aux[4u] = dx (float32
// bits), aux[4u+1] and aux[4u+2] = -32 times the sums of its two 16-column
// halves (int32), aux[4u+3] = 0.
func gemm8Q6Aux(aux []uint32, xk, x []byte, nsb int) {
	aux = aux[:32*nsb]
	for s := range nsb {
		blk := x[s*q8KSize : (s+1)*q8KSize]
		copy(xk[s*qkK:(s+1)*qkK], blk[4:4+qkK])
		d := binary.LittleEndian.Uint32(blk)
		bs := blk[4+qkK:]
		for u := range 8 {
			a := aux[4*(8*s+u) : 4*(8*s+u)+4]
			a[0] = d
			a[1] = uint32(-32 * int32(int16(binary.LittleEndian.Uint16(bs[4*u:]))))
			a[2] = uint32(-32 * int32(int16(binary.LittleEndian.Uint16(bs[4*u+2:]))))
			a[3] = 0
		}
	}
}

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
// packedq6_amd64.go), operands as gemm16Q6x8/gemm16Q6x1 except that x
// holds the Q8_K rows and aux is not read.
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
