package bench

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// shape is one weight matrix of a real model: rows output features of cols
// input features (ggml: Shape = [cols, rows]).
type shape struct {
	model, name string
	rows, cols  int
}

var shapes = []shape{
	{"TinyLlama", "attn_q", 2048, 2048},
	{"TinyLlama", "attn_kv", 256, 2048}, // 4 KV heads x 64
	{"TinyLlama", "ffn_up", 5632, 2048},
	{"TinyLlama", "ffn_down", 2048, 5632},
	{"TinyLlama", "output", 32000, 2048},
	{"Qwen2.5-0.5B", "attn_q", 896, 896},
	{"Qwen2.5-0.5B", "ffn_up", 4864, 896},
	{"Llama-3.2-1B", "attn_q", 2048, 2048},
	{"Llama-3.2-1B", "ffn_up", 8192, 2048},
}

// weightTypes are every weight type kernels supports, the speed targets first.
var weightTypes = []gguf.Type{
	gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeF16,
	gguf.TypeF32, gguf.TypeBF16, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1,
	gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ5_K,
}

// distinctRows is how many different rows a benchmark matrix holds; the
// rest repeat them. Quantizing every row of a 32000x2048 matrix with the
// reference quantizers would take longer than the benchmark.
const distinctRows = 64

// newMatrix returns a rows x cols matrix of type t made from normally
// distributed weights, quantized with the package's reference quantizers.
func newMatrix(tb testing.TB, t gguf.Type, rows, cols int) kernels.Matrix {
	tb.Helper()
	rowBytes, err := t.RowBytes(int64(cols))
	if err != nil {
		tb.Fatalf("%s row of %d: %v", t, cols, err)
	}
	rb := int(rowBytes)
	r := rand.New(rand.NewPCG(uint64(rows), uint64(cols)))
	n := min(rows, distinctRows)
	src := make([]float32, n*cols)
	for i := range src {
		src[i] = float32(r.NormFloat64()) * 0.02
	}
	seed := make([]byte, n*rb)
	for i := range n {
		if err := kernels.Quantize(seed[i*rb:(i+1)*rb], t, src[i*cols:(i+1)*cols]); err != nil {
			tb.Fatalf("quantize %s: %v", t, err)
		}
	}
	data := make([]byte, rows*rb)
	for i := 0; i < rows; i += n {
		copy(data[i*rb:], seed)
	}
	return kernels.Matrix{Type: t, Rows: rows, Cols: cols, Data: data}
}

// benchMatVec times MatMul of w with batch activation rows on a pool of the
// given size.
func benchMatVec(b *testing.B, w kernels.Matrix, threads, batch int) {
	pool := kernels.NewPool(threads)
	defer pool.Close()
	r := rand.New(rand.NewPCG(7, uint64(w.Cols)))
	x := make([]float32, batch*w.Cols)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	out := make([]float32, batch*w.Rows)
	pool.MatMul(out, w, x, batch) // warm up: scratch allocation, page faults
	b.SetBytes(int64(len(w.Data)))
	b.ResetTimer()
	for range b.N {
		pool.MatMul(out, w, x, batch)
	}
	flops := 2 * float64(w.Rows) * float64(w.Cols) * float64(batch) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

// BenchmarkMatVec: one activation row (decoding one token) per call, every
// shape, weight type, layout and thread count. Names:
// MatVec/model/matrix/type/layout/tN.
// layouts are the weight layouts a type is timed in: the file's, and for
// the types the model repacks at load (kernels.CanRepack) the repacked one
// that decoding and prefill then read.
func layouts(t gguf.Type, s shape) []string {
	if kernels.CanRepack(kernels.Matrix{Type: t, Rows: s.rows, Cols: s.cols}) {
		return []string{"file", "repacked"}
	}
	return []string{"file"}
}

// newMatrixIn returns newMatrix in the named layout.
func newMatrixIn(tb testing.TB, t gguf.Type, s shape, layout string) kernels.Matrix {
	w := newMatrix(tb, t, s.rows, s.cols)
	if layout == "repacked" {
		w = kernels.Repack(w)
		if !w.Repacked() {
			tb.Fatalf("%s %dx%d: not repacked", t, s.rows, s.cols)
		}
	}
	return w
}

func BenchmarkMatVec(b *testing.B) {
	for _, s := range shapes {
		for _, t := range weightTypes {
			if int64(s.cols)%t.BlockSize() != 0 {
				continue
			}
			for _, layout := range layouts(t, s) {
				for _, threads := range []int{1, 2} {
					name := fmt.Sprintf("%s/%s_%dx%d/%s/%s/t%d", s.model, s.name, s.rows, s.cols, t, layout, threads)
					b.Run(name, func(b *testing.B) {
						benchMatVec(b, newMatrixIn(b, t, s, layout), threads, 1)
					})
				}
			}
		}
	}
}

// BenchmarkPrefill: 128 activation rows per call (a prompt batch), where
// the kernels are compute-bound; GFLOP/s is the figure to read.
func BenchmarkPrefill(b *testing.B) {
	for _, s := range shapes[:5] {
		for _, t := range weightTypes[:5] {
			for _, layout := range layouts(t, s) {
				for _, threads := range []int{1, 2} {
					name := fmt.Sprintf("%s/%s_%dx%d/%s/%s/t%d", s.model, s.name, s.rows, s.cols, t, layout, threads)
					b.Run(name, func(b *testing.B) {
						benchMatVec(b, newMatrixIn(b, t, s, layout), threads, 128)
					})
				}
			}
		}
	}
}

// BenchmarkMatVecBatch2: two activation rows per call, how the Amulet
// decoder runs its two contexts; the weights are read once for both.
func BenchmarkMatVecBatch2(b *testing.B) {
	for _, s := range shapes[:5] {
		for _, t := range weightTypes[:5] {
			for _, layout := range layouts(t, s) {
				for _, threads := range []int{1, 2} {
					name := fmt.Sprintf("%s/%s_%dx%d/%s/%s/t%d", s.model, s.name, s.rows, s.cols, t, layout, threads)
					b.Run(name, func(b *testing.B) {
						benchMatVec(b, newMatrixIn(b, t, s, layout), threads, 2)
					})
				}
			}
		}
	}
}
