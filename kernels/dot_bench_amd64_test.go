package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// Per-kernel benchmarks: the Ref dot product against the dispatched one (the
// assembly on amd64 where there is one) in the same run, over every row of a
// 2048x2048 weight matrix with one activation row (TinyLlama's attention
// projection). MB/s is weight bytes streamed; GFLOP/s counts 2 per weight.
// The speedup of a kernel is ns/op of ref over ns/op of fast.
//
//	go test -run '^$' -bench 'Dot/' ./kernels/

const dotBenchRows, dotBenchCols = 2048, 2048

var dotBenchRefs = map[gguf.Type]func(n int, w, x []byte) float32{
	gguf.TypeQ8_0: dotQ8_0Ref, gguf.TypeQ4_0: dotQ4_0Ref, gguf.TypeQ4_1: dotQ4_1Ref,
	gguf.TypeQ5_0: dotQ5_0Ref, gguf.TypeQ5_1: dotQ5_1Ref, gguf.TypeQ2_K: dotQ2_KRef,
	gguf.TypeQ3_K: dotQ3_KRef, gguf.TypeQ4_K: dotQ4_KRef, gguf.TypeQ5_K: dotQ5_KRef,
	gguf.TypeQ6_K: dotQ6_KRef,
}

// dotBenchData returns a dotBenchRows x dotBenchCols matrix of type t (64
// distinct quantized rows, repeated) and one quantized activation row.
func dotBenchData(b *testing.B, t gguf.Type) (w, x []byte, f format) {
	f, _ = formatOf(t)
	af, _ := formatOf(f.act)
	r := rand.New(rand.NewPCG(1, uint64(t)))
	src := make([]float32, dotBenchCols)
	rb := f.rowBytes(dotBenchCols)
	w = make([]byte, dotBenchRows*rb)
	for row := range 64 {
		for i := range src {
			src[i] = float32(r.NormFloat64()) * 0.02
		}
		f.quant(w[row*rb:(row+1)*rb], src)
	}
	for row := 64; row < dotBenchRows; row += 64 {
		copy(w[row*rb:], w[:64*rb])
	}
	for i := range src {
		src[i] = float32(r.NormFloat64())
	}
	x = make([]byte, af.rowBytes(dotBenchCols))
	af.quant(x, src)
	return w, x, f
}

