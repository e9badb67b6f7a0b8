package kernels

import (
	"encoding/binary"
	"math"

	"github.com/amulet-llm/amulet/gguf"
)

//go:generate go run packed_gen.go

// Weights repacked at load (Repack) for Q8_0, Q4_0, Q4_K and Q6_K: the rows in
// tiles of sixteen, one vector lane per row, so that decoding streams each
// weight byte once through a 512-bit VPDPBUSD shared by the whole batch
// (Amulet's two contexts cost one weight read, not two) and prefill needs
// no per-call packing. The bytes of the GGUF encoding, moved (Q4_K's scales
// unpacked from 6 to 8 bits: 2.8% more):
//
//	q: per tile t (rows 16t..16t+15) and block b, at q[(t*nb+b)*qBytes:]:
//	   Q8_0 (32 columns, 512 bytes): eight groups of 64 bytes; group g =
//	        columns 4g..4g+3 of rows 0..15 (4 bytes per row), each weight
//	        + 128 (unsigned)
//	   Q4_0 (32 columns, 256 bytes): four groups of 64 bytes; group k =
//	        quant bytes 4k..4k+3 of rows 0..15 as in the file: low nibbles
//	        columns 4k..4k+3, high nibbles columns 16+4k..16+4k+3
//	   Q4_K (256 columns, 2048 bytes): for each pair p of 32-column
//	        sub-blocks, eight groups of 64 bytes; group k = quant bytes
//	        32p+4k..32p+4k+3 of rows 0..15: low nibbles sub-block 2p, high
//	        nibbles sub-block 2p+1
//	   Q6_K (256 columns, 3072 bytes): 48 groups of 64 bytes (four bytes
//	        of rows 0..15), in the order the kernels read them: for lane
//	        k = 0..7 and half h = 0, 1, at 192*(2k+h): ql bytes 64h+4k..+3,
//	        ql bytes 64h+32+4k..+3, qh bytes 32h+4k..+3 (the bytes of the
//	        file, moved; q6KGroup)
//	meta: per tile and block, at meta[(t*nb+b)*metaBytes:]:
//	   Q8_0, Q4_0 (32 bytes): the sixteen rows' scales d (binary16)
//	   Q4_K (320 bytes): d and dmin of the sixteen rows (binary16, 32 bytes
//	        each), then per sub-block j the rows' 6-bit scales (16 bytes
//	        at 64+16j) and mins (16 bytes at 192+16j)
//	   Q6_K (288 bytes): d of the sixteen rows (binary16), then per pair u
//	        of 16-column scales 32 bytes at 32+32u: (scale[2u], scale[2u+1])
//	        of rows 0..15
//
// Rows after the last whole tile stay in Matrix.Data and take the row dots.
type packedTiles struct {
	tiles int    // whole 16-row tiles
	q     []byte // quants, tile-major
	meta  []byte // scales, tile-major
}

// packedKernel multiplies one repacked tile (nb blocks) by activation rows:
// out[a*outStride + r] for tile rows r = 0..15. x holds the activation rows
// (Q8_0, or Q8_K for Q4_K) xStride bytes apart, aux their packedAux terms
// auxStride elements apart.
type packedKernel func(nb int, q, meta []byte, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)

// packedFormat describes the repacked layout of one weight type and its
// kernels for 1, 2 and `wide` activation rows.
type packedFormat struct {
	blockCols, qBytes, metaBytes int
	auxPer                       int // aux entries per block and activation row
	k1, k2, kw                   packedKernel
	wide                         int
}

// The repacked formats; kernels nil where the CPU has none (set in
// dispatch_amd64.go), and then Repack does nothing.
var (
	packedQ8_0 = packedFormat{blockCols: 32, qBytes: 512, metaBytes: 32, auxPer: 2, wide: 8}
	packedQ4_0 = packedFormat{blockCols: 32, qBytes: 256, metaBytes: 32, auxPer: 2, wide: 8}
	packedQ4_K = packedFormat{blockCols: qkK, qBytes: 2048, metaBytes: 320, auxPer: 16, wide: 4}
	// Q6_K's kernels read the Q8_K rows (scale, bsums) themselves; aux unused.
	packedQ6_K = packedFormat{blockCols: qkK, qBytes: 3072, metaBytes: 288, auxPer: 1, wide: 4}
)

