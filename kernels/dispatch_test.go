package kernels

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// dispatchCase pairs a dispatched block dot with its reference.
type dispatchCase struct {
	typ      gguf.Type
	fast     *func(n int, w, x []byte) float32
	ref      func(n int, w, x []byte) float32
	fastName string
}

var dispatchCases = []dispatchCase{
	{gguf.TypeQ8_0, &dotQ8_0, dotQ8_0Ref, "dotQ8_0"},
	{gguf.TypeQ4_0, &dotQ4_0, dotQ4_0Ref, "dotQ4_0"},
	{gguf.TypeQ5_0, &dotQ5_0, dotQ5_0Ref, "dotQ5_0"},
	{gguf.TypeQ4_1, &dotQ4_1, dotQ4_1Ref, "dotQ4_1"},
	{gguf.TypeQ5_1, &dotQ5_1, dotQ5_1Ref, "dotQ5_1"},
	{gguf.TypeQ2_K, &dotQ2_K, dotQ2_KRef, "dotQ2_K"},
	{gguf.TypeQ3_K, &dotQ3_K, dotQ3_KRef, "dotQ3_K"},
	{gguf.TypeQ4_K, &dotQ4_K, dotQ4_KRef, "dotQ4_K"},
	{gguf.TypeQ5_K, &dotQ5_K, dotQ5_KRef, "dotQ5_K"},
	{gguf.TypeQ6_K, &dotQ6_K, dotQ6_KRef, "dotQ6_K"},
}

// randomBlocks returns nb blocks of type t made of random bytes whose F16
// scale fields are replaced by random finite values (every bit pattern of
// the quants is legal).
func randomBlocks(r *rand.Rand, t gguf.Type, nb int) []byte {
	f, _ := formatOf(t)
	b := make([]byte, nb*f.blockBytes)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	var f16At []int
	switch t {
	case gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ5_0:
		f16At = []int{0}
	case gguf.TypeQ4_1, gguf.TypeQ5_1, gguf.TypeQ8_1, gguf.TypeQ4_K, gguf.TypeQ5_K:
		f16At = []int{0, 2}
	case gguf.TypeQ2_K:
		f16At = []int{80, 82}
	case gguf.TypeQ3_K:
		f16At = []int{108}
	case gguf.TypeQ6_K:
		f16At = []int{208}
	}
	sanitizeQ8(t, b)
	for i := 0; i < nb; i++ {
		for _, off := range f16At {
			storeF16(b[i*f.blockBytes+off:], float32(r.NormFloat64()*math.Ldexp(1, r.IntN(12)-10)))
		}
		if t == gguf.TypeQ8_K {
			storeF32(b[i*f.blockBytes:], float32(r.NormFloat64()))
		}
	}
	return b
}

// sanitizeQ8 replaces int8 quants of -128 by -127 in Q8_0/Q8_1/Q8_K blocks:
// ggml's quantizers only produce [-127, 127], and its AVX2 kernels (like
// ours) rely on that (sign tricks overflow on -128).
func sanitizeQ8(t gguf.Type, b []byte) {
	f, _ := formatOf(t)
	var lo, hi int
	switch t {
	case gguf.TypeQ8_0:
		lo, hi = 2, q8_0Size
	case gguf.TypeQ8_1:
		lo, hi = 4, q8_1Size
	case gguf.TypeQ8_K:
		lo, hi = 4, 4+qkK
	default:
		return
	}
	for i := 0; i+f.blockBytes <= len(b); i += f.blockBytes {
		for j := i + lo; j < i+hi; j++ {
			if b[j] == 0x80 {
				b[j] = 0x81
			}
		}
	}
}

// fixBsums recomputes the 16-element sums of Q8_K blocks from their quants.
func fixBsums(t gguf.Type, x []byte) {
	if t != gguf.TypeQ8_K {
		return
	}
	for i := 0; i+q8KSize <= len(x); i += q8KSize {
		blk := x[i:]
		for g := 0; g < 16; g++ {
			s := int16(0)
			for _, q := range blk[4+16*g : 4+16*g+16] {
				s += int16(int8(q))
			}
			blk[4+qkK+2*g], blk[4+qkK+2*g+1] = byte(s), byte(uint16(s)>>8)
		}
	}
}

