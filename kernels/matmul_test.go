package kernels

import (
	"fmt"
	"math"
	"sync/atomic"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// weightTypes are every type MatMul supports.
var weightTypes = append([]gguf.Type{gguf.TypeF32}, synthTypes...)

// randomMatrix quantizes Gaussian weights to a rows x cols Matrix of type t.
func randomMatrix(t testing.TB, typ gguf.Type, rows, cols int, seed uint64) Matrix {
	t.Helper()
	f, _ := formatOf(typ)
	data := make([]byte, rows*f.rowBytes(cols))
	if err := Quantize(data, typ, gaussian(newRand(seed), rows*cols, 0.05)); err != nil {
		t.Fatal(err)
	}
	info := &gguf.TensorInfo{Name: "w", Shape: []int64{int64(cols), int64(rows)}, Type: typ}
	m, err := NewMatrix(info, data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expectedMatMul computes the MatMul result independently in float64 from
// the dequantized weights and the activations as the dot product sees them
// (quantized / rounded to the activation type). It returns values and
// per-output tolerances.
func expectedMatMul(w Matrix, x []float32, batch int) (want, tol []float64) {
	f, _ := formatOf(w.Type)
	rb := f.rowBytes(w.Cols)
	want = make([]float64, batch*w.Rows)
	tol = make([]float64, batch*w.Rows)
	wrow := make([]float32, w.Cols)
	xs := make([]float32, w.Cols)
	for b := 0; b < batch; b++ {
		xb := x[b*w.Cols : (b+1)*w.Cols]
		var xq []byte
		switch w.Type {
		case gguf.TypeF32:
			copy(xs, xb)
		case gguf.TypeF16:
			for i, v := range xb {
				xs[i] = roundF16(v)
			}
		case gguf.TypeBF16:
			for i, v := range xb {
				xs[i] = bf16ToFP32(fp32ToBF16(v))
			}
		default:
			xq = quantizeAct(w.Type, xb)
		}
		for r := 0; r < w.Rows; r++ {
			wr := w.Data[r*rb : (r+1)*rb]
			var s, mag, extra float64
			if xq != nil {
				s, mag, extra = decodedDot(w.Type, w.Cols, wr, xq)
			} else {
				f.dequant(wrow, wr)
				for i, v := range wrow {
					p := float64(v) * float64(xs[i])
					s += p
					mag += math.Abs(p)
				}
			}
			want[b*w.Rows+r] = s
			// float32 accumulation over the blocks / elements, in any order.
			tol[b*w.Rows+r] = 2*float64(w.Cols/f.blockSize+64)*math.Ldexp(mag, -24) + extra + 1e-30
		}
	}
	return want, tol
}

func TestMatMul(t *testing.T) {
	for _, typ := range weightTypes {
		f, _ := formatOf(typ)
		cols := 2 * 256
		if f.blockSize == 1 {
			cols = 301 // odd length for the float kernels
		}
		w := randomMatrix(t, typ, 37, cols, 7)
		for _, threads := range []int{1, 2, 3, 8} {
			p := NewPool(threads)
			for _, batch := range []int{1, 2, 5} {
				x := gaussian(newRand(uint64(batch)), batch*cols, 1)
				out := make([]float32, batch*w.Rows+1)
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

func TestMatMulAllocs(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeQ8_0, gguf.TypeQ4_K} {
		w := randomMatrix(t, typ, 64, 512, 9)
		x := gaussian(newRand(1), 4*512, 1)
		out := make([]float32, 4*64)
		p.MatMul(out, w, x, 4) // grows the scratch
		if a := testing.AllocsPerRun(20, func() { p.MatMul(out, w, x, 4); p.MatMul(out, w, x, 1) }); a != 0 {
			t.Errorf("%s: MatMul allocates %.1f times per call", typ, a)
		}
	}
}

func TestRow(t *testing.T) {
	for _, typ := range weightTypes {
		w := randomMatrix(t, typ, 5, 256, 11)
		all := make([]float32, 5*256)
		if err := Dequantize(all, typ, w.Data); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, 256)
		for r := 0; r < 5; r++ {
			Row(got, w, r)
			for i, v := range got {
				if v != all[r*256+i] {
					t.Fatalf("%s row %d [%d] = %g, want %g", typ, r, i, v, all[r*256+i])
				}
			}
		}
	}
}

func TestNewMatrixErrors(t *testing.T) {
	data := make([]byte, 2*18)
	for _, c := range []struct {
		info gguf.TensorInfo
		data []byte
	}{
		{gguf.TensorInfo{Name: "a", Shape: []int64{32, 3}, Type: gguf.TypeQ4_0}, data},            // size
		{gguf.TensorInfo{Name: "b", Shape: []int64{33, 2}, Type: gguf.TypeQ4_0}, data},            // block
		{gguf.TensorInfo{Name: "c", Shape: []int64{32, 2}, Type: gguf.TypeIQ2_XXS}, data},         // type
		{gguf.TensorInfo{Name: "d", Shape: []int64{32, 1, 2}, Type: gguf.TypeQ4_0}, data},         // dims
		{gguf.TensorInfo{Name: "e", Shape: []int64{4}, Type: gguf.TypeF32}, make([]byte, 17)[1:]}, // alignment/size
	} {
		if _, err := NewMatrix(&c.info, c.data); err == nil {
			t.Errorf("NewMatrix(%s %v %s): no error", c.info.Name, c.info.Shape, c.info.Type)
		}
	}
	m, err := NewMatrix(&gguf.TensorInfo{Name: "v", Shape: []int64{64}, Type: gguf.TypeQ4_0}, data)
	if err != nil || m.Rows != 1 || m.Cols != 64 {
		t.Errorf("1-D tensor: %+v, %v", m, err)
	}
}

func TestPoolRun(t *testing.T) {
	for threads := 1; threads <= 5; threads++ {
		p := NewPool(threads)
		if p.Threads() != threads {
			t.Fatalf("Threads() = %d, want %d", p.Threads(), threads)
		}
		for n := 0; n <= 23; n++ {
			counts := make([]int32, n)
			var calls atomic.Int32
			p.Run(n, func(lo, hi int) {
				calls.Add(1)
				if lo >= hi {
					panic(fmt.Sprintf("empty chunk [%d,%d)", lo, hi))
				}
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&counts[i], 1)
				}
			})
			for i, c := range counts {
				if c != 1 {
					t.Fatalf("threads %d n %d: index %d ran %d times", threads, n, i, c)
				}
			}
			if int(calls.Load()) > threads {
				t.Fatalf("threads %d n %d: %d chunks", threads, n, calls.Load())
			}
		}
		p.Close()
		p.Run(3, func(lo, hi int) {}) // after Close: runs on the caller
	}
}

// x4nFromDot builds a four-row by nx kernel out of a one-row dot (the
// semantics every x4n kernel must have).
func x4nFromDot(dot func(n int, w, x []byte) float32, rowBytes, xBytes int) func(n int, w []byte, rb int, x []byte, xrb, nx int, out []float32, os int) {
	return func(n int, w []byte, rb int, x []byte, xrb, nx int, out []float32, os int) {
		for a := 0; a < nx; a++ {
			for r := 0; r < 4; r++ {
				out[a*os+r] = dot(n, w[r*rb:r*rb+rowBytes], x[a*xrb:a*xrb+xBytes])
			}
		}
	}
}

// TestMatMulTiled runs MatMul's tile path (four rows by up to four batch
// rows, blocks of batch rows) with a reference x4n kernel; the edges fall
// back to the row dots.
func TestMatMulTiled(t *testing.T) {
	saved := dotQ5_Kx4n
	defer func() { dotQ5_Kx4n = saved }()
	const rows, cols = 37, 512
	w := randomMatrix(t, gguf.TypeQ5_K, rows, cols, 12)
	dotQ5_Kx4n = x4nFromDot(dotQ5_KRef, 2*q5KSize, 2*q8KSize)
	for _, threads := range []int{1, 3} {
		p := NewPool(threads)
		for _, batch := range []int{1, 2, 5, 9, 130} {
			x := gaussian(newRand(uint64(batch)), batch*cols, 1)
			out := make([]float32, batch*rows)
			p.MatMul(out, w, x, batch)
			want, tol := expectedMatMul(w, x, batch)
			for i, v := range want {
				if d := math.Abs(float64(out[i]) - v); d > tol[i] || out[i] != out[i] {
					t.Fatalf("threads %d batch %d out[%d] = %g, want %g", threads, batch, i, out[i], v)
				}
			}
		}
		p.Close()
	}
}

// TestX4nKernelsMatchRef checks every available four-row by nx kernel
// against the one-row reference dots, for nx 1..4 and padded strides.
func TestX4nKernelsMatchRef(t *testing.T) {
	r := newRand(33)
	for _, c := range dispatchCases {
		fm, _ := formatOf(c.typ)
		fn := *fm.dot4n
		if fn == nil {
			continue
		}
		af, _ := formatOf(fm.act)
		for _, nb := range []int{1, 3, 8, 64} {
			n := nb * fm.blockSize
			rb, xrb := fm.rowBytes(n)+fm.blockBytes, af.rowBytes(n)+af.blockBytes
			w := randomBlocks(r, c.typ, 4*rb/fm.blockBytes+1)[:4*rb]
			x := make([]byte, 4*xrb)
			for b := 0; b < 4; b++ {
				copy(x[b*xrb:], quantizeAct(c.typ, gaussian(r, n, 1)))
			}
			for nx := 1; nx <= 4; nx++ {
				const stride = 7
				out := make([]float32, 4*stride)
				for i := range out {
					out[i] = 42
				}
				fn(n, w, rb, x, xrb, nx, out, stride)
				for i, v := range out {
					if a, row := i/stride, i%stride; (a >= nx || row >= 4) && v != 42 {
						t.Fatalf("%sx4n nx=%d wrote out[%d]", c.fastName, nx, i)
					}
				}
				for a := 0; a < nx; a++ {
					for row := 0; row < 4; row++ {
						wr, xr := w[row*rb:row*rb+fm.rowBytes(n)], x[a*xrb:a*xrb+af.rowBytes(n)]
						want := float64(c.ref(n, wr, xr))
						_, mag, extra := decodedDot(c.typ, n, wr, xr)
						tol := 2*float64(nb+64)*math.Ldexp(mag+extra*1024, -24) + 1e-30
						if got := out[a*stride+row]; math.Abs(float64(got)-want) > tol {
							t.Fatalf("%sx4n n=%d nx=%d [a %d, r %d]: %g, reference %g", c.fastName, n, nx, a, row, got, want)
						}
					}
				}
			}
		}
	}
}

// TestMatMulTiled16 runs the F16/BF16 tile path with reference kernels.
func TestMatMulTiled16(t *testing.T) {
	savedF16, savedBF16 := dotF16x4n, dotBF16x4n
	defer func() { dotF16x4n, dotBF16x4n = savedF16, savedBF16 }()
	const rows, cols = 23, 301
	for _, typ := range []gguf.Type{gguf.TypeF16, gguf.TypeBF16} {
		w := randomMatrix(t, typ, rows, cols, 13)
		dot := dotF16Ref
		if typ == gguf.TypeBF16 {
			dot = dotBF16Ref
		}
		ref := func(n int, w []uint16, rs int, x []uint16, xs, nx int, out []float32, os int) {
			for a := 0; a < nx; a++ {
				for r := 0; r < 4; r++ {
					out[a*os+r] = dot(w[r*rs:r*rs+n], x[a*xs:a*xs+n])
				}
			}
		}
		dotF16x4n, dotBF16x4n = ref, ref
		p := NewPool(2)
		for _, batch := range []int{1, 3, 6} {
			x := gaussian(newRand(uint64(batch)), batch*cols, 1)
			out := make([]float32, batch*rows)
			p.MatMul(out, w, x, batch)
			want, tol := expectedMatMul(w, x, batch)
			for i, v := range want {
				if d := math.Abs(float64(out[i]) - v); d > tol[i] || out[i] != out[i] {
					t.Fatalf("%s batch %d out[%d] = %g, want %g", typ, batch, i, out[i], v)
				}
			}
		}
		p.Close()
	}
}

// TestX4nKernels16MatchRef checks dispatched F16/BF16 four-row by nx
// kernels (when present) against the reference dots.
func TestX4nKernels16MatchRef(t *testing.T) {
	r := newRand(34)
	for _, c := range []struct {
		name string
		fn   func(n int, w []uint16, rs int, x []uint16, xs, nx int, out []float32, os int)
		conv func([]uint16, []float32)
		ref  func(w, x []uint16) float32
		val  func(uint16) float32
	}{{"dotF16x4n", dotF16x4n, F32ToF16, dotF16Ref, fp16ToFP32}, {"dotBF16x4n", dotBF16x4n, F32ToBF16, dotBF16Ref, bf16ToFP32}} {
		if c.fn == nil {
			continue
		}
		for _, n := range []int{1, 7, 64, 301, 2048} {
			rs, xs := n+5, n+3
			w, x := make([]uint16, 4*rs), make([]uint16, 4*xs)
			c.conv(w, gaussian(r, len(w), 1))
			c.conv(x, gaussian(r, len(x), 1))
			for nx := 1; nx <= 4; nx++ {
				const os = 6
				out := make([]float32, 4*os)
				c.fn(n, w, rs, x, xs, nx, out, os)
				for a := 0; a < nx; a++ {
					for row := 0; row < 4; row++ {
						wr, xr := w[row*rs:row*rs+n], x[a*xs:a*xs+n]
						want := float64(c.ref(wr, xr))
						var mag float64
						for i := range wr {
							mag += math.Abs(float64(c.val(wr[i])) * float64(c.val(xr[i])))
						}
						if got := out[a*os+row]; math.Abs(float64(got)-want) > 2*float64(n+16)*math.Ldexp(mag, -24)+1e-30 {
							t.Fatalf("%s n=%d nx=%d [a %d, r %d] = %g, reference %g", c.name, n, nx, a, row, got, want)
						}
					}
				}
			}
		}
	}
}