// packedFormatOf returns the repacked format of t, or nil.
func packedFormatOf(t gguf.Type) *packedFormat {
	var f *packedFormat
	switch t {
	case gguf.TypeQ8_0:
		f = &packedQ8_0
	case gguf.TypeQ4_0:
		f = &packedQ4_0
	case gguf.TypeQ4_K:
		f = &packedQ4_K
	case gguf.TypeQ6_K:
		f = &packedQ6_K
	}
	if f == nil || f.k1 == nil {
		return nil
	}
	return f
}

// CanRepack reports whether Repack would change m: Q8_0, Q4_0, Q4_K or Q6_K
// weights with at least 16 rows, on a CPU with the repacked kernels
// (AVX-512 VNNI).
func CanRepack(m Matrix) bool {
	f := packedFormatOf(m.Type)
	return f != nil && m.Rows >= 16 && m.Cols%f.blockCols == 0 && m.packed == nil
}

// Repack returns m with its whole 16-row tiles copied into the interleaved
// layout that the CPU's fastest kernels read (packedTiles); MatMul then
// uses it for every batch size. The copy is new memory of about the size of
// those rows; m.Data is kept for Row and for the last Rows%16 rows, so the
// caller may tell the OS that the original pages are not needed (they are
// read back from the file if touched). Without CanRepack(m), Repack
// returns m unchanged.
func Repack(m Matrix) Matrix {
	if !CanRepack(m) {
		return m
	}
	f := packedFormatOf(m.Type)
	nb, rb := m.Cols/f.blockCols, m.RowBytes()
	tiles := m.Rows / 16
	p := &packedTiles{tiles: tiles, q: make([]byte, tiles*nb*f.qBytes), meta: make([]byte, tiles*nb*f.metaBytes)}
	le := binary.LittleEndian
	for t := range tiles {
		rows := m.Data[16*t*rb : 16*(t+1)*rb]
		if m.Type == gguf.TypeQ6_K {
			packQ6_KTile(p.q[t*nb*f.qBytes:(t+1)*nb*f.qBytes], p.meta[t*nb*f.metaBytes:(t+1)*nb*f.metaBytes], rows, rb, nb)
			continue
		}
		for b := range nb {
			blk := t*nb + b
			q := p.q[blk*f.qBytes : (blk+1)*f.qBytes]
			meta := p.meta[blk*f.metaBytes : (blk+1)*f.metaBytes]
			for i := range 16 {
				switch m.Type {
				case gguf.TypeQ8_0:
					src := rows[i*rb+b*34 : i*rb+b*34+34]
					le.PutUint16(meta[2*i:], le.Uint16(src))
					// Groups 2k and 2k+1 from one 8-byte load; +128 makes them unsigned.
					for k := range 4 {
						v := le.Uint64(src[2+8*k:]) ^ 0x8080808080808080
						le.PutUint32(q[128*k+4*i:], uint32(v))
						le.PutUint32(q[128*k+64+4*i:], uint32(v>>32))
					}
				case gguf.TypeQ4_0:
					src := rows[i*rb+b*18 : i*rb+b*18+18]
					le.PutUint16(meta[2*i:], le.Uint16(src))
					v0, v1 := le.Uint64(src[2:]), le.Uint64(src[10:])
					le.PutUint32(q[4*i:], uint32(v0))
					le.PutUint32(q[64+4*i:], uint32(v0>>32))
					le.PutUint32(q[128+4*i:], uint32(v1))
					le.PutUint32(q[192+4*i:], uint32(v1>>32))
				case gguf.TypeQ4_K:
					src := rows[i*rb+b*q4KSize : (i*rb + (b+1)*q4KSize)]
					le.PutUint16(meta[2*i:], le.Uint16(src))
					le.PutUint16(meta[32+2*i:], le.Uint16(src[2:]))
					sc := (*[12]byte)(src[4:16])
					for j := range 4 {
						meta[64+16*j+i] = sc[j] & 63
						meta[192+16*j+i] = sc[j+4] & 63
						meta[64+16*(j+4)+i] = sc[j+8]&0x0f | (sc[j]>>6)<<4
						meta[192+16*(j+4)+i] = sc[j+8]>>4 | (sc[j+4]>>6)<<4
					}
					qs := src[16:]
					for g := range 32 { // pair g/8, group g%8
						le.PutUint32(q[64*g+4*i:], le.Uint32(qs[4*g:]))
					}
				}
			}
		}
	}
	m.packed = p
	return m
}

// Repacked reports whether m carries repacked tiles (Repack).
func (m Matrix) Repacked() bool { return m.packed != nil }

