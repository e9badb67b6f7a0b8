package kernels_test

import (
	"fmt"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// A 2x64 weight matrix in Q8_0 times a batch of two activation rows.
func ExamplePool_MatMul() {
	const rows, cols = 2, 64
	weights := make([]float32, rows*cols)
	for c := 0; c < cols; c++ {
		weights[c] = 1                   // row 0: all ones (sums the input)
		weights[cols+c] = float32(c % 2) // row 1: every odd element
	}
	data := make([]byte, rows*cols/32*34) // Q8_0: 34 bytes per 32 elements
	if err := kernels.Quantize(data, gguf.TypeQ8_0, weights); err != nil {
		panic(err)
	}
	w, err := kernels.NewMatrix(&gguf.TensorInfo{Name: "w", Shape: []int64{cols, rows}, Type: gguf.TypeQ8_0}, data)
	if err != nil {
		panic(err)
	}

	x := make([]float32, 2*cols) // batch of 2
	for i := range x[:cols] {
		x[i] = 0.5
		x[cols+i] = float32(i)
	}
	pool := kernels.NewPool(2)
	defer pool.Close()
	out := make([]float32, 2*rows) // out[b*rows + r]
	pool.MatMul(out, w, x, 2)
	fmt.Printf("batch 0: %.2f %.2f\n", out[0], out[1])
	// Exact: 2016 and 1024; like llama.cpp, MatMul quantizes the activations
	// to Q8_0 (8 bits per element) before the dot products.
	fmt.Printf("batch 1: %.1f %.1f\n", out[2], out[3])
	// Output:
	// batch 0: 32.00 16.00
	// batch 1: 2020.0 1025.7
}

// Quantize to Q4_0 and back: 4-bit levels of the block's largest magnitude / 8.
func ExampleQuantize() {
	x := make([]float32, 32)
	for i := range x {
		x[i] = float32(i-16) / 2 // -8 .. 7.5
	}
	q := make([]byte, 18) // one Q4_0 block: F16 scale + 16 bytes of nibbles
	if err := kernels.Quantize(q, gguf.TypeQ4_0, x); err != nil {
		panic(err)
	}
	y := make([]float32, 32)
	if err := kernels.Dequantize(y, gguf.TypeQ4_0, q); err != nil {
		panic(err)
	}
	fmt.Println(x[:6])
	fmt.Println(y[:6])
	// Output:
	// [-8 -7.5 -7 -6.5 -6 -5.5]
	// [-8 -7 -7 -6 -6 -5]
}

func ExampleRMSNorm() {
	x := []float32{1, 2, 3, 4}
	weight := []float32{1, 1, 2, 2}
	out := make([]float32, 4)
	kernels.RMSNorm(out, x, weight, 1e-6)
	fmt.Printf("%.4f\n", out)
	// Output:
	// [0.3651 0.7303 2.1909 2.9212]
}

// Rotate one head of four dimensions at position 1 (normal layout: pairs
// (0,1) and (2,3); the second pair turns 100x slower with base 10000).
func ExampleRoPE_Apply() {
	rope := kernels.NewRoPE(4, 10000, kernels.RoPEScaling{Type: "none"})
	x := []float32{1, 0, 1, 0}
	rope.Apply(x, 1, 4, 1, false)
	fmt.Printf("%.4f\n", x)
	// Output:
	// [0.5403 0.8415 0.9999 0.0100]
}

func ExampleSoftmax() {
	x := []float32{1, 2, 3}
	kernels.Softmax(x)
	fmt.Printf("%.4f\n", x)
	// Output:
	// [0.0900 0.2447 0.6652]
}

func ExampleSwiGLU() {
	gate := []float32{-1, 0, 1, 4}
	up := []float32{1, 1, 1, 0.5}
	kernels.SwiGLU(gate, gate, up) // in place
	fmt.Printf("%.4f\n", gate)
	// Output:
	// [-0.2689 0.0000 0.7311 1.9640]
}

// One query head attending over two cached positions: the first key
// matches the query, so its value dominates.
func ExampleAttentionF32() {
	q := []float32{4, 0}
	keys := []float32{1, 0, 0, 1}   // position 0, position 1
	values := []float32{1, 0, 0, 1} // position 0, position 1
	out := make([]float32, 2)
	kernels.AttentionF32(out, q, keys, values, 2, 1, 1, 2, 1, make([]float32, 2))
	fmt.Printf("%.4f\n", out)
	// Output:
	// [0.9820 0.0180]
}

// Row decodes one row of a weight matrix, e.g. a token embedding.
func ExampleRow() {
	emb := []float32{0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5} // 2 tokens x 4 dims
	data := make([]byte, 2*len(emb))                 // F16
	if err := kernels.Quantize(data, gguf.TypeF16, emb); err != nil {
		panic(err)
	}
	w, err := kernels.NewMatrix(&gguf.TensorInfo{Name: "token_embd.weight", Shape: []int64{4, 2}, Type: gguf.TypeF16}, data)
	if err != nil {
		panic(err)
	}
	row := make([]float32, 4)
	kernels.Row(row, w, 1)
	fmt.Println(row)
	// Output:
	// [2 2.5 3 3.5]
}

// Run splits a range over the pool's threads in contiguous chunks.
func ExamplePool_Run() {
	pool := kernels.NewPool(2)
	defer pool.Close()
	squares := make([]int, 10)
	pool.Run(len(squares), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			squares[i] = i * i
		}
	})
	fmt.Println(squares)
	// Output:
	// [0 1 4 9 16 25 36 49 64 81]
}

