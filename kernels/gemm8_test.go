package kernels

import (
	"math"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// TestGemm8KernelsMatchRef packs Q8_0/Q4_0 tiles and checks the packed-tile
// kernels (padded activation and output strides) against the one-row
// reference dots; it also checks they write nothing outside their block.
func TestGemm8KernelsMatchRef(t *testing.T) {
	if gemm8x4 == nil {
		t.Skip("no packed-tile kernels on this CPU")
	}
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
		const rows, cols, nx = 8, 320, 8
		nb := cols / 32
		w := randomMatrix(t, typ, rows, cols, 21)
		f, _ := formatOf(typ)
		rb := f.rowBytes(cols)
		xStride, auxStride, outStride := nb*34+6, 2*nb+3, rows+5
		x := make([]byte, nx*xStride)
		aux := make([]uint32, nx*auxStride)
		for a := range nx {
			xs := gaussian(newRand(uint64(40+a)), cols, 1)
			if a == 2 {
				xs[3] = 0 // a quiet block next to loud ones
				for i := 64; i < 96; i++ {
					xs[i] = -1e-3 * float32(i)
				}
			}
			quantizeRowQ8_0Ref(x[a*xStride:], xs)
			gemm8Aux(aux[a*auxStride:], x[a*xStride:], nb, gemm8Offset(typ))
		}
		tile := make([]byte, nb*pack8BlockBytes)
		pack8(tile, w, rb, 0)
		ref := dotQ8_0Ref
		if typ == gguf.TypeQ4_0 {
			ref = dotQ4_0Ref
		}
		for _, k := range []struct {
			name string
			nx   int
			fn   func(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int)
		}{{"x8", 8, gemm8x8}, {"x4", 4, gemm8x4}, {"x1", 1, gemm8x1}} {
			if k.fn == nil {
				continue
			}
			out := make([]float32, nx*outStride)
			for i := range out {
				out[i] = 42
			}
			k.fn(nb, tile, x, xStride, aux, auxStride, out, outStride)
			for a := range nx {
				for r := range outStride {
					got := out[a*outStride+r]
					if a >= k.nx || r >= rows {
						if got != 42 {
							t.Fatalf("%s %s: wrote out[%d][%d]", typ, k.name, a, r)
						}
						continue
					}
					want := ref(cols, w.Data[r*rb:(r+1)*rb], x[a*xStride:a*xStride+nb*34])
					if d := math.Abs(float64(got - want)); d > 1e-5*(1+math.Abs(float64(want))) {
						t.Fatalf("%s %s: out[%d][%d] = %g, want %g", typ, k.name, a, r, got, want)
					}
				}
			}
		}
	}
}