// packedAux writes the activation terms the repacked kernels read for one
// quantized activation row x of nb blocks of weight type t: for Q8_0/Q4_0
// gemm8Aux's (scale, -offset*sum); for Q4_K per 256 columns 16 entries:
// [0] the Q8_K scale (float32 bits), [8+j] the sum of the quants of
// sub-block j (int32, from the block's bsums).
func packedAux(aux []uint32, x []byte, nb int, t gguf.Type) {
	if t == gguf.TypeQ6_K {
		return // the Q6_K kernels read the Q8_K rows
	}
	if t != gguf.TypeQ4_K {
		gemm8Aux(aux, x, nb, gemm8Offset(t))
		return
	}
	aux = aux[:16*nb]
	for s := range nb {
		blk := x[s*q8KSize : (s+1)*q8KSize]
		a := aux[16*s : 16*s+16]
		a[0] = binary.LittleEndian.Uint32(blk)
		bs := blk[4+qkK:]
		for j := range 8 {
			a[8+j] = uint32(int32(int16(binary.LittleEndian.Uint16(bs[4*j:]))) + int32(int16(binary.LittleEndian.Uint16(bs[4*j+2:]))))
		}
	}
}

// packedTileRef is the repacked kernels' arithmetic in portable Go, the
// reference the assembly is tested against: tile t of w against one
// quantized activation row x (Q8_0, or Q8_K for Q4_K), block by block (Q4_K
// with fused multiply-adds, as the kernels). For Q4_K with pairs set, the float
// accumulators take isum and msum per pair of sub-blocks (64 columns), as
// the 4-row kernel and llama.cpp's ggml_gemm_q4_K_8x8_q8_K do; otherwise
// per 256 columns (ggml_gemv_q4_K_8x8_q8_K).
func packedTileRef(w Matrix, t int, x []byte, out []float32, pairs bool) {
	p, f := w.packed, packedFormatOf(w.Type)
	nb := w.Cols / f.blockCols
	for r := range 16 {
		if w.Type == gguf.TypeQ6_K {
			out[r] = packedQ6_KRowRef(p, t, nb, r, x)
			continue
		}
		var acc, accMin float32
		for b := range nb {
			q := p.q[(t*nb+b)*f.qBytes:]
			meta := p.meta[(t*nb+b)*f.metaBytes:]
			dw := f16Table[binary.LittleEndian.Uint16(meta[2*r:])]
			if w.Type == gguf.TypeQ4_K {
				xb := x[b*q8KSize : (b+1)*q8KSize]
				dx := math.Float32frombits(binary.LittleEndian.Uint32(xb))
				dmin := f16Table[binary.LittleEndian.Uint16(meta[32+2*r:])]
				var isum, msum int32
				for j := range 8 {
					var sum, xs int32
					for c := range 32 {
						v := q[512*(j/2)+64*(c/4)+4*r+c%4]
						if j%2 == 1 {
							v >>= 4
						}
						xv := int32(int8(xb[4+32*j+c]))
						sum += int32(v&15) * xv
						xs += xv
					}
					isum += int32(meta[64+16*j+r]) * sum
					msum += int32(meta[192+16*j+r]) * xs
					if j == 7 || (pairs && j%2 == 1) {
						acc = fmaF32(float32(isum), dw*dx, acc)
						accMin = fmaF32(float32(msum), dmin*dx, accMin)
						isum, msum = 0, 0
					}
				}
				continue
			}
			xb := x[b*34 : b*34+34]
			var sum int32
			for c := range 32 {
				var wq int32
				if w.Type == gguf.TypeQ8_0 {
					wq = int32(q[64*(c/4)+4*r+c%4]) - 128
				} else {
					v := q[64*(c%16/4)+4*r+c%4]
					if c >= 16 {
						v >>= 4
					}
					wq = int32(v&15) - 8
				}
				sum += wq * int32(int8(xb[2+c]))
			}
			acc += float32(sum) * (dw * f16Table[binary.LittleEndian.Uint16(xb)])
		}
		out[r] = acc - accMin
	}
}

// repackQ6_KRow copies the Q6_K super-block src of tile row i to its
// repacked block (q, meta).
func repackQ6_KRow(q, meta, src []byte, i int) {
	le := binary.LittleEndian
	src = src[:q6KSize]
	le.PutUint16(meta[2*i:], le.Uint16(src[208:]))
	for u := range 8 {
		le.PutUint16(meta[32+32*u+2*i:], le.Uint16(src[192+2*u:]))
	}
	for g := range 48 { // ql bytes 4g..4g+3 (g < 32), then qh
		le.PutUint32(q[q6KGroupOff[g]+4*i:], le.Uint32(src[4*g:]))
	}
}

