package kernels

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// dotQ6_KGGML transcribes ggml_vec_dot_q6_K_q8_K as llama.cpp's x86 builds
// compile it (arch/x86/quants.c, the __AVX2__ branch, also taken by the
// AVX-512 builds): per super-block eight int32 lanes, lane k holding the
// products of the elements e with e%32 in [4k, 4k+4) (VPMADDUBSW then
// VPMADDWD on 32-element chunks), each times its group's scale, minus
// 32*(bsums[2k]*sc[2k] + bsums[2k+1]*sc[2k+1]); then acc[k] = fma(d_x*d,
// float32(lane k), acc[k]) and hsum_float_8: (a0+a4 + a2+a6) + (a1+a5 + a3+a7).
func dotQ6_KGGML(n int, w, x []byte) float32 {
	le := binary.LittleEndian
	var acc [8]float32
	for i := range n / qkK {
		wb, xb := w[i*q6KSize:(i+1)*q6KSize], x[i*q8KSize:(i+1)*q8KSize]
		ql, qh, sc := wb[:128], wb[128:192], wb[192:208]
		d := math.Float32frombits(le.Uint32(xb)) * f16Table[le.Uint16(wb[208:])]
		q8 := xb[4 : 4+qkK]
		var lanes [8]int32
		for j := range 2 {
			for l := range 32 {
				h := qh[32*j+l]
				q := [4]int32{
					int32(ql[64*j+l]&15 | (h&3)<<4),
					int32(ql[64*j+32+l]&15 | (h>>2&3)<<4),
					int32(ql[64*j+l]>>4 | (h>>4&3)<<4),
					int32(ql[64*j+32+l]>>4 | (h>>6&3)<<4),
				}
				for c := range 4 {
					e := 128*j + 32*c + l
					lanes[l/4] += int32(int8(sc[e/16])) * q[c] * int32(int8(q8[e]))
				}
			}
		}
		for k := range 8 {
			b0 := int32(int16(le.Uint16(xb[260+4*k:])))
			b1 := int32(int16(le.Uint16(xb[262+4*k:])))
			lanes[k] -= 32 * (b0*int32(int8(sc[2*k])) + b1*int32(int8(sc[2*k+1])))
			acc[k] = fmaF32(d, float32(lanes[k]), acc[k])
		}
	}
	var r4 [4]float32
	for i := range 4 {
		r4[i] = acc[i+4] + acc[i]
	}
	return (r4[0] + r4[2]) + (r4[1] + r4[3])
}

