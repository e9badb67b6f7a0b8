package kernels

import (
	"encoding/binary"
	"math"

	"github.com/amulet-llm/amulet/gguf"
)

// Prefill (batched MatMul) for Q8_0 and Q4_0 weights on packed 8-row tiles.
//
// A thread copies eight weight rows at a time into a packed tile, one block
// (32 columns) after another: pack8BlockBytes per block =
//
//	[0:32)    the eight rows' block scales as float32
//	[32:288)  eight groups of 32 bytes; group g holds columns 4g..4g+3 of
//	          rows 0..7 (4 bytes per row, row-major) as unsigned bytes:
//	          weight + 128 (Q8_0) or the raw nibble = weight + 8 (Q4_0)
//
// so one vector lane is one weight row: a VPDPBUSD of a group against four
// broadcast activation bytes adds those columns' products to all eight rows'
// block sums, and the float conversion and scaling of a block are paid once
// per eight rows instead of once per row. The activation rows stay Q8_0 (as
// llama.cpp quantizes them); gemm8Aux adds per block the scale as float32
// and the correction -offset*sum(x) that removes the weights' offset. A
// tile is packed once and swept over every batch row, so the copy pays for
// itself from a few rows on; the results equal the one-row dots up to
// float32 rounding order.
const pack8BlockBytes = 32 + 8*32

// gemm8MinBatch is the smallest batch that takes the packed-tile path for
// Q8_0/Q4_0; gemm8KMinBatch for Q4_K, whose packing (scale decoding) costs
// more (measured crossovers on 2048x2048, 1 thread: ~4 and ~8 rows).
const (
	gemm8MinBatch  = 4
	gemm8KMinBatch = 8
)

// gemm8PackBytes bounds the packed tiles a thread sweeps over a block of
// batch rows before packing the next ones (kept in L2 with the activations).
const gemm8PackBytes = 128 << 10

// The packed-tile kernels (nil where the CPU has none; set in
// dispatch_amd64.go): out[a*outStride + r] for weight rows r = 0..7 of the
// packed tile w (nb blocks) and activation rows a = 0..7 (x8), a = 0..3
// (x4) or a = 0 (x1); x holds Q8_0 rows xStride bytes apart, aux their gemm8Aux entries
// auxStride elements apart.
var (
	gemm8x8 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	gemm8x4 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
	gemm8x1 func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
)

// gemm8Offset is what packing adds to a weight of type t to make it
// unsigned; 0 if t has no packed form.
func gemm8Offset(t gguf.Type) int32 {
	switch t {
	case gguf.TypeQ8_0:
		return 128
	case gguf.TypeQ4_0:
		return 8
	}
	return 0
}

// Fast packers (nil where the CPU has none; set in dispatch_amd64.go):
// rows w[0:], w[rowBytes:], ... w[7*rowBytes:] of nb blocks to dst.
var pack8Q8_0, pack8Q4_0 func(nb int, w []byte, rowBytes int, dst []byte)

// pack8 writes rows [r, r+8) of w (Q8_0 or Q4_0, rb bytes per row) to dst
// as a packed tile.
func pack8(dst []byte, w Matrix, rb, r int) {
	nb := w.Cols / 32
	fast := pack8Q8_0
	if w.Type == gguf.TypeQ4_0 {
		fast = pack8Q4_0
	}
	if fast != nil {
		fast(nb, w.Data[r*rb:(r+8)*rb], rb, dst[:nb*pack8BlockBytes])
		return
	}
	pack8Go(dst, w, rb, r)
}

// pack8Go is pack8 in portable Go.
func pack8Go(dst []byte, w Matrix, rb, r int) {
	nb := w.Cols / 32
	dst = dst[:nb*pack8BlockBytes]
	for i := range 8 {
		row := w.Data[(r+i)*rb : (r+i+1)*rb]
		switch w.Type {
		case gguf.TypeQ8_0:
			for b := range nb {
				blk := row[b*34 : b*34+34]
				out := dst[b*pack8BlockBytes : (b+1)*pack8BlockBytes]
				binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(f16Table[binary.LittleEndian.Uint16(blk)]))
				for g := range 8 {
					v := binary.LittleEndian.Uint32(blk[2+4*g:])
					binary.LittleEndian.PutUint32(out[32+32*g+4*i:], v^0x80808080)
				}
			}
		case gguf.TypeQ4_0:
			for b := range nb {
				blk := row[b*18 : b*18+18]
				out := dst[b*pack8BlockBytes : (b+1)*pack8BlockBytes]
				binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(f16Table[binary.LittleEndian.Uint16(blk)]))
				for g := range 4 {
					v := binary.LittleEndian.Uint32(blk[2+4*g:])
					binary.LittleEndian.PutUint32(out[32+32*g+4*i:], v&0x0f0f0f0f)
					binary.LittleEndian.PutUint32(out[32+32*(g+4)+4*i:], v>>4&0x0f0f0f0f)
				}
			}
		}
	}
}

