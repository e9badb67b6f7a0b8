package kernels

import (
	"math"
	"testing"
)

func closeTo(got float32, want, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol && got == got
}

func TestRMSNorm(t *testing.T) {
	r := newRand(20)
	for _, n := range []int{1, 7, 64, 2048} {
		x := gaussian(r, n, 3)
		w := gaussian(r, n, 1)
		dst := make([]float32, n)
		RMSNorm(dst, x, w, 1e-5)
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		scale := 1 / math.Sqrt(ss/float64(n)+1e-5)
		for i := range x {
			want := float64(x[i]) * scale * float64(w[i])
			if !closeTo(dst[i], want, 1e-6*math.Abs(want)+1e-30) {
				t.Fatalf("n %d: RMSNorm[%d] = %g, want %g", n, i, dst[i], want)
			}
		}
		RMSNorm(x, x, w, 1e-5) // in place
		for i := range x {
			if x[i] != dst[i] {
				t.Fatalf("in-place RMSNorm differs at %d", i)
			}
		}
	}
}

func TestSoftmax(t *testing.T) {
	r := newRand(21)
	for _, n := range []int{1, 3, 100} {
		x := gaussian(r, n, 10)
		want := make([]float64, n)
		m := math.Inf(-1)
		for _, v := range x {
			m = math.Max(m, float64(v))
		}
		var s float64
		for i, v := range x {
			want[i] = math.Exp(float64(v) - m)
			s += want[i]
		}
		Softmax(x)
		for i := range x {
			if !closeTo(x[i], want[i]/s, 1e-6*want[i]/s+1e-12) {
				t.Fatalf("n %d: softmax[%d] = %g, want %g", n, i, x[i], want[i]/s)
			}
		}
	}
	x := []float32{float32(math.Inf(-1)), 0} // masked entry
	Softmax(x)
	if x[0] != 0 || x[1] != 1 {
		t.Fatalf("softmax with -Inf: %v", x)
	}
}

func TestSwiGLUAndAdd(t *testing.T) {
	r := newRand(22)
	g, u := gaussian(r, 100, 4), gaussian(r, 100, 1)
	dst := make([]float32, 100)
	SwiGLU(dst, g, u)
	for i := range dst {
		want := float64(g[i]) / (1 + math.Exp(-float64(g[i]))) * float64(u[i])
		if !closeTo(dst[i], want, 1e-6*math.Abs(want)+1e-30) {
			t.Fatalf("SwiGLU[%d] = %g, want %g", i, dst[i], want)
		}
	}
	a := append([]float32(nil), g...)
	Add(a, u)
	for i := range a {
		if a[i] != g[i]+u[i] {
			t.Fatalf("Add[%d] = %g, want %g", i, a[i], g[i]+u[i])
		}
	}
}

// ropeWant rotates one head in float64 with theta_i = pos*base^(-2i/dims)/ff_i/factor.
func ropeWant(x []float32, dims int, base float64, pos float64, neox bool, ff []float32, factor float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	for i := 0; i < dims/2; i++ {
		theta := pos * math.Pow(base, -2*float64(i)/float64(dims)) / factor
		if ff != nil {
			theta /= float64(ff[i])
		}
		i0, i1 := 2*i, 2*i+1
		if neox {
			i0, i1 = i, i+dims/2
		}
		c, s := math.Cos(theta), math.Sin(theta)
		out[i0] = float64(x[i0])*c - float64(x[i1])*s
		out[i1] = float64(x[i0])*s + float64(x[i1])*c
	}
	return out
}

func TestRoPE(t *testing.T) {
	r := newRand(23)
	const nHeads, headDim = 3, 64
	for _, c := range []struct {
		dims    int
		neox    bool
		scaling RoPEScaling
		factor  float64
	}{
		{64, false, RoPEScaling{Type: "none"}, 1},
		{64, true, RoPEScaling{}, 1},
		{32, false, RoPEScaling{}, 1}, // partial rotation: the rest is untouched
		{64, false, RoPEScaling{Type: "linear", Factor: 4}, 4},
		{64, true, RoPEScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OrigContext: 64}, 1},
		{64, false, RoPEScaling{Type: "linear", Factor: 2, FreqFactors: llama3Factors(64, 10000, RoPEScaling{OrigContext: 64})}, 2},
	} {
		rope := NewRoPE(c.dims, 10000, c.scaling)
		for _, pos := range []int{0, 1, 17, 200} {
			x := gaussian(r, nHeads*headDim, 1)
			orig := append([]float32(nil), x...)
			rope.Apply(x, nHeads, headDim, pos, c.neox)
			for h := 0; h < nHeads; h++ {
				want := ropeWant(orig[h*headDim:(h+1)*headDim], c.dims, 10000, float64(pos), c.neox, rope.factors, c.factor)
				for i, w := range want {
					// float32 angles built by repeated multiplication: error grows with pos.
					if !closeTo(x[h*headDim+i], w, 2e-6*float64(pos+1)+1e-6) {
						t.Fatalf("%+v pos %d head %d [%d] = %g, want %g", c, pos, h, i, x[h*headDim+i], w)
					}
				}
			}
		}
	}
}

