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
