package kernels

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// TestMatMulRepacked checks MatMul on repacked Q8_0/Q4_0/Q4_K weights against
// the float64 reference of the GGUF rows (expectedMatMul), for row counts
// with and without a partial last tile, batches that use every kernel width
// (8, 2, 1) and thread counts that split the tiles unevenly.
func TestMatMulRepacked(t *testing.T) {
	if packedFormatOf(gguf.TypeQ8_0) == nil {
		t.Skip("no repacked-tile kernels on this CPU")
	}
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K} {
		for _, shape := range [][2]int{{16, 512}, {45, 768}, {64, 256}} {
			rows, cols := shape[0], shape[1]
			w := Repack(randomMatrix(t, typ, rows, cols, uint64(rows)))
			if !w.Repacked() {
				t.Fatalf("%s %dx%d: Repack did not repack", typ, rows, cols)
			}
			for _, threads := range []int{1, 2, 3} {
				p := NewPool(threads)
				for _, batch := range []int{1, 2, 3, 8, 11, 130} {
					x := gaussian(newRand(uint64(batch)), batch*cols, 1)
					out := make([]float32, batch*rows+1)
					out[len(out)-1] = 42
					p.MatMul(out, w, x, batch)
					want, tol := expectedMatMul(w, x, batch)
					for i, v := range want {
						if d := math.Abs(float64(out[i]) - v); d > tol[i] || out[i] != out[i] {
							t.Fatalf("%s %dx%d threads %d batch %d out[%d] = %g, want %g (tolerance %g)", typ, rows, cols, threads, batch, i, out[i], v, tol[i])
						}
					}
					if out[len(out)-1] != 42 {
						t.Fatalf("%s: MatMul wrote past batch*Rows", typ)
					}
				}
				p.Close()
			}
		}
	}
}

// TestRepackedKernelsMatchRef checks each assembly kernel, tile by tile and
// activation row by row, against packedTileRef (the layout read in Go), with
// strides longer than a row so that a kernel reading the wrong row fails.
func TestRepackedKernelsMatchRef(t *testing.T) {
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K} {
		f := packedFormatOf(typ)
		if f == nil {
			t.Skip("no repacked-tile kernels on this CPU")
		}
		const rows, cols = 32, 768
		nb := cols / f.blockCols
		w := Repack(randomMatrix(t, typ, rows, cols, 7))
		wf, _ := formatOf(typ)
		af, _ := formatOf(wf.act)
		xrb := af.rowBytes(cols)
		xStride, auxStride, outStride := xrb+6, f.auxPer*nb+3, rows+5
		const nx = 8
		xs := gaussian(newRand(9), nx*cols, 1)
		x := make([]byte, nx*xStride)
		aux := make([]uint32, nx*auxStride)
		for a := range nx {
			copy(x[a*xStride:], quantizeAct(typ, xs[a*cols:(a+1)*cols]))
			packedAux(aux[a*auxStride:], x[a*xStride:], nb, typ)
		}
		for _, k := range []struct {
			n int
			f packedKernel
		}{{1, f.k1}, {2, f.k2}, {f.wide, f.kw}} {
			for tile := range rows / 16 {
				out := make([]float32, nx*outStride)
				q := w.packed.q[tile*nb*f.qBytes : (tile+1)*nb*f.qBytes]
				meta := w.packed.meta[tile*nb*f.metaBytes : (tile+1)*nb*f.metaBytes]
				k.f(nb, q, meta, x, xStride, aux, auxStride, out, outStride)
				for a := range nx {
					want := make([]float32, 16)
					// Q4_K: the 4-row kernel accumulates per pair of sub-blocks (llama.cpp's
					// gemm), the others per 256 columns (its gemv); both bit for bit.
					packedTileRef(w, tile, x[a*xStride:], want, k.n == 4)
					for r := range 16 {
						got := out[a*outStride+r]
						if a >= k.n {
							if got != 0 {
								t.Fatalf("%s x%d wrote activation row %d", typ, k.n, a)
							}
							continue
						}
						if (typ == gguf.TypeQ4_K || typ == gguf.TypeQ6_K) && math.Float32bits(got) != math.Float32bits(want[r]) {
							t.Fatalf("%s x%d tile %d act %d row %d: %g, want %g bit for bit", typ, k.n, tile, a, r, got, want[r])
						}
						if d := math.Abs(float64(got - want[r])); d > 1e-5*math.Max(1, math.Abs(float64(want[r]))) {
							t.Fatalf("%s x%d tile %d act %d row %d: %g, want %g", typ, k.n, tile, a, r, got, want[r])
						}
					}
				}
			}
		}
	}
}