// F32ToF16 fills an F16 KV cache; values round to the nearest binary16.
func ExampleF32ToF16() {
	h := make([]uint16, 3)
	kernels.F32ToF16(h, []float32{1, 0.1, 70000})
	back := make([]float32, 3)
	kernels.F16ToF32(back, h)
	fmt.Printf("%#04x %v\n", h, back)
	// Output:
	// [0x3c00 0x2e66 0x7c00] [1 0.099975586 +Inf]
}

// Kernels tells which implementation each dispatch entry uses on this CPU
// (assembly on amd64 with AVX2, portable Go elsewhere).
func ExampleKernels() {
	for _, line := range kernels.Kernels()[:4] {
		fmt.Println(line) // e.g. "dotQ8_0: dotQ8_0AsmVNNI"
	}
}

// Repack a Q8_0 matrix at load time: MatMul then reads the interleaved tiles
// (on CPUs that have kernels for them; elsewhere Repack returns the matrix
// unchanged) and gives the same products up to float32 rounding.
func ExampleRepack() {
	const rows, cols = 32, 64
	weights := make([]float32, rows*cols)
	for i := range weights {
		weights[i] = float32(i%7) - 3
	}
	data := make([]byte, rows*cols/32*34)
	if err := kernels.Quantize(data, gguf.TypeQ8_0, weights); err != nil {
		panic(err)
	}
	w, err := kernels.NewMatrix(&gguf.TensorInfo{Name: "w", Shape: []int64{cols, rows}, Type: gguf.TypeQ8_0}, data)
	if err != nil {
		panic(err)
	}
	packed := kernels.Repack(w) // new memory; w.Data stays valid and unchanged

	x := make([]float32, cols)
	for i := range x {
		x[i] = float32(i%5) - 2
	}
	pool := kernels.NewPool(1)
	defer pool.Close()
	a, b := make([]float32, rows), make([]float32, rows)
	pool.MatMul(a, w, x, 1)
	pool.MatMul(b, packed, x, 1)
	fmt.Printf("%.3f\n", a[:4])
	fmt.Printf("%.3f\n", b[:4])
	// Output:
	// [-5.991 5.960 11.046 9.062]
	// [-5.991 5.960 11.046 9.062]
}
