package kernels

import (
	"encoding/binary"

	"github.com/amulet-llm/amulet/gguf"
)

//go:generate go run packed_gen.go

// Weights repacked at load (Repack) for Q8_0 and Q4_0: the rows in tiles of
// sixteen, one vector lane per row, so that decoding streams each weight
// byte once through a 512-bit VPDPBUSD shared by the whole batch (Amulet's
// two contexts cost one weight read, not two) and prefill needs no per-call
// packing. Same bytes as the GGUF encoding, moved:
//
//	q: per tile t (rows 16t..16t+15) and block b (32 columns), at
//	   q[(t*nb+b)*qb:], qb = 512 (Q8_0) or 256 (Q4_0) bytes:
//	   Q8_0: eight groups of 64 bytes; group g = columns 4g..4g+3 of rows
//	         0..15 (4 bytes per row), each weight + 128 (unsigned)
//	   Q4_0: four groups of 64 bytes; group k = quant bytes 4k..4k+3 of
//	         rows 0..15 as in the file: low nibbles columns 4k..4k+3, high
//	         nibbles columns 16+4k..16+4k+3 (weight + 8)
//	d: the block scales as in the file (binary16), d[(t*nb+b)*16 + row]
//
// Rows after the last whole tile stay in Matrix.Data and take the row dots.
type packedTiles struct {
	tiles int      // whole 16-row tiles
	q     []byte   // quants, tile-major
	d     []uint16 // scales, tile-major
}

// packedQBytes is the quant bytes of one block of a 16-row tile.
func packedQBytes(t gguf.Type) int {
	if t == gguf.TypeQ4_0 {
		return 256
	}
	return 512
}

// packedKernel multiplies one repacked tile (nb blocks: q quants, d
// scales) by nx activation rows: out[a*outStride + r] for r = 0..15; x and
// aux as for the packed-tile GEMM kernels (gemm8.go).
type packedKernel func(nb int, q []byte, d []uint16, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)

// The repacked-tile kernels for 1, 2 and 8 activation rows; nil where the
// CPU has none (set in dispatch_amd64.go), and then Repack does nothing.
var (
	packedQ8_0x1, packedQ8_0x2, packedQ8_0x8 packedKernel
	packedQ4_0x1, packedQ4_0x2, packedQ4_0x8 packedKernel
)

// packedKernels returns the kernels for 1, 2 and 8 activation rows of
// weight type t, or nils.
func packedKernels(t gguf.Type) (k1, k2, k8 packedKernel) {
	switch t {
	case gguf.TypeQ8_0:
		return packedQ8_0x1, packedQ8_0x2, packedQ8_0x8
	case gguf.TypeQ4_0:
		return packedQ4_0x1, packedQ4_0x2, packedQ4_0x8
	}
	return nil, nil, nil
}

// CanRepack reports whether Repack would change m: Q8_0 or Q4_0 weights
// with at least 16 rows, on a CPU with the repacked kernels (AVX-512 VNNI).
func CanRepack(m Matrix) bool {
	k1, _, _ := packedKernels(m.Type)
	return k1 != nil && m.Rows >= 16 && m.Cols%32 == 0 && m.packed == nil
}

// Repack returns m with its whole 16-row tiles copied into the interleaved
// layout that the CPU's fastest kernels read (packedTiles); MatMul then
// uses it for every batch size. The copy is new memory of the same size as
// those rows; m.Data is kept for Row and for the last Rows%16 rows, so the
// caller may tell the OS that the original pages are not needed (they are
// read back from the file if touched). Without CanRepack(m), Repack
// returns m unchanged.
func Repack(m Matrix) Matrix {
	if !CanRepack(m) {
		return m
	}
	nb, rb := m.Cols/32, m.RowBytes()
	tiles := m.Rows / 16
	qb := packedQBytes(m.Type)
	p := &packedTiles{tiles: tiles, q: make([]byte, tiles*nb*qb), d: make([]uint16, tiles*nb*16)}
	le := binary.LittleEndian
	for t := range tiles {
		rows := m.Data[16*t*rb : 16*(t+1)*rb]
		for b := range nb {
			blk := t*nb + b
			q := p.q[blk*qb : (blk+1)*qb]
			d := p.d[blk*16 : (blk+1)*16]
			for i := range 16 {
				if m.Type == gguf.TypeQ8_0 {
					src := rows[i*rb+b*34 : i*rb+b*34+34]
					d[i] = le.Uint16(src)
					// Groups 2k and 2k+1 from one 8-byte load; +128 makes them unsigned.
					for k := range 4 {
						v := le.Uint64(src[2+8*k:]) ^ 0x8080808080808080
						le.PutUint32(q[128*k+4*i:], uint32(v))
						le.PutUint32(q[128*k+64+4*i:], uint32(v>>32))
					}
				} else {
					src := rows[i*rb+b*18 : i*rb+b*18+18]
					d[i] = le.Uint16(src)
					v0, v1 := le.Uint64(src[2:]), le.Uint64(src[10:])
					le.PutUint32(q[4*i:], uint32(v0))
					le.PutUint32(q[64+4*i:], uint32(v0>>32))
					le.PutUint32(q[128+4*i:], uint32(v1))
					le.PutUint32(q[192+4*i:], uint32(v1>>32))
				}
			}
		}
	}
	m.packed = p
	return m
}