// TestRepackKeepsRows checks that a repacked matrix still dequantizes rows
// from its GGUF data and that types without repacked kernels are unchanged.
func TestRepackKeepsRows(t *testing.T) {
	w := randomMatrix(t, gguf.TypeQ5_K, 32, 256, 3)
	if Repack(w).Repacked() || CanRepack(w) {
		t.Fatal("Q5_K repacked: no kernels exist for it")
	}
	if packedFormatOf(gguf.TypeQ8_0) == nil {
		t.Skip("no repacked-tile kernels on this CPU")
	}
	w = randomMatrix(t, gguf.TypeQ8_0, 40, 64, 3)
	p := Repack(w)
	if CanRepack(p) {
		t.Fatal("CanRepack true for a repacked matrix")
	}
	a, b := make([]float32, 64), make([]float32, 64)
	for r := range 40 {
		Row(a, w, r)
		Row(b, p, r)
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("row %d col %d: %g after Repack, %g before", r, i, b[i], a[i])
			}
		}
	}
	if Repack(randomMatrix(t, gguf.TypeQ8_0, 15, 64, 3)).Repacked() {
		t.Fatal("a matrix of fewer than 16 rows was repacked")
	}
}

// q4KRowGGML is one Q4_K weight row (GGUF layout, n columns) times one Q8_K
// activation row in the arithmetic of llama.cpp's repacked x86 kernels:
// exact int32 sums isum = sum_j scale_j*(q_j . x_j) and msum = sum_j min_j *
// (sum of x_j), one fused multiply-add of each into acc (times d*d_x) and
// accMin (times dmin*d_x) per pair of sub-blocks (pairs: ggml_gemm_q4_K_8x8_q8_K)
// or per 256 columns (ggml_gemv_q4_K_8x8_q8_K), result acc - accMin.
func q4KRowGGML(n int, w, x []byte, pairs bool) float32 {
	le := binary.LittleEndian
	var acc, accMin float32
	for s := range n / qkK {
		wb, xb := w[s*q4KSize:(s+1)*q4KSize], x[s*q8KSize:(s+1)*q8KSize]
		d, dmin := f16Table[le.Uint16(wb)], f16Table[le.Uint16(wb[2:])]
		dx := math.Float32frombits(le.Uint32(xb))
		sc, qs := wb[4:16], wb[16:]
		var isum, msum int32
		for j := range 8 {
			var scale, mn int32
			if j < 4 {
				scale, mn = int32(sc[j]&63), int32(sc[j+4]&63)
			} else {
				scale, mn = int32(sc[j+4]&0x0f|(sc[j-4]>>6)<<4), int32(sc[j+4]>>4|(sc[j]>>6)<<4)
			}
			var dot, xs int32
			for c := range 32 {
				v := qs[32*(j/2)+c]
				if j%2 == 1 {
					v >>= 4
				}
				xv := int32(int8(xb[4+32*j+c]))
				dot += int32(v&15) * xv
				xs += xv
			}
			isum += scale * dot
			msum += mn * xs
			if j == 7 || (pairs && j%2 == 1) {
				acc = fmaF32(float32(isum), d*dx, acc)
				accMin = fmaF32(float32(msum), dmin*dx, accMin)
				isum, msum = 0, 0
			}
		}
	}
	return acc - accMin
}

// TestMatMulRepackedQ4_KGGML checks MatMul on repacked Q4_K weights bit for
// bit against llama.cpp's batched arithmetic read from the GGUF rows
// (q4KRowGGML): its repacked mul_mat runs the activation rows in groups of
// four through ggml_gemm_q4_K_8x8_q8_K and the batch%4 rows left over
// through ggml_gemv_q4_K_8x8_q8_K.
func TestMatMulRepackedQ4_KGGML(t *testing.T) {
	if packedFormatOf(gguf.TypeQ4_K) == nil {
		t.Skip("no repacked-tile kernels on this CPU")
	}
	for _, shape := range [][2]int{{32, 512}, {64, 768}} {
		rows, cols := shape[0], shape[1]
		w := randomMatrix(t, gguf.TypeQ4_K, rows, cols, uint64(rows+cols))
		rb := w.RowBytes()
		pw := Repack(w)
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			for _, batch := range []int{1, 2, 3, 4, 5, 6, 7, 8, 11, 130} {
				x := gaussian(newRand(uint64(batch)), batch*cols, 1)
				out := make([]float32, batch*rows)
				p.MatMul(out, pw, x, batch)
				for b := range batch {
					xq := quantizeAct(gguf.TypeQ4_K, x[b*cols:(b+1)*cols])
					pairs := b < batch-batch%4
					for r := range rows {
						want := q4KRowGGML(cols, w.Data[r*rb:(r+1)*rb], xq, pairs)
						if got := out[b*rows+r]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%dx%d threads %d batch %d: out[%d][%d] = %g, want %g (pairs %v)", rows, cols, threads, batch, b, r, got, want, pairs)
						}
					}
				}
			}
			p.Close()
		}
	}
}
