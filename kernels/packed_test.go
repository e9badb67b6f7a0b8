package kernels

import (
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
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K} {
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
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K} {
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
					packedTileRef(w, tile, x[a*xStride:], want)
					for r := range 16 {
						got := out[a*outStride+r]
						if a >= k.n {
							if got != 0 {
								t.Fatalf("%s x%d wrote activation row %d", typ, k.n, a)
							}
							continue
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
	w := randomMatrix(t, gguf.TypeQ6_K, 32, 256, 3)
	if Repack(w).Repacked() || CanRepack(w) {
		t.Fatal("Q6_K repacked: no kernels exist for it")
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