// q6KGroup is where the repacked Q6_K layout puts the four quant bytes
// 4g..4g+3 of a super-block (ql for g < 32, then qh), in groups of 64 bytes.
func q6KGroup(g int) int {
	if g < 32 { // ql byte 64h + 32s + 4k
		h, s, k := g/16, g/8%2, g%8
		return 3*(2*k+h) + s
	}
	h, k := (g-32)/8, g%8 // qh byte 32h + 4k
	return 3*(2*k+h) + 2
}

// packedQ6_KRowRef is row r of repacked Q6_K tile t (nb super-blocks) times
// the Q8_K row x in the arithmetic of llama.cpp's ggml_vec_dot_q6_K_q8_K:
// eight exact int32 lanes per super-block (lane k: columns with c%32 in
// [4k, 4k+4), each times its 16-column scale, minus 32*(bsum[2k]*scale[2k]
// + bsum[2k+1]*scale[2k+1])), acc[k] = fma(d*d_x, float(lane k), acc[k]),
// then (acc0+acc4 + acc2+acc6) + (acc1+acc5 + acc3+acc7).
func packedQ6_KRowRef(p *packedTiles, t, nb, r int, x []byte) float32 {
	le := binary.LittleEndian
	var acc [8]float32
	for b := range nb {
		q := p.q[(t*nb+b)*3072:]
		meta := p.meta[(t*nb+b)*288:]
		xb := x[b*q8KSize : (b+1)*q8KSize]
		d := math.Float32frombits(le.Uint32(xb)) * f16Table[le.Uint16(meta[2*r:])]
		sc := func(g int) int32 { return int32(int8(meta[32+32*(g/2)+2*r+g%2])) }
		var lanes [8]int32
		for e := range qkK {
			h, c, l := e/128, e%128/32, e%32
			v := q[64*q6KGroup(16*h+8*(c%2)+l/4)+4*r+l%4]
			if c >= 2 {
				v >>= 4
			}
			hi := q[64*q6KGroup(32+8*h+l/4)+4*r+l%4] >> (2 * c) & 3
			lanes[l/4] += sc(e/16) * int32(v&15|hi<<4) * int32(int8(xb[4+e]))
		}
		for k := range 8 {
			b0 := int32(int16(le.Uint16(xb[260+4*k:])))
			b1 := int32(int16(le.Uint16(xb[262+4*k:])))
			lanes[k] -= 32 * (b0*sc(2*k) + b1*sc(2*k+1))
			acc[k] = fmaF32(d, float32(lanes[k]), acc[k])
		}
	}
	return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]))
}

// packedRows computes rows [lo, hi) (lo a multiple of 16) for every batch
// row: whole tiles with the repacked kernels (batch rows `wide`, two, then
// one at a time, in blocks that stay in L2), then the rows after the last
// tile with the row dots.
func (mm *matmulJob) packedRows(lo, hi int) {
	w, p, f := mm.w, mm.w.packed, packedFormatOf(mm.w.Type)
	nb := w.Cols / f.blockCols
	tileEnd := min(hi, 16*p.tiles)
	auxN := f.auxPer * nb
	bblock := max(8, actBlockBytes/(mm.xrb+4*auxN)/8*8)
	for b0 := 0; b0 < mm.batch; b0 += bblock {
		b1 := min(b0+bblock, mm.batch)
		for r := lo; r < tileEnd; r += 16 {
			t := r / 16
			q := p.q[t*nb*f.qBytes : (t+1)*nb*f.qBytes]
			meta := p.meta[t*nb*f.metaBytes : (t+1)*nb*f.metaBytes]
			b := b0
			for ; b+f.wide <= b1; b += f.wide {
				f.kw(nb, q, meta, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
			for ; b+2 <= b1; b += 2 {
				f.k2(nb, q, meta, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
			if b < b1 {
				f.k1(nb, q, meta, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
		}
	}
	if lo = max(lo, tileEnd); lo < hi {
		for b := range mm.batch {
			mm.quantRows(lo, hi, b)
		}
	}
}

// setPacked sets up mm for the repacked path: room for the activation
// terms the kernels read (computed with the quantized rows, packedAux).
func (p *Pool) setPacked(mm *matmulJob) {
	f := packedFormatOf(mm.w.Type)
	mm.packed = true
	n := mm.batch * f.auxPer * (mm.w.Cols / f.blockCols)
	if cap(p.xaux) < n {
		p.xaux = make([]uint32, n)
	}
	mm.aux = p.xaux[:n]
}