// gemm8Aux writes, for each of the nb blocks of the Q8_0 activation row x,
// aux[2b] = the block scale as float32 bits and aux[2b+1] = -offset times
// the sum of the block's quants (as int32 bits).
func gemm8Aux(aux []uint32, x []byte, nb int, offset int32) {
	aux = aux[:2*nb]
	for b := range nb {
		blk := x[b*34 : b*34+34]
		// Sum of the 32 signed quants: as unsigned bytes (q+128) in four
		// 16-bit lanes of a word, eight bytes at a time, minus 32*128.
		var lanes uint64
		for k := 2; k < 34; k += 8 {
			v := binary.LittleEndian.Uint64(blk[k:]) ^ 0x8080808080808080
			lanes += v&0x00ff00ff00ff00ff + v>>8&0x00ff00ff00ff00ff
		}
		s := int32(lanes*0x0001000100010001>>48) - 32*128
		aux[2*b] = math.Float32bits(f16Table[binary.LittleEndian.Uint16(blk)])
		aux[2*b+1] = uint32(-offset * s)
	}
}

// gemm8Rows computes rows [lo, hi) for every batch row on packed tiles
// (the plan in mm: packers, kernels, activations), using buf (grown as
// needed) for the tiles: 16-row tiles where the plan has them, then 8-row
// tiles; rows left over after the last whole tile go through the four-row
// path.
func (mm *matmulJob) gemm8Rows(buf *[]byte, lo, hi int) {
	if mm.g16x8 != nil {
		r16 := lo + (hi-lo)/16*16
		mm.gemmTiles(buf, lo, r16, 16, mm.g16pack, mm.g16blk, mm.g16x8, nil, mm.g16x1)
		lo = r16
	}
	r8 := lo
	if mm.g8pack != nil { // nil: 16-row tiles only (Q6_K)
		r8 = lo + (hi-lo)/8*8
	}
	mm.gemmTiles(buf, lo, r8, 8, mm.g8pack, mm.g8blk, mm.g8x8, mm.g8x4, mm.g8x1)
	if r8 < hi {
		if mm.dot4n != nil {
			mm.tiledRows(r8, hi)
		} else {
			for b := range mm.batch {
				mm.quantRows(r8, hi, b)
			}
		}
	}
}

