package kernels

import (
	"fmt"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// benchMatrix returns a rows x cols matrix of type typ for benchmarks:
// Gaussian weights for the float types, random blocks with finite scales
// for the quantized ones (quantizing large K-quant matrices is slow).
// timeMatMul times MatMul(out, w, x, batch) on a pool of the given size,
// reporting weight bytes per second and GFLOP/s (2 per weight per batch row).
func timeMatMul(b *testing.B, threads int, out []float32, w Matrix, x []float32, batch int) {
	p := NewPool(threads)
	defer p.Close()
	b.SetBytes(int64(len(w.Data)))
	for b.Loop() {
		p.MatMul(out, w, x, batch)
	}
	b.ReportMetric(2*float64(batch*w.Rows*w.Cols)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func benchMatrix(b *testing.B, typ gguf.Type, rows, cols int) Matrix {
	f, _ := formatOf(typ)
	var data []byte
	if f.blockSize == 1 {
		data = make([]byte, rows*f.rowBytes(cols))
		if err := Quantize(data, typ, gaussian(newRand(1), rows*cols, 0.05)); err != nil {
			b.Fatal(err)
		}
	} else {
		data = randomBlocks(newRand(1), typ, rows*cols/f.blockSize)
	}
	m, err := NewMatrix(&gguf.TensorInfo{Name: "bench", Shape: []int64{int64(cols), int64(rows)}, Type: typ}, data)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkMatVec measures one activation row times a weight matrix for
// every weight type at TinyLlama's 2048x2048 (attention) and 5632x2048
// (FFN up/gate) shapes, on 1 and 2 threads. SetBytes is the weight bytes, so
// MB/s reads as weight bandwidth; GFLOP/s counts 2 per weight.
//
//	go test ./kernels -run XXX -bench MatVec -benchtime 20x
func BenchmarkMatVec(b *testing.B) {
	for _, typ := range weightTypes {
		for _, shape := range [][2]int{{2048, 2048}, {5632, 2048}} {
			rows, cols := shape[0], shape[1]
			var w Matrix
			x := gaussian(newRand(2), cols, 1)
			out := make([]float32, rows)
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/%dx%d/t%d", typ, rows, cols, threads), func(b *testing.B) {
					if w.Data == nil {
						w = benchMatrix(b, typ, rows, cols)
					}
					timeMatMul(b, threads, out, w, x, 1)
				})
			}
		}
	}
}

// BenchmarkMatMulBatch measures a prompt-sized batch (32 rows) through a
// 2048x2048 matrix: every weight row is read once for the whole batch.
func BenchmarkMatMulBatch(b *testing.B) {
	const batch, rows, cols = 32, 2048, 2048
	for _, typ := range weightTypes {
		x := gaussian(newRand(2), batch*cols, 1)
		out := make([]float32, batch*rows)
		b.Run(typ.String(), func(b *testing.B) {
			w := benchMatrix(b, typ, rows, cols)
			timeMatMul(b, 1, out, w, x, batch)
		})
	}
}

// BenchmarkPoolRun measures the fixed cost of one parallel job (wake the
// workers, run empty chunks, wait): decoding runs hundreds per token.
func BenchmarkPoolRun(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("t%d", threads), func(b *testing.B) {
			p := NewPool(threads)
			defer p.Close()
			fn := func(lo, hi int) {}
			for b.Loop() {
				p.Run(64, fn)
			}
		})
	}
}

// BenchmarkQuantizeRow measures the activation quantizers on a 2048 row
// (run once per MatMul call and batch row).
func BenchmarkQuantizeRow(b *testing.B) {
	x := gaussian(newRand(3), 2048, 1)
	dst := make([]byte, 2048/256*q8KSize)
	for _, c := range []struct {
		name string
		fn   func([]byte, []float32)
	}{{"Q8_0", quantizeRowQ8_0}, {"Q8_1", quantizeRowQ8_1}, {"Q8_K", quantizeRowQ8_K}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(4 * 2048)
			for b.Loop() {
				c.fn(dst, x)
			}
		})
	}
}

