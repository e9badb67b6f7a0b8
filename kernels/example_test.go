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