// gemmTiles computes rows [lo, hi) (a multiple of h rows) for every batch
// row on packed tiles of h rows: pack packs rows r..r+h-1 (blk bytes per 32
// columns), k8/k4/k1 take 8, 4 (nil: none) and 1 activation rows.
func (mm *matmulJob) gemmTiles(buf *[]byte, lo, hi, h int, pack func(dst []byte, w Matrix, rb, r int), blk int, k8, k4, k1 gemm8Kernel) {
	if lo >= hi {
		return
	}
	w, rb, batch := mm.w, mm.rb, mm.batch
	x, xs := mm.g8x, mm.g8xs
	nb := w.Cols / 32
	tileB := nb * blk
	auxN := mm.g8auxPer * nb
	tiles := max(1, gemm8PackBytes/tileB)
	if cap(*buf) < tiles*tileB {
		*buf = make([]byte, tiles*tileB)
	}
	packed := (*buf)[:tiles*tileB]
	bblock := max(8, actBlockBytes/(xs+4*auxN)/8*8)
	for t0 := lo; t0 < hi; t0 += tiles * h {
		t1 := min(t0+tiles*h, hi)
		for r := t0; r < t1; r += h {
			pack(packed[(r-t0)/h*tileB:], w, rb, r)
		}
		for b0 := 0; b0 < batch; b0 += bblock {
			b1 := min(b0+bblock, batch)
			for r := t0; r < t1; r += h {
				tile := packed[(r-t0)/h*tileB : (r-t0)/h*tileB+tileB]
				b := b0
				if k8 != nil {
					for ; b+8 <= b1; b += 8 {
						k8(nb, tile, x[b*xs:], xs, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
					}
				}
				if k4 != nil {
					for ; b+4 <= b1; b += 4 {
						k4(nb, tile, x[b*xs:], xs, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
					}
				}
				for ; b < b1; b++ {
					k1(nb, tile, x[b*xs:], xs, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
				}
			}
		}
	}
}

// gemm8Kernel is the signature of the packed-tile kernels.
type gemm8Kernel func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)

// setGemm8 sets up mm for the packed-tile path if w's type has one and the
// batch is large enough, using the pool's scratch for the activation terms
// and the packed tiles.
func (p *Pool) setGemm8(mm *matmulJob) {
	w, batch := mm.w, mm.batch
	if batch < gemm8MinBatch || w.Cols%32 != 0 {
		return
	}
	switch w.Type {
	case gguf.TypeQ8_0, gguf.TypeQ4_0:
		if gemm8x4 == nil {
			return
		}
		mm.g8pack, mm.g8blk = pack8, pack8BlockBytes
		mm.g8x8, mm.g8x4, mm.g8x1 = gemm8x8, gemm8x4, gemm8x1
		mm.g8x, mm.g8xs = mm.xq, mm.xrb
		// 16-row tiles only where their 8-activation kernel runs: with x1
		// calls alone they lose to the 8-row x4 kernel (batch 4-5: ~0.8x).
		if gemm16x8 != nil && batch >= 8 {
			mm.g16pack, mm.g16blk, mm.g16x8, mm.g16x1 = pack16, pack16BlockBytes, gemm16x8, gemm16x1
		}
	case gguf.TypeQ4_K:
		if gemm8Kx8 == nil || batch < gemm8KMinBatch {
			return
		}
		mm.g8pack, mm.g8blk = pack8Q4_K, pack8KBlockBytes
		mm.g8x8, mm.g8x1 = gemm8Kx8, gemm8Kx1
		if gemm16Kx8 != nil && pack16hQ4_KQuants != nil {
			mm.g16pack, mm.g16blk, mm.g16x8, mm.g16x1 = pack16Q4_K, pack16KBlockBytes, gemm16Kx8, gemm16Kx1
		}
		n := batch * w.Cols
		if cap(p.xk) < n {
			p.xk = make([]byte, n)
		}
		mm.g8x, mm.g8xs = p.xk[:n], w.Cols
	case gguf.TypeQ6_K:
		// 16-row tiles in the repacked layout (gemm8q6.go): llama.cpp's
		// arithmetic bit for bit; the kernels read the Q8_K rows, no aux.
		if gemm16Q6Rx8 == nil || batch < gemm16Q6RMinBatch || w.Cols%qkK != 0 {
			return
		}
		mm.g16pack, mm.g16blk, mm.g16x8, mm.g16x1 = pack16Q6R, pack16Q6RBlockBytes, gemm16Q6Rx8, gemm16Q6Rx1
		mm.g8x, mm.g8xs = mm.xq, mm.xrb
	default:
		return
	}
	mm.gemm8 = true
	if mm.g8auxPer == 0 {
		mm.g8auxPer = 2
	}
	n := batch * mm.g8auxPer * (w.Cols / 32)
	if cap(p.xaux) < n {
		p.xaux = make([]uint32, n)
	}
	mm.aux = p.xaux[:n]
	if len(p.pack) < p.threads {
		p.pack = make([][]byte, p.threads)
	}
}

// gemm8Act computes the packed-tile path's activation terms of batch row b
// (after its quantization).
func (mm *matmulJob) gemm8Act(b int) {
	nb := mm.w.Cols / 32
	xq := mm.xq[b*mm.xrb : (b+1)*mm.xrb]
	aux := mm.aux[b*mm.g8auxPer*nb : (b+1)*mm.g8auxPer*nb]
	switch mm.w.Type {
	case gguf.TypeQ4_K:
		gemm8KAux(aux, mm.g8x[b*mm.g8xs:(b+1)*mm.g8xs], xq, mm.w.Cols/qkK)
		return
	case gguf.TypeQ6_K:
		return // tiles in the repacked layout read the Q8_K rows: no aux
	}
	gemm8Aux(aux, xq, nb, gemm8Offset(mm.w.Type))
}