// TestMatMulGemm8 runs batched MatMul through the packed-tile path (rows
// that do not fill a tile, batches that do not fill a group of four, thread
// splits) against the float64 reference.
func TestMatMulGemm8(t *testing.T) {
	if gemm8x4 == nil {
		t.Skip("no packed-tile kernels on this CPU")
	}
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K} {
		const rows, cols = 45, 512
		w := randomMatrix(t, typ, rows, cols, 13)
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			for _, batch := range []int{4, 7, 13, 17, 130} {
				x := gaussian(newRand(uint64(batch)), batch*cols, 1)
				out := make([]float32, batch*rows+1)
				out[len(out)-1] = 42
				p.MatMul(out, w, x, batch)
				want, tol := expectedMatMul(w, x, batch)
				for i, v := range want {
					if d := math.Abs(float64(out[i]) - v); d > tol[i] || out[i] != out[i] {
						t.Fatalf("%s threads %d batch %d out[%d] = %g, want %g (tolerance %g)", typ, threads, batch, i, out[i], v, tol[i])
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

// TestPack8MatchesGo checks the assembly packers byte for byte against the
// portable one (which TestGemm8KernelsMatchRef checks through the kernels).
func TestPack8MatchesGo(t *testing.T) {
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
		fast := pack8Q8_0
		if typ == gguf.TypeQ4_0 {
			fast = pack8Q4_0
		}
		if fast == nil {
			t.Skipf("no %s packer on this CPU", typ)
		}
		const rows, cols = 11, 288
		w := randomMatrix(t, typ, rows, cols, 5)
		f, _ := formatOf(typ)
		rb := f.rowBytes(cols)
		nb := cols / 32
		for r := 0; r+8 <= rows; r++ {
			want := make([]byte, nb*pack8BlockBytes+1)
			got := make([]byte, nb*pack8BlockBytes+1)
			got[len(got)-1] = 42
			pack8Go(want, w, rb, r)
			fast(nb, w.Data[r*rb:(r+8)*rb], rb, got[:nb*pack8BlockBytes])
			if got[len(got)-1] != 42 {
				t.Fatalf("%s: packer wrote past the tile", typ)
			}
			for i := range nb * pack8BlockBytes {
				if got[i] != want[i] {
					t.Fatalf("%s rows %d..: byte %d (block %d offset %d) = %#x, want %#x", typ, r, i, i/pack8BlockBytes, i%pack8BlockBytes, got[i], want[i])
				}
			}
		}
	}
}

// TestMatMulGemmF16 runs batched F16 MatMul through the float32 GEMM path
// (whole 48-row tiles, 12- and 4-row kernels, rows past the last group of
// four, column chunks with a short last one, partial batch blocks, thread
// splits) against the float64 reference.
func TestMatMulGemmF16(t *testing.T) {
	if gemmF16T12 == nil {
		t.Skip("no F16 GEMM kernels on this CPU")
	}
	for _, shape := range []struct{ rows, cols int }{{45, 1088}, {45, 48}, {113, 400}} {
		rows, cols := shape.rows, shape.cols
		w := randomMatrix(t, gguf.TypeF16, rows, cols, 17)
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			for _, batch := range []int{gemmF16MinBatch, gemmF16MinBatch + 1, 33, 70} {
				x := gaussian(newRand(uint64(batch)), batch*cols, 1)
				out := make([]float32, batch*rows+1)
				for i := range out {
					out[i] = 42 // the path must not add to what was there
				}
				p.MatMul(out, w, x, batch)
				want, tol := expectedMatMul(w, x, batch)
				for i, v := range want {
					if d := math.Abs(float64(out[i]) - v); d > tol[i] || out[i] != out[i] {
						t.Fatalf("cols %d threads %d batch %d out[%d] = %g, want %g (tolerance %g)", cols, threads, batch, i, out[i], v, tol[i])
					}
				}
				if out[len(out)-1] != 42 {
					t.Fatal("MatMul wrote past batch*Rows")
				}
			}
			p.Close()
		}
	}
}

// TestPack8KQuants checks the assembly Q4_K quant packer byte for byte
// against the portable packing.
func TestPack8KQuants(t *testing.T) {
	for _, c := range []struct {
		typ  gguf.Type
		fast *func(nsb int, w []byte, rowBytes int, dst []byte)
		pack func(dst []byte, w Matrix, rb, r int)
		size int
	}{
		{gguf.TypeQ4_K, &pack8Q4_KQuants, pack8Q4_K, q4KSize},
	} {
		if *c.fast == nil {
			t.Logf("no %s quant packer on this CPU", c.typ)
			continue
		}
		const rows, cols = 10, 768
		w := randomMatrix(t, c.typ, rows, cols, 9)
		rb := cols / qkK * c.size
		size := cols / 32 * pack8KBlockBytes
		for r := 0; r+8 <= rows; r++ {
			got := make([]byte, size+1)
			got[size] = 42
			c.pack(got[:size], w, rb, r)
			saved := *c.fast
			*c.fast = nil
			want := make([]byte, size)
			c.pack(want, w, rb, r)
			*c.fast = saved
			if got[size] != 42 {
				t.Fatalf("%s: packer wrote past the tile", c.typ)
			}
			for i := range size {
				if got[i] != want[i] {
					t.Fatalf("%s rows %d..: byte %d (unit %d offset %d) = %#x, want %#x", c.typ, r, i, i/pack8KBlockBytes, i%pack8KBlockBytes, got[i], want[i])
				}
			}
		}
	}
}

// TestPack16Interleaves checks that a packed 16-row tile is the two 8-row
// tiles of its rows interleaved as gemm16.go describes.
func TestPack16Interleaves(t *testing.T) {
	if pack16hQ8_0 == nil {
		t.Skip("no 16-row packers on this CPU")
	}
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
		const rows, cols = 19, 320
		nb := cols / 32
		w := randomMatrix(t, typ, rows, cols, 3)
		f, _ := formatOf(typ)
		rb := f.rowBytes(cols)
		for _, r := range []int{0, 3} {
			got := make([]byte, nb*pack16BlockBytes+1)
			got[len(got)-1] = 42
			pack16(got[:nb*pack16BlockBytes], w, rb, r)
			lo, hi := make([]byte, nb*pack8BlockBytes), make([]byte, nb*pack8BlockBytes)
			pack8Go(lo, w, rb, r)
			pack8Go(hi, w, rb, r+8)
			if got[len(got)-1] != 42 {
				t.Fatalf("%s: pack16 wrote past the tile", typ)
			}
			for b := range nb {
				g16, g8a, g8b := got[b*pack16BlockBytes:], lo[b*pack8BlockBytes:], hi[b*pack8BlockBytes:]
				check := func(what string, got, want []byte) {
					for i := range got {
						if got[i] != want[i] {
							t.Fatalf("%s rows %d.. block %d: %s byte %d = %#x, want %#x", typ, r, b, what, i, got[i], want[i])
						}
					}
				}
				check("scales 0..7", g16[:32], g8a[:32])
				check("scales 8..15", g16[32:64], g8b[:32])
				for g := range 8 {
					check("group rows 0..7", g16[64+64*g:96+64*g], g8a[32+32*g:64+32*g])
					check("group rows 8..15", g16[96+64*g:128+64*g], g8b[32+32*g:64+32*g])
				}
			}
		}
	}
}

// TestGemm8Aux checks the activation terms against a plain sum, with
// extreme quants (-128, 127) included.
func TestGemm8Aux(t *testing.T) {
	r := newRand(12)
	const nb = 7
	x := make([]byte, nb*34)
	for i := range x {
		x[i] = byte(r.IntN(256))
	}
	for i := 2; i < 34; i++ {
		x[i] = 0x80 // block 0: all -128
		x[34+i] = 127
	}
	aux := make([]uint32, 2*nb)
	for _, off := range []int32{128, 8} {
		gemm8Aux(aux, x, nb, off)
		for b := range nb {
			s := int32(0)
			for _, q := range x[b*34+2 : b*34+34] {
				s += int32(int8(q))
			}
			if got := int32(aux[2*b+1]); got != -off*s {
				t.Fatalf("offset %d block %d: correction %d, want %d", off, b, got, -off*s)
			}
			if got, want := math.Float32frombits(aux[2*b]), fp16ToFP32(uint16(x[b*34])|uint16(x[b*34+1])<<8); math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
				t.Fatalf("block %d: scale %g, want %g", b, got, want)
			}
		}
	}
}
