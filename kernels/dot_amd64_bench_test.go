package kernels

import (
	"math/rand/v2"
	"testing"
)

// Per-kernel matvec benchmarks at TinyLlama's 2048x2048 shape: every row of a
// weight matrix dotted with one activation row. SetBytes is the weight bytes
// streamed, so MB/s reads as weight bandwidth; GFLOP/s counts 2 per weight.

var x86BenchRows, x86BenchCols = 2048, 2048

func x86BenchBlocks(b *testing.B, name string, rowBytes, xBytes int, fn func(n int, w, x []byte) float32) {
	r := rand.New(rand.NewPCG(1, 1))
	w := make([]byte, x86BenchRows*rowBytes)
	for i := range w {
		w[i] = byte(r.Uint32() & 0x3f) // small, finite f16 scales and codes
	}
	x := make([]byte, xBytes)
	for i := range x {
		x[i] = byte(r.Uint32() & 0x3f)
	}
	b.SetBytes(int64(len(w)))
	b.ResetTimer()
	var sink float32
	for range b.N {
		for row := range x86BenchRows {
			sink += fn(x86BenchCols, w[row*rowBytes:(row+1)*rowBytes], x)
		}
	}
	b.ReportMetric(2*float64(x86BenchRows*x86BenchCols)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	_ = sink
}

func x86RefFn(ref func(n int, w, x []byte) (float64, float64)) func(n int, w, x []byte) float32 {
	return func(n int, w, x []byte) float32 { s, _ := ref(n, w, x); return float32(s) }
}

func BenchmarkX86DotQ8_0(b *testing.B) {
	rb := x86BenchCols / 32 * 34
	b.Run("asm", func(b *testing.B) { x86BenchBlocks(b, "Q8_0", rb, rb, dotQ8_0Asm) })
	if x86HasVNNI() {
		b.Run("vnni", func(b *testing.B) { x86BenchBlocks(b, "Q8_0", rb, rb, dotQ8_0AsmVNNI) })
	}
	b.Run("scalar", func(b *testing.B) { x86BenchBlocks(b, "Q8_0", rb, rb, x86RefFn(x86RefQ8_0)) })
}

func BenchmarkX86DotQ4_0(b *testing.B) {
	rb, xb := x86BenchCols/32*18, x86BenchCols/32*34
	b.Run("asm", func(b *testing.B) { x86BenchBlocks(b, "Q4_0", rb, xb, dotQ4_0Asm) })
	if x86HasVNNI() {
		b.Run("vnni", func(b *testing.B) { x86BenchBlocks(b, "Q4_0", rb, xb, dotQ4_0AsmVNNI) })
	}
	b.Run("scalar", func(b *testing.B) { x86BenchBlocks(b, "Q4_0", rb, xb, x86RefFn(x86RefQ4_0)) })
}

func BenchmarkX86DotQ4_K(b *testing.B) {
	rb, xb := x86BenchCols/256*144, x86BenchCols/256*292
	b.Run("asm", func(b *testing.B) { x86BenchBlocks(b, "Q4_K", rb, xb, dotQ4_KAsm) })
	b.Run("scalar", func(b *testing.B) { x86BenchBlocks(b, "Q4_K", rb, xb, x86RefFn(x86RefQ4_K)) })
}

func BenchmarkX86DotQ6_K(b *testing.B) {
	rb, xb := x86BenchCols/256*210, x86BenchCols/256*292
	b.Run("asm", func(b *testing.B) { x86BenchBlocks(b, "Q6_K", rb, xb, dotQ6_KAsm) })
	b.Run("scalar", func(b *testing.B) { x86BenchBlocks(b, "Q6_K", rb, xb, x86RefFn(x86RefQ6_K)) })
}

func BenchmarkX86DotF16(b *testing.B) {
	w := make([]uint16, x86BenchRows*x86BenchCols)
	x := make([]uint16, x86BenchCols)
	for i := range w {
		w[i] = 0x3c00
	}
	b.SetBytes(int64(2 * len(w)))
	var sink float32
	for range b.N {
		for row := range x86BenchRows {
			sink += dotF16Asm(w[row*x86BenchCols:(row+1)*x86BenchCols], x)
		}
	}
	_ = sink
}