func TestLlama3Factors(t *testing.T) {
	// Llama 3.1: base 500000, head dim 128, factor 8, low 1, high 4, original context 8192.
	f := llama3Factors(128, 500000, RoPEScaling{Type: "llama3", Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OrigContext: 8192})
	if len(f) != 64 || f[0] != 1 || f[63] != 8 {
		t.Fatalf("factors: len %d, first %g, last %g", len(f), f[0], f[63])
	}
	for i := 1; i < len(f); i++ {
		if f[i] < f[i-1] {
			t.Fatalf("factors not non-decreasing at %d: %g < %g", i, f[i], f[i-1])
		}
	}
	// Wavelengths between 2048 and 8192 positions are interpolated.
	for i, v := range f {
		wl := 2 * math.Pi * math.Pow(500000, 2*float64(i)/128)
		if wl > 2048 && wl < 8192 && (v <= 1 || v >= 8) {
			t.Fatalf("factor %d (wavelength %g) = %g, want strictly between 1 and 8", i, wl, v)
		}
	}
}

// attentionWant is a float64 attention over the given (already rounded) operands.
func attentionWant(q, k, v []float32, n, nHead, nKV, hd int, scale float64) []float64 {
	out := make([]float64, nHead*hd)
	for h := 0; h < nHead; h++ {
		kh := h / (nHead / nKV)
		s := make([]float64, n)
		m := math.Inf(-1)
		for t := 0; t < n; t++ {
			for d := 0; d < hd; d++ {
				s[t] += float64(q[h*hd+d]) * float64(k[t*nKV*hd+kh*hd+d])
			}
			s[t] *= scale
			m = math.Max(m, s[t])
		}
		var z float64
		for t := range s {
			s[t] = math.Exp(s[t] - m)
			z += s[t]
		}
		for t := range s {
			for d := 0; d < hd; d++ {
				out[h*hd+d] += s[t] / z * float64(v[t*nKV*hd+kh*hd+d])
			}
		}
	}
	return out
}

func TestAttention(t *testing.T) {
	r := newRand(24)
	const nHead, nKV, hd = 4, 2, 64
	for _, n := range []int{1, 5, 33} {
		q := gaussian(r, nHead*hd, 1)
		k := gaussian(r, n*nKV*hd, 1)
		v := gaussian(r, n*nKV*hd, 1)
		scale := float32(1 / math.Sqrt(hd))
		out := make([]float32, nHead*hd)
		scratch := make([]float32, n)
		AttentionF32(out, q, k, v, n, nHead, nKV, hd, scale, scratch)
		want := attentionWant(q, k, v, n, nHead, nKV, hd, float64(scale))
		for i, w := range want {
			if !closeTo(out[i], w, 1e-5) {
				t.Fatalf("F32 n %d: out[%d] = %g, want %g", n, i, out[i], w)
			}
		}
		// F16 cache: compare with float64 attention over the F16-rounded
		// operands; probabilities are rounded to F16 too (relative 2^-11).
		k16, v16 := make([]uint16, len(k)), make([]uint16, len(v))
		F32ToF16(k16, k)
		F32ToF16(v16, v)
		kr, vr, qr := make([]float32, len(k)), make([]float32, len(v)), make([]float32, len(q))
		F16ToF32(kr, k16)
		F16ToF32(vr, v16)
		for i, x := range q {
			qr[i] = roundF16(x)
		}
		want = attentionWant(qr, kr, vr, n, nHead, nKV, hd, float64(scale))
		for _, extra := range []int{0, hd / 2} { // without / with room for the F16 query
			AttentionF16(out, q, k16, v16, n, nHead, nKV, hd, scale, make([]float32, n+extra))
			for i, w := range want {
				if !closeTo(out[i], w, 2e-3) {
					t.Fatalf("F16 n %d scratch +%d: out[%d] = %g, want %g", n, extra, i, out[i], w)
				}
			}
		}
	}
}

func TestAttentionAllocs(t *testing.T) {
	r := newRand(25)
	const n, nHead, nKV, hd = 16, 4, 2, 64
	q, k, v := gaussian(r, nHead*hd, 1), gaussian(r, n*nKV*hd, 1), gaussian(r, n*nKV*hd, 1)
	k16, v16 := make([]uint16, len(k)), make([]uint16, len(v))
	out, scratch, scratch2 := make([]float32, nHead*hd), make([]float32, n), make([]float32, n+hd/2)
	rope := NewRoPE(hd, 10000, RoPEScaling{})
	if a := testing.AllocsPerRun(10, func() {
		AttentionF32(out, q, k, v, n, nHead, nKV, hd, 0.125, scratch)
		AttentionF16(out, q, k16, v16, n, nHead, nKV, hd, 0.125, scratch)
		AttentionF16(out, q, k16, v16, n, nHead, nKV, hd, 0.125, scratch2)
		rope.Apply(q, nHead, hd, 7, false)
		RMSNorm(out, out, q, 1e-5)
	}); a != 0 {
		t.Errorf("attention/rope/rmsnorm allocate %.1f times per call", a)
	}
}