// BenchmarkSwiGLU measures the FFN activation at TinyLlama's width (5632).
func BenchmarkSwiGLU(b *testing.B) {
	g, u := gaussian(newRand(4), 5632, 2), gaussian(newRand(5), 5632, 1)
	dst := make([]float32, 5632)
	b.SetBytes(4 * 5632)
	for b.Loop() {
		SwiGLU(dst, g, u)
	}
}

// BenchmarkMatMulGemm8 compares the packed 8-row tile path of batched
// MatMul (Q8_0, Q4_0) with the four-row x nx path it replaces, in one run:
//
//	go test ./kernels -run XXX -bench MatMulGemm8 -count 3
func BenchmarkMatMulGemm8(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0} {
		for _, batch := range []int{8, 32, 64, 128} {
			x := gaussian(newRand(2), batch*cols, 1)
			out := make([]float32, batch*rows)
			for _, path := range []string{"x4n", "packed4", "packed"} {
				b.Run(fmt.Sprintf("%s/b%d/%s", typ, batch, path), func(b *testing.B) {
					saved4, saved8 := gemm8x4, gemm8x8
					defer func() { gemm8x4, gemm8x8 = saved4, saved8 }()
					switch path {
					case "x4n":
						gemm8x4 = nil
					case "packed4":
						gemm8x8 = nil
					}
					if path != "x4n" && gemm8x4 == nil {
						b.Skip("no packed-tile kernels on this CPU")
					}
					w := benchMatrix(b, typ, rows, cols)
					timeMatMul(b, 1, out, w, x, batch)
				})
			}
		}
	}
}

// BenchmarkMatMulGemmF16 compares the float32 GEMM path of batched F16
// MatMul with the four-row x nx tiles it replaces, in one run:
//
//	go test ./kernels -run XXX -bench MatMulGemmF16 -count 3
func BenchmarkMatMulGemmF16(b *testing.B) {
	const rows, cols = 2048, 2048
	for _, batch := range []int{8, 32, 64, 128} {
		x := gaussian(newRand(2), batch*cols, 1)
		out := make([]float32, batch*rows)
		for _, path := range []string{"x4n", "gemm"} {
			b.Run(fmt.Sprintf("b%d/%s", batch, path), func(b *testing.B) {
				saved := gemmF16T12
				defer func() { gemmF16T12 = saved }()
				if path == "x4n" {
					gemmF16T12 = nil
				} else if gemmF16T12 == nil {
					b.Skip("no F16 GEMM kernels on this CPU")
				}
				w := benchMatrix(b, gguf.TypeF16, rows, cols)
				timeMatMul(b, 1, out, w, x, batch)
			})
		}
	}
}

// BenchmarkMatMulRepacked compares MatMul on the GGUF layout with MatMul on
// the same Q8_0/Q4_0/Q4_K matrix repacked at load (Repack), for decoding (batch
// 1), Amulet's two contexts (batch 2) and prefill (batch 64), at the shape
// of TinyLlama's output head (32000x2048, larger than the caches, so decode
// reads from memory). MB/s is weight bytes.
//
//	go test ./kernels -run XXX -bench MatMulRepacked -benchtime 20x
func BenchmarkMatMulRepacked(b *testing.B) {
	const rows, cols = 32000, 2048
	for _, typ := range []gguf.Type{gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K} {
		var w, wp Matrix
		for _, batch := range []int{1, 2, 64} {
			x := gaussian(newRand(2), batch*cols, 1)
			out := make([]float32, batch*rows)
			for _, threads := range []int{1, 2} {
				for _, layout := range []string{"gguf", "repacked"} {
					b.Run(fmt.Sprintf("%s/b%d/t%d/%s", typ, batch, threads, layout), func(b *testing.B) {
						if w.Data == nil {
							w = benchMatrix(b, typ, rows, cols)
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
}
