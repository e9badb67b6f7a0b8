package kernels

import (
	"math"
	"testing"
)

// TestExpKernels checks the dispatched swiglu and expSub (vector exp)
// against float64 math over the whole useful range, the vector body and
// the tail, with -Inf (masked) entries inside the vectors.
func TestExpKernels(t *testing.T) {
	const n = 8*64 + 5
	g, u := make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = -100 + 200*float32(i)/float32(n-1) // -100 .. 100, through 0
		u[i] = 1 + float32(i%7)/7
	}
	g[17] = 0
	dst := make([]float32, n)
	swiglu(dst, g, u)
	for i := range dst {
		want := float64(g[i]) / (1 + math.Exp(-float64(g[i]))) * float64(u[i])
		if !closeTo(dst[i], want, 1e-6*math.Abs(want)+1e-30) {
			t.Fatalf("swiglu(%g) = %g, want %g", g[i], dst[i], want)
		}
	}

	x := gaussian(newRand(3), n, 20)
	x[5], x[300], x[n-1] = float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	want := make([]float64, n)
	var wsum float64
	for i, v := range x {
		want[i] = math.Exp(float64(v - m)) // the difference is float32, as in Softmax
		wsum += want[i]
	}
	sum := expSub(x, m)
	if math.Abs(sum-wsum) > 1e-6*wsum {
		t.Fatalf("expSub sum = %g, want %g", sum, wsum)
	}
	for i, v := range x {
		if !closeTo(v, want[i], 1e-6*want[i]+1e-37) {
			t.Fatalf("expSub[%d] = %g, want %g", i, v, want[i])
		}
	}
}

// TestAxpyF16Rows checks the dispatched axpyF16Rows bit for bit against
// one axpyF16 call per row (the same FMAs in the same order), with padded
// row strides and lengths that are not multiples of 32.
func TestAxpyF16Rows(t *testing.T) {
	r := newRand(8)
	for _, n := range []int{1, 31, 32, 64, 70, 128} {
		const rows, pad = 9, 5
		stride := n + pad
		v := make([]uint16, rows*stride)
		F32ToF16(v, gaussian(r, len(v), 1))
		p := gaussian(r, rows, 1)
		want := gaussian(r, n, 1)
		got := append([]float32(nil), want...)
		for i, pt := range p {
			axpyF16(want, pt, v[i*stride:i*stride+n])
		}
		axpyF16Rows(got, p, v, stride)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n %d: dst[%d] = %g, want %g", n, i, got[i], want[i])
			}
		}
	}
}

// TestF16Conversions checks F32ToF16 and roundF16s (F16C where present)
// bit for bit against the scalar conversion, over normal, subnormal,
// overflowing, rounding-tie and special values.
func TestF16Conversions(t *testing.T) {
	r := newRand(11)
	var src []float32
	for range 4096 {
		src = append(src, float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(60)-40))))
	}
	src = append(src, 0, float32(math.Copysign(0, -1)), 65504, 65520, 65519.99, -70000, 1e-8, -6e-8, 3e-5,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa00000),
		1+1.0/2048, 1+3.0/2048, 2049, 2051)
	got := make([]uint16, len(src))
	F32ToF16(got, src)
	rounded := append([]float32(nil), src...)
	roundF16s(rounded)
	for i, v := range src {
		if want := fp32ToFP16(v); got[i] != want {
			t.Fatalf("F32ToF16(%g = %#x) = %#x, want %#x", v, math.Float32bits(v), got[i], want)
		}
		if want := roundF16(v); math.Float32bits(rounded[i]) != math.Float32bits(want) {
			t.Fatalf("roundF16s(%g) = %g, want %g", v, rounded[i], want)
		}
	}
}
