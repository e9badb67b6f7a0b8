package kernels

import (
	"math"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// TestDotF16VD checks the four-row kernel bit for bit against the Go
// transcription of ggml_vec_dot_f16's order, and a batch-1 F16 MatMul
// (with a row count that leaves a tail) against the same.
func TestDotF16VD(t *testing.T) {
	const rows, cols = 23, 320
	w := randomMatrix(t, gguf.TypeF16, rows, cols, 5)
	x := gaussian(newRand(3), cols, 1)
	xr := make([]float32, cols)
	for i, v := range x {
		xr[i] = roundF16(v)
	}
	want := make([]float32, rows)
	for r := range want {
		want[r] = dotF16VDRef(uint16s(w.Data[r*2*cols:(r+1)*2*cols]), xr)
	}
	// The reference itself against float64 (it is a float32 sum).
	for r := range want {
		var s, mag float64
		for k := range cols {
			p := float64(fp16ToFP32(uint16s(w.Data[r*2*cols:])[k])) * float64(xr[k])
			s, mag = s+p, mag+math.Abs(p)
		}
		if d := math.Abs(float64(want[r]) - s); d > mag*1e-6 {
			t.Fatalf("row %d: reference %g, float64 %g", r, want[r], s)
		}
	}
	if dotF16x4VD == nil {
		t.Skip("no vec_dot_f16 kernel on this CPU")
	}
	out := make([]float32, 5)
	out[4] = 42
	for r := 0; r+4 <= rows; r += 4 {
		dotF16x4VD(cols/64, uint16s(w.Data[r*2*cols:(r+4)*2*cols]), cols, xr, out)
		for i := range 4 {
			if math.Float32bits(out[i]) != math.Float32bits(want[r+i]) {
				t.Fatalf("row %d: kernel %g, reference %g", r+i, out[i], want[r+i])
			}
		}
		if out[4] != 42 {
			t.Fatal("kernel wrote past four rows")
		}
	}
	for _, threads := range []int{1, 2, 3} {
		p := NewPool(threads)
		got := make([]float32, rows)
		p.MatMul(got, w, x, 1)
		p.Close()
		for r := range got {
			if math.Float32bits(got[r]) != math.Float32bits(want[r]) {
				t.Fatalf("threads %d MatMul row %d: %g, want %g", threads, r, got[r], want[r])
			}
		}
	}
}