// checkDispatched compares fast and ref on one input within float32
// reassociation error: 2*(blocks+64)*2^-24 of the magnitude of the terms.
func checkDispatched(t testing.TB, c dispatchCase, n int, w, x []byte) {
	t.Helper()
	got := float64((*c.fast)(n, w, x))
	want := float64(c.ref(n, w, x))
	_, mag, extra := decodedDot(c.typ, n, w, x)
	f, _ := formatOf(c.typ)
	// Q4_1/Q5_1: the m*s term enters at full size in both; count it in mag.
	tol := 2*float64(n/f.blockSize+64)*math.Ldexp(mag+extra*1024, -24) + 1e-30
	if math.Abs(got-want) > tol || (got != got) != (want != want) {
		t.Fatalf("%s n=%d: dispatched %g, reference %g (tolerance %g)", c.fastName, n, got, want, tol)
	}
}

// TestDispatchedDotsMatchRef tests the dispatched block dots (assembly where
// the CPU has it) against the references on random blocks of many lengths.
func TestDispatchedDotsMatchRef(t *testing.T) {
	r := newRand(30)
	for _, c := range dispatchCases {
		f, _ := formatOf(c.typ)
		for _, nb := range []int{1, 2, 3, 5, 7, 8, 9, 16, 17, 31, 64} {
			n := nb * f.blockSize
			for trial := 0; trial < 10; trial++ {
				w := randomBlocks(r, c.typ, nb)
				var x []byte
				if trial%2 == 0 {
					x = quantizeAct(c.typ, gaussian(r, n, 1))
				} else {
					x = randomBlocks(r, f.act, nb)
					fixBsums(f.act, x)
				}
				checkDispatched(t, c, n, w, x)
			}
		}
	}
}

// TestDispatchedFloatDotsMatchRef tests dotF32/dotF16/dotBF16 (and the
// portable Go versions) against the float64 references at odd lengths.
func TestDispatchedFloatDotsMatchRef(t *testing.T) {
	r := newRand(31)
	for n := 0; n <= 300; n += 1 + n/8 {
		w, x := gaussian(r, n, 1), gaussian(r, n, 1)
		var mag float64
		for i := range w {
			mag += math.Abs(float64(w[i]) * float64(x[i]))
		}
		tol := 2*float64(n+16)*math.Ldexp(mag, -24) + 1e-30
		for name, fn := range map[string]func(w, x []float32) float32{"dotF32": dotF32, "dotF32Go": dotF32Go} {
			if got, want := fn(w, x), dotF32Ref(w, x); math.Abs(float64(got-want)) > tol {
				t.Fatalf("%s n=%d: %g, reference %g", name, n, got, want)
			}
		}
		w16, x16 := make([]uint16, n), make([]uint16, n)
		F32ToF16(w16, w)
		F32ToF16(x16, x)
		for name, fn := range map[string]func(w, x []uint16) float32{"dotF16": dotF16, "dotF16Go": dotF16Go} {
			if got, want := fn(w16, x16), dotF16Ref(w16, x16); math.Abs(float64(got-want)) > tol*1.01 {
				t.Fatalf("%s n=%d: %g, reference %g", name, n, got, want)
			}
		}
		F32ToBF16(w16, w)
		F32ToBF16(x16, x)
		for name, fn := range map[string]func(w, x []uint16) float32{"dotBF16": dotBF16, "dotBF16Go": dotBF16Go} {
			if got, want := fn(w16, x16), dotBF16Ref(w16, x16); math.Abs(float64(got-want)) > tol*1.02 {
				t.Fatalf("%s n=%d: %g, reference %g", name, n, got, want)
			}
		}
	}
}

// FuzzDispatchedDots feeds arbitrary bytes as weight and activation blocks
// to every dispatched dot and its reference.
func FuzzDispatchedDots(f *testing.F) {
	f.Add(uint8(0), []byte{1, 2, 3}, uint64(1))
	f.Add(uint8(7), make([]byte, 300), uint64(2))
	f.Fuzz(func(t *testing.T, which uint8, raw []byte, seed uint64) {
		c := dispatchCases[int(which)%len(dispatchCases)]
		fm, _ := formatOf(c.typ)
		r := newRand(seed)
		nb := 1 + int(seed%9)
		w := randomBlocks(r, c.typ, nb)
		copy(w, raw) // arbitrary bytes, scales included
		x := quantizeAct(c.typ, gaussian(r, nb*fm.blockSize, 1))
		if len(raw) > len(w) {
			copy(x, raw[len(w):]) // arbitrary activation quants too
			if fm.act == gguf.TypeQ8_K {
				for i := 0; i < nb; i++ {
					storeF32(x[i*q8KSize:], 1) // keep d finite
				}
			}
		}
		sanitizeQ8(c.typ, w)
		sanitizeQ8(fm.act, x)
		fixBsums(fm.act, x)
		got := (*c.fast)(nb*fm.blockSize, w, x)
		want := c.ref(nb*fm.blockSize, w, x)
		if isFinite(want) && isFinite(got) {
			checkDispatched(t, c, nb*fm.blockSize, w, x)
		} else if isFinite(want) != isFinite(got) && !math.IsInf(float64(want), 0) && !math.IsInf(float64(got), 0) {
			t.Fatalf("%s: dispatched %g, reference %g", c.fastName, got, want)
		}
	})
}