// TestDotQ6_KGGML checks every Q6_K dot kernel (one row; one row by up to
// four activation rows; four rows) bit for bit against dotQ6_KGGML.
func TestDotQ6_KGGML(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(61, 62))
	type dot1 struct {
		name string
		f    func(n int, w, x []byte) float32
	}
	dots := []dot1{{"dotQ6_KAsm", dotQ6_KAsm}, {"dotQ6_K (dispatch)", dotQ6_K}}
	type dot4n struct {
		name string
		f    func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	}
	tiles := []dot4n{{"dotQ6_Kx4nAsm", dotQ6_Kx4nAsm}}
	if x86HasVNNI() {
		dots = append(dots, dot1{"dotQ6_KAsmVNNI", dotQ6_KAsmVNNI})
		tiles = append(tiles, dot4n{"dotQ6_Kx4nAsmVNNI", dotQ6_Kx4nAsmVNNI})
	}
	if dotQ6_Kx4n != nil {
		tiles = append(tiles, dot4n{"dotQ6_Kx4n (dispatch)", dotQ6_Kx4n})
	}
	same := func(name string, got, want float32) {
		t.Helper()
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("%s = %g (%#08x), ggml %g (%#08x)", name, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for iter := range 200 {
		nb := iter % 11
		n := nb * qkK
		rowBytes, xRowBytes := nb*q6KSize+7, nb*q8KSize+5
		w := make([]byte, 4*rowBytes)
		for row := range 4 {
			copy(w[row*rowBytes:], x86GenK(r, nb, q6KSize, []int{208}))
		}
		x := make([]byte, 4*xRowBytes)
		for a := range 4 {
			copy(x[a*xRowBytes:], x86GenQ8_K(r, nb))
		}
		var want [4][4]float32 // [activation][row]
		for a := range 4 {
			for row := range 4 {
				want[a][row] = dotQ6_KGGML(n, w[row*rowBytes:], x[a*xRowBytes:])
			}
		}
		for _, d := range dots {
			same(d.name, d.f(n, w, x), want[0][0])
		}
		for _, k := range tiles {
			for nx := 1; nx <= 4; nx++ {
				const outStride = 6
				out := make([]float32, 4*outStride)
				k.f(n, w, rowBytes, x, xRowBytes, nx, out, outStride)
				for a := range nx {
					for row := range 4 {
						same(k.name, out[a*outStride+row], want[a][row])
					}
				}
			}
		}
		out := make([]float32, 4)
		dotQ6_Kx4Asm(n, w, rowBytes, x[:nb*q8KSize], out)
		for row := range 4 {
			same("dotQ6_Kx4Asm", out[row], want[0][row])
		}
	}
}

// TestMatMulQ6_KGGML checks MatMul on Q6_K weights in the file layout bit
// for bit against llama.cpp, which has no repacked or sgemm path for Q6_K on
// x86 and runs ggml_vec_dot_q6_K_q8_K for every row and batch size: the row
// dots, and the tiles packed per call (pack16Q6R) from batch 4 and from
// gemm16Q6RMinBatch.
func TestMatMulQ6_KGGML(t *testing.T) {
	saved := gemm16Q6RMinBatch
	defer func() { gemm16Q6RMinBatch = saved }()
	for _, minBatch := range []int{saved, 4} {
		gemm16Q6RMinBatch = minBatch
		testMatMulQ6_KGGML(t)
	}
}

func testMatMulQ6_KGGML(t *testing.T) {
	for _, shape := range [][2]int{{37, 512}, {64, 768}, {53, 256}} {
		rows, cols := shape[0], shape[1]
		w := randomMatrix(t, gguf.TypeQ6_K, rows, cols, uint64(rows*cols))
		rb := w.RowBytes()
		for _, threads := range []int{1, 2, 3} {
			p := NewPool(threads)
			for _, batch := range []int{1, 2, 3, 4, 5, 8, 9, 15, 16, 17, 40} {
				x := gaussian(newRand(uint64(batch)+100), batch*cols, 1)
				out := make([]float32, batch*rows)
				p.MatMul(out, w, x, batch)
				for b := range batch {
					xq := quantizeAct(gguf.TypeQ6_K, x[b*cols:(b+1)*cols])
					for r := range rows {
						want := dotQ6_KGGML(cols, w.Data[r*rb:(r+1)*rb], xq)
						if got := out[b*rows+r]; math.Float32bits(got) != math.Float32bits(want) {
							t.Fatalf("%dx%d threads %d batch %d: out[%d][%d] = %g, want %g", rows, cols, threads, batch, b, r, got, want)
						}
					}
				}
			}
			p.Close()
		}
	}
}

// TestMatMulRepackedQ6_KGGML checks MatMul on Q6_K weights repacked at load
// (Repack) bit for bit against dotQ6_KGGML on the GGUF rows, for every
// kernel width and rows after the last whole tile.
func TestMatMulRepackedQ6_KGGML(t *testing.T) {
	if packedFormatOf(gguf.TypeQ6_K) == nil {
		t.Skip("no repacked-tile kernels on this CPU")
	}
	for _, shape := range [][2]int{{37, 512}, {64, 768}} {
		rows, cols := shape[0], shape[1]
		w := randomMatrix(t, gguf.TypeQ6_K, rows, cols, uint64(rows*cols+1))
		rb := w.RowBytes()
		pw := Repack(w)
		if !pw.Repacked() {
			t.Fatal("Repack did not repack Q6_K")
		}
		for _, wide := range []int{4, 8} {
			setPackedQ6_KWide(wide)
			for _, threads := range []int{1, 2, 3} {
				p := NewPool(threads)
				for _, batch := range []int{1, 2, 3, 4, 5, 7, 8, 9, 17, 40} {
					x := gaussian(newRand(uint64(batch)+200), batch*cols, 1)
					out := make([]float32, batch*rows)
					p.MatMul(out, pw, x, batch)
					for b := range batch {
						xq := quantizeAct(gguf.TypeQ6_K, x[b*cols:(b+1)*cols])
						for r := range rows {
							want := dotQ6_KGGML(cols, w.Data[r*rb:(r+1)*rb], xq)
							if got := out[b*rows+r]; math.Float32bits(got) != math.Float32bits(want) {
								t.Fatalf("%dx%d wide %d threads %d batch %d: out[%d][%d] = %g, want %g", rows, cols, wide, threads, batch, b, r, got, want)
							}
						}
					}
				}
				p.Close()
			}
		}
		setPackedQ6_KWide(8)
	}
}

// TestPack16Q6R checks the assembly packer against the Go one (pack16Q6R
// without pack16Q6RFast, which shares repackQ6_KRow's layout with Repack).
func TestPack16Q6R(t *testing.T) {
	if pack16Q6RFast == nil {
		t.Skip("no assembly packer on this CPU")
	}
	for _, nsb := range []int{1, 3, 8} {
		w := randomMatrix(t, gguf.TypeQ6_K, 19, nsb*qkK, uint64(nsb))
		rb := w.RowBytes()
		for r := range 3 {
			got, want := make([]byte, nsb*3360), make([]byte, nsb*3360)
			pack16Q6R(got, w, rb, r)
			saved := pack16Q6RFast
			pack16Q6RFast = nil
			pack16Q6R(want, w, rb, r)
			pack16Q6RFast = saved
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("nsb %d rows %d..: byte %d = %#x, want %#x", nsb, r, i, got[i], want[i])
				}
			}
		}
	}
}