func benchDotRows(b *testing.B, w, x []byte, rb int, dot func(n int, w, x []byte) float32) {
	b.SetBytes(int64(len(w)))
	var sink float32
	for range b.N {
		for row := range dotBenchRows {
			sink += dot(dotBenchCols, w[row*rb:(row+1)*rb], x)
		}
	}
	b.ReportMetric(2*dotBenchRows*dotBenchCols*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	_ = sink
}

func BenchmarkDot(b *testing.B) {
	for _, t := range []gguf.Type{
		gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ4_1,
		gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ5_K,
	} {
		w, x, f := dotBenchData(b, t)
		rb := f.rowBytes(dotBenchCols)
		b.Run(t.String()+"/ref", func(b *testing.B) { benchDotRows(b, w, x, rb, dotBenchRefs[t]) })
		b.Run(t.String()+"/fast", func(b *testing.B) { benchDotRows(b, w, x, rb, *f.dot) })
	}
	r := rand.New(rand.NewPCG(3, 4))
	wf := make([]float32, dotBenchRows*dotBenchCols)
	xf := make([]float32, dotBenchCols)
	for i := range wf {
		wf[i] = float32(r.NormFloat64())
	}
	for i := range xf {
		xf[i] = float32(r.NormFloat64())
	}
	wh, xh := make([]uint16, len(wf)), make([]uint16, len(xf))
	F32ToF16(wh, wf)
	F32ToF16(xh, xf)
	wb, xb := make([]uint16, len(wf)), make([]uint16, len(xf))
	F32ToBF16(wb, wf)
	F32ToBF16(xb, xf)
	floatRows := func(b *testing.B, size int, dot func(row int) float32) {
		b.SetBytes(int64(size * dotBenchRows * dotBenchCols))
		var sink float32
		for range b.N {
			for row := range dotBenchRows {
				sink += dot(row)
			}
		}
		b.ReportMetric(2*dotBenchRows*dotBenchCols*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		_ = sink
	}
	row := func(row int) (lo, hi int) { return row * dotBenchCols, (row + 1) * dotBenchCols }
	for _, c := range []struct {
		name string
		size int
		dot  func(row int) float32
	}{
		{"F32/ref", 4, func(r int) float32 { lo, hi := row(r); return dotF32Ref(wf[lo:hi], xf) }},
		{"F32/go", 4, func(r int) float32 { lo, hi := row(r); return dotF32Go(wf[lo:hi], xf) }},
		{"F32/fast", 4, func(r int) float32 { lo, hi := row(r); return dotF32(wf[lo:hi], xf) }},
		{"F16/ref", 2, func(r int) float32 { lo, hi := row(r); return dotF16Ref(wh[lo:hi], xh) }},
		{"F16/go", 2, func(r int) float32 { lo, hi := row(r); return dotF16Go(wh[lo:hi], xh) }},
		{"F16/fast", 2, func(r int) float32 { lo, hi := row(r); return dotF16(wh[lo:hi], xh) }},
		{"BF16/ref", 2, func(r int) float32 { lo, hi := row(r); return dotBF16Ref(wb[lo:hi], xb) }},
		{"BF16/go", 2, func(r int) float32 { lo, hi := row(r); return dotBF16Go(wb[lo:hi], xb) }},
		{"BF16/fast", 2, func(r int) float32 { lo, hi := row(r); return dotBF16(wb[lo:hi], xb) }},
	} {
		b.Run(c.name, func(b *testing.B) { floatRows(b, c.size, c.dot) })
	}
}

// BenchmarkDotX4: the four-row kernels against four calls of the one-row
// dispatched dot, over the same 2048x2048 matrix.
func BenchmarkDotX4(b *testing.B) {
	for _, c := range []struct {
		t  gguf.Type
		x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	}{
		{gguf.TypeQ8_0, dotQ8_0x4Asm}, {gguf.TypeQ4_0, dotQ4_0x4Asm},
		{gguf.TypeQ8_0, dotQ8_0x4AsmVNNI}, {gguf.TypeQ4_0, dotQ4_0x4AsmVNNI},
	} {
		w, x, f := dotBenchData(b, c.t)
		rb := f.rowBytes(dotBenchCols)
		out := make([]float32, 4)
		b.Run(c.t.String()+"/x1", func(b *testing.B) { benchDotRows(b, w, x, rb, *f.dot) })
		b.Run(c.t.String()+"/x4", func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			for range b.N {
				for row := 0; row < dotBenchRows; row += 4 {
					c.x4(dotBenchCols, w[row*rb:], rb, x, out)
				}
			}
			b.ReportMetric(2*dotBenchRows*dotBenchCols*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}

// BenchmarkDotX4n: a batch of nx activation rows against a 2048x2048 matrix,
// by 4 x nx tiles against nx calls of the four-row dot per row group.
func BenchmarkDotX4n(b *testing.B) {
	for _, c := range []struct {
		t   gguf.Type
		x4  func(n int, w []byte, rowBytes int, x []byte, out []float32)
		x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	}{
		{gguf.TypeQ8_0, dotQ8_0x4AsmVNNI, dotQ8_0x4nAsmVNNI}, {gguf.TypeQ4_0, dotQ4_0x4AsmVNNI, dotQ4_0x4nAsmVNNI},
		{gguf.TypeQ8_0, dotQ8_0x4Asm, dotQ8_0x4nAsm}, {gguf.TypeQ4_0, dotQ4_0x4Asm, dotQ4_0x4nAsm},
	} {
		if !x86HasVNNI() {
			break
		}
		w, x1, f := dotBenchData(b, c.t)
		rb, xrb := f.rowBytes(dotBenchCols), len(x1)
		for _, nx := range []int{2, 4} {
			x := make([]byte, nx*xrb)
			for a := range nx {
				copy(x[a*xrb:], x1)
			}
			out := make([]float32, nx*dotBenchRows)
			name := fmt.Sprintf("%s/b%d", c.t, nx)
			b.Run(name+"/x4", func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for range b.N {
					for row := 0; row < dotBenchRows; row += 4 {
						for a := range nx {
							c.x4(dotBenchCols, w[row*rb:], rb, x[a*xrb:], out[a*dotBenchRows+row:])
						}
					}
				}
			})
			b.Run(name+"/x4n", func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for range b.N {
					for row := 0; row < dotBenchRows; row += 4 {
						c.x4n(dotBenchCols, w[row*rb:], rb, x, xrb, nx, out[row:], dotBenchRows)
					}
				}
			})
		}
	}
}

// BenchmarkDotK4n: K-quant batches of nx activation rows against a
// 2048x2048 matrix, one-row dots (nx calls per row) against 4 x nx tiles.
func BenchmarkDotK4n(b *testing.B) {
	for _, c := range []struct {
		t   gguf.Type
		x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	}{
		{gguf.TypeQ4_K, dotQ4_Kx4nAsm}, {gguf.TypeQ6_K, dotQ6_Kx4nAsm},
	} {
		w, x1, f := dotBenchData(b, c.t)
		rb, xrb := f.rowBytes(dotBenchCols), len(x1)
		for _, nx := range []int{1, 2} {
			x := make([]byte, nx*xrb)
			for a := range nx {
				copy(x[a*xrb:], x1)
			}
			out := make([]float32, nx*dotBenchRows)
			name := fmt.Sprintf("%s/b%d", c.t, nx)
			b.Run(name+"/x1", func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for range b.N {
					for row := range dotBenchRows {
						for a := range nx {
							out[a*dotBenchRows+row] = (*f.dot)(dotBenchCols, w[row*rb:(row+1)*rb], x[a*xrb:(a+1)*xrb])
						}
					}
				}
			})
			b.Run(name+"/x4n", func(b *testing.B) {
				b.SetBytes(int64(len(w)))
				for range b.N {
					for row := 0; row < dotBenchRows; row += 4 {
						c.x4n(dotBenchCols, w[row*rb:], rb, x, xrb, nx, out[row:], dotBenchRows)
					}
				}
			})
		}
	}
}

// BenchmarkDotFx4n: F16/BF16 batches of nx activation rows against a
// 2048x2048 matrix, one-row dots against 4 x nx tiles.
func BenchmarkDotFx4n(b *testing.B) {
	if !x86HasAVX512VL() {
		b.Skip("CPU lacks AVX-512 F/VL/BW")
	}
	r := rand.New(rand.NewPCG(8, 9))
	w := make([]uint16, dotBenchRows*dotBenchCols)
	for i := range w {
		w[i] = fp32ToFP16(float32(r.NormFloat64()))
	}
	for _, nx := range []int{1, 2, 4} {
		x := make([]uint16, nx*dotBenchCols)
		for i := range x {
			x[i] = fp32ToFP16(float32(r.NormFloat64()))
		}
		out := make([]float32, nx*dotBenchRows)
		b.Run(fmt.Sprintf("F16/b%d/x1", nx), func(b *testing.B) {
			b.SetBytes(int64(2 * len(w)))
			for range b.N {
				for row := range dotBenchRows {
					for a := range nx {
						out[a*dotBenchRows+row] = dotF16(w[row*dotBenchCols:(row+1)*dotBenchCols], x[a*dotBenchCols:(a+1)*dotBenchCols])
					}
				}
			}
		})
		b.Run(fmt.Sprintf("F16/b%d/x4n", nx), func(b *testing.B) {
			b.SetBytes(int64(2 * len(w)))
			for range b.N {
				for row := 0; row < dotBenchRows; row += 4 {
					dotF16x4nAsm(dotBenchCols, w[row*dotBenchCols:], dotBenchCols, x, dotBenchCols, nx, out[row:], dotBenchRows)
				}
			}
		})
	}
}

// BenchmarkDotKVNNI: the Q4_K/Q6_K dots, AVX2 against AVX-512 VNNI forms.
func BenchmarkDotKVNNI(b *testing.B) {
	if !x86HasVNNI() {
		b.Skip("CPU lacks AVX-512 VNNI")
	}
	for _, c := range []struct {
		t          gguf.Type
		avx2, vnni func(n int, w, x []byte) float32
	}{
		{gguf.TypeQ4_K, dotQ4_KAsm, dotQ4_KAsmVNNI}, {gguf.TypeQ6_K, dotQ6_KAsm, dotQ6_KAsmVNNI},
	} {
		w, x, f := dotBenchData(b, c.t)
		rb := f.rowBytes(dotBenchCols)
		b.Run(c.t.String()+"/avx2", func(b *testing.B) { benchDotRows(b, w, x, rb, c.avx2) })
		b.Run(c.t.String()+"/vnni", func(b *testing.B) { benchDotRows(b, w, x, rb, c.vnni) })
	}
}