func isFinite(f float32) bool { return !math.IsNaN(float64(f)) && !math.IsInf(float64(f), 0) }

// FuzzDequantize checks that decoding arbitrary bytes of any supported type
// never panics and that Row agrees with Dequantize.
func FuzzDequantize(f *testing.F) {
	f.Add(uint8(2), []byte{0x3c, 0x00, 1, 2, 3})
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		typ := weightTypes[int(which)%len(weightTypes)]
		fm, _ := formatOf(typ)
		nb := len(raw) / fm.blockBytes
		if nb == 0 {
			if err := Dequantize(make([]float32, fm.blockSize), typ, raw); err == nil {
				t.Fatalf("%s: short input accepted", typ)
			}
			return
		}
		dst := make([]float32, nb*fm.blockSize)
		if err := Dequantize(dst, typ, raw); err != nil {
			t.Fatal(err)
		}
		data := make([]byte, nb*fm.blockBytes) // aligned copy for NewMatrix
		copy(data, raw)
		m, err := NewMatrix(&gguf.TensorInfo{Name: "fuzz", Shape: []int64{int64(fm.blockSize), int64(nb)}, Type: typ}, data)
		if err != nil {
			t.Fatal(err)
		}
		row := make([]float32, fm.blockSize)
		for i := 0; i < nb; i++ {
			Row(row, m, i)
			for j, v := range row {
				if math.Float32bits(v) != math.Float32bits(dst[i*fm.blockSize+j]) && !(v != v && dst[i*fm.blockSize+j] != dst[i*fm.blockSize+j]) {
					t.Fatalf("%s: Row %d [%d] = %g, Dequantize %g", typ, i, j, v, dst[i*fm.blockSize+j])
				}
			}
		}
	})
}

// TestFourRowDotsMatchRef tests every available four-row dot against four
// one-row reference dots, with a row stride larger than the row.
func TestFourRowDotsMatchRef(t *testing.T) {
	r := newRand(32)
	for _, c := range dispatchCases {
		fm, _ := formatOf(c.typ)
		if *fm.dot4 == nil {
			continue
		}
		for _, nb := range []int{1, 2, 3, 8, 17, 64} {
			n := nb * fm.blockSize
			for _, pad := range []int{0, fm.blockBytes} {
				rb := fm.rowBytes(n) + pad
				w := randomBlocks(r, c.typ, 4*rb/fm.blockBytes+1)[:4*rb]
				x := quantizeAct(c.typ, gaussian(r, n, 1))
				out := make([]float32, 5)
				out[4] = 42
				(*fm.dot4)(n, w, rb, x, out[:4])
				if out[4] != 42 {
					t.Fatalf("%s x4 wrote past out[3]", c.fastName)
				}
				for row := 0; row < 4; row++ {
					wr := w[row*rb : row*rb+fm.rowBytes(n)]
					want := float64(c.ref(n, wr, x))
					_, mag, extra := decodedDot(c.typ, n, wr, x)
					tol := 2*float64(nb+64)*math.Ldexp(mag+extra*1024, -24) + 1e-30
					if math.Abs(float64(out[row])-want) > tol {
						t.Fatalf("%s x4 n=%d row %d: %g, reference %g", c.fastName, n, row, out[row], want)
					}
				}
			}
		}
	}
}

func TestKernelsList(t *testing.T) {
	lines := Kernels()
	if len(lines) < 30 || lines[0] == "" {
		t.Fatalf("Kernels() = %v", lines)
	}
	for _, l := range lines {
		if l == "dotQ8_0: -" || l == "quantizeRowQ8_K: -" {
			t.Fatalf("required kernel missing: %q", l)
		}
	}
	t.Log(strings.Join(lines, "\n"))
}