// Repacked reports whether m carries repacked tiles (Repack).
func (m Matrix) Repacked() bool { return m.packed != nil }

// packedTileRef is the repacked kernels' arithmetic in portable Go, the
// reference the assembly is tested against: tile t of w against the Q8_0
// activation row x, per block float32(int sum) * (d_w * d_x) accumulated in
// block order.
func packedTileRef(w Matrix, t int, x []byte, out []float32) {
	p := w.packed
	nb, qb := w.Cols/32, packedQBytes(w.Type)
	for r := range 16 {
		var acc float32
		for b := range nb {
			q := p.q[(t*nb+b)*qb:]
			xb := x[b*34 : b*34+34]
			var sum int32
			for c := range 32 {
				var wq int32
				if w.Type == gguf.TypeQ8_0 {
					wq = int32(q[64*(c/4)+4*r+c%4]) - 128
				} else {
					k := c % 16 / 4
					v := q[64*k+4*r+c%4]
					if c < 16 {
						wq = int32(v&15) - 8
					} else {
						wq = int32(v>>4) - 8
					}
				}
				sum += wq * int32(int8(xb[2+c]))
			}
			dw := f16Table[p.d[(t*nb+b)*16+r]]
			dx := f16Table[binary.LittleEndian.Uint16(xb)]
			acc += float32(sum) * float32(dw*dx)
		}
		out[r] = acc
	}
}

// packedRows computes rows [lo, hi) (lo a multiple of 16) for every batch
// row: whole tiles with the repacked kernels (batch rows eight, two, then
// one at a time, in blocks that stay in L2), then the rows after the last
// tile with the row dots.
func (mm *matmulJob) packedRows(lo, hi int) {
	w, p := mm.w, mm.w.packed
	nb, qb := w.Cols/32, packedQBytes(w.Type)
	k1, k2, k8 := packedKernels(w.Type)
	tileEnd := min(hi, 16*p.tiles)
	auxN := 2 * nb
	bblock := max(8, actBlockBytes/(mm.xrb+4*auxN)/8*8)
	for b0 := 0; b0 < mm.batch; b0 += bblock {
		b1 := min(b0+bblock, mm.batch)
		for r := lo; r < tileEnd; r += 16 {
			t := r / 16
			q := p.q[t*nb*qb : (t+1)*nb*qb]
			d := p.d[t*nb*16 : (t+1)*nb*16]
			b := b0
			for ; b+8 <= b1; b += 8 {
				k8(nb, q, d, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
			for ; b+2 <= b1; b += 2 {
				k2(nb, q, d, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
			if b < b1 {
				k1(nb, q, d, mm.xq[b*mm.xrb:], mm.xrb, mm.aux[b*auxN:], auxN, mm.out[b*w.Rows+r:], w.Rows)
			}
		}
	}
	if lo = max(lo, tileEnd); lo < hi {
		for b := range mm.batch {
			mm.quantRows(lo, hi, b)
		}
	}
}

// setPacked sets up mm for the repacked path: the activation terms the
// kernels read (computed with the quantized rows, gemm8Act).
func (p *Pool) setPacked(mm *matmulJob) {
	mm.packed = true
	mm.g8auxPer = 2
	n := mm.batch * 2 * (mm.w.Cols / 32)
	if cap(p.xaux) < n {
		p.xaux = make([]uint32, n)
	}
	mm.aux = p.xaux[:n]
}