// TestAxpy checks the dispatched axpy kernels against a plain loop.
func TestAxpy(t *testing.T) {
	r := newRand(26)
	for n := 0; n <= 200; n += 1 + n/4 {
		x := gaussian(r, n, 1)
		x16 := make([]uint16, n)
		F32ToF16(x16, x)
		a := float32(r.NormFloat64())
		for name, fn := range map[string]func([]float32){
			"axpyF32": func(d []float32) { axpyF32(d, a, x) }, "axpyF32Go": func(d []float32) { axpyF32Go(d, a, x) },
			"axpyF16": func(d []float32) { axpyF16(d, a, x16) }, "axpyF16Go": func(d []float32) { axpyF16Go(d, a, x16) },
		} {
			dst := gaussian(newRand(uint64(n)), n, 1)
			want := append([]float32(nil), dst...)
			for i := range want {
				xv := x[i]
				if name[4:7] == "F16" {
					xv = fp16ToFP32(x16[i])
				}
				want[i] += a * xv
			}
			fn(dst)
			for i := range dst {
				// An FMA form may round once instead of twice.
				if !closeTo(dst[i], float64(want[i]), 1e-6*math.Abs(float64(want[i]))+1e-6*math.Abs(float64(a*x[i]))+1e-30) {
					t.Fatalf("%s n=%d [%d] = %g, want %g", name, n, i, dst[i], want[i])
				}
			}
		}
	}
}

// TestExpf checks expf against math.Exp: within 2.5 ulp (room for a faster
// polynomial version) over the float32
// range, exact 1 at 0, 0 and Inf beyond the limits, NaN for NaN.
func TestExpf(t *testing.T) {
	r := newRand(27)
	for i := 0; i < 200000; i++ {
		x := float32(r.Float64()*200 - 110)
		if i%4 == 0 {
			x = float32(r.NormFloat64() * 3)
		}
		want := math.Exp(float64(x))
		got := expf(x)
		if want > math.MaxFloat32 {
			if !math.IsInf(float64(got), 1) && got < math.MaxFloat32/2 {
				t.Fatalf("expf(%g) = %g, want overflow", x, got)
			}
			continue
		}
		ulp := float64(math.Nextafter32(float32(want), float32(math.Inf(1))) - float32(want))
		if want < 0x1p-126 {
			ulp = 0x1p-149
		}
		if d := math.Abs(float64(got) - want); d > 2.5*ulp {
			t.Fatalf("expf(%g) = %g, want %g (%.2f ulp)", x, got, want, d/ulp)
		}
	}
	if expf(0) != 1 || expf(-200) != 0 || !math.IsInf(float64(expf(200)), 1) || !math.IsNaN(float64(expf(float32(math.NaN())))) {
		t.Fatalf("expf specials: %g %g %g %g", expf(0), expf(-200), expf(200), expf(float32(math.NaN())))
	}
	if expf(float32(math.Inf(-1))) != 0 || !math.IsInf(float64(expf(float32(math.Inf(1)))), 1) {
		t.Fatal("expf(±Inf) wrong")
	}
}

// TestAttentionHeads checks that head ranges compute exactly the heads of
// the full call and write nothing else.
func TestAttentionHeads(t *testing.T) {
	r := newRand(28)
	const n, nHead, nKV, hd = 9, 8, 2, 32
	q, k, v := gaussian(r, nHead*hd, 1), gaussian(r, n*nKV*hd, 1), gaussian(r, n*nKV*hd, 1)
	k16, v16 := make([]uint16, len(k)), make([]uint16, len(v))
	F32ToF16(k16, k)
	F32ToF16(v16, v)
	full32, full16 := make([]float32, nHead*hd), make([]float32, nHead*hd)
	AttentionF32(full32, q, k, v, n, nHead, nKV, hd, 0.2, make([]float32, n))
	AttentionF16(full16, q, k16, v16, n, nHead, nKV, hd, 0.2, make([]float32, n+hd/2))
	for _, hr := range [][2]int{{0, 8}, {0, 3}, {3, 5}, {7, 8}, {4, 4}} {
		got32, got16 := make([]float32, nHead*hd), make([]float32, nHead*hd)
		for i := range got32 {
			got32[i], got16[i] = 42, 42
		}
		AttentionHeadsF32(got32, q, k, v, n, nHead, nKV, hd, hr[0], hr[1], 0.2, make([]float32, n))
		AttentionHeadsF16(got16, q, k16, v16, n, nHead, nKV, hd, hr[0], hr[1], 0.2, make([]float32, n+hd/2))
		for i := range got32 {
			in := i >= hr[0]*hd && i < hr[1]*hd
			if in && (got32[i] != full32[i] || got16[i] != full16[i]) {
				t.Fatalf("heads %v: [%d] = %g/%g, full call %g/%g", hr, i, got32[i], got16[i], full32[i], full16[i])
			}
			if !in && (got32[i] != 42 || got16[i] != 42) {
				t.Fatalf("heads %v wrote [%d]", hr, i)
			}
		}
	}
}