// BenchmarkMatMulQ6_K compares batched Q6_K MatMul through the row dots
// (dots), tiles packed per call (packed), the weights repacked at load with
// the 4- and 8-row widest kernels (repacked4, repacked; all llama.cpp's
// arithmetic) in one run:
//
//	go test ./kernels -run XXX -bench 'MatMulQ6_K$' -count 3
func BenchmarkMatMulQ6_K(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, batch := range []int{1, 2, 4, 8, 16, 32, 128} {
		x := gaussian(newRand(2), batch*cols, 1)
		out := make([]float32, batch*rows)
		for _, path := range []string{"dots", "packed", "repacked4", "repacked"} {
			if path == "packed" && batch < 4 {
				continue
			}
			b.Run(fmt.Sprintf("b%d/%s", batch, path), func(b *testing.B) {
				savedMin := gemm16Q6RMinBatch
				defer func() { gemm16Q6RMinBatch = savedMin }()
				switch path {
				case "dots":
					gemm16Q6RMinBatch = 1 << 30
				case "packed":
					gemm16Q6RMinBatch = 1
				}
				w := benchMatrix(b, gguf.TypeQ6_K, rows, cols)
				if path == "repacked" || path == "repacked4" {
					if w = Repack(w); !w.Repacked() {
						b.Skip("no repacked kernels on this CPU")
					}
					if path == "repacked4" {
						setPackedQ6_KWide(4)
						defer setPackedQ6_KWide(8)
					}
				}
				timeMatMul(b, 1, out, w, x, batch)
			})
		}
	}
}

// BenchmarkMatMulRepackedQ6_K is BenchmarkMatMulRepacked for Q6_K: decode
// (batch 1), two contexts (batch 2) and prefill (batch 64) at TinyLlama's
// output head shape (32000x2048), file layout vs repacked. MB/s is weight
// bytes.
//
//	go test ./kernels -run XXX -bench MatMulRepackedQ6_K -benchtime 20x
func BenchmarkMatMulRepackedQ6_K(b *testing.B) {
	const rows, cols = 32000, 2048
	var w, wp Matrix
	for _, batch := range []int{1, 2, 64} {
		x := gaussian(newRand(2), batch*cols, 1)
		out := make([]float32, batch*rows)
		for _, threads := range []int{1, 2} {
			for _, layout := range []string{"gguf", "repacked"} {
				b.Run(fmt.Sprintf("b%d/t%d/%s", batch, threads, layout), func(b *testing.B) {
					if w.Data == nil {
						w = benchMatrix(b, gguf.TypeQ6_K, rows, cols)
						wp = Repack(w)
					}
					m := w
					if layout == "repacked" {
						if !wp.Repacked() {
							b.Skip("no repacked kernels on this CPU")
						}
						m = wp
					}
					timeMatMul(b, threads, out, m, x, batch)
				})
			}
		}
	}
}
