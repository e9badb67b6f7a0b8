package kernels

import "math"

// RoPEScaling selects how RoPE frequencies are scaled for long contexts.
type RoPEScaling struct {
	// Type is "none" (or ""), "linear" (positions divided by Factor) or
	// "llama3" (per-frequency factors from Factor, LowFreqFactor,
	// HighFreqFactor and OrigContext, as Meta's rope_scaling "llama3").
	Type                          string
	Factor                        float64
	LowFreqFactor, HighFreqFactor float64
	OrigContext                   int
	// FreqFactors, when set, gives the divisor of each of the dims/2
	// frequencies directly (a GGUF "rope_freqs.weight" tensor, which is how
	// llama.cpp applies llama3 scaling); it takes precedence over the
	// llama3 computation and combines with "linear" scaling.
	FreqFactors []float32
}

// RoPE applies rotary position embeddings with precomputed frequencies.
// It is read-only after NewRoPE and safe for concurrent use.
type RoPE struct {
	dims       int
	thetaScale float32   // base^(-2/dims), as ggml's powf (glibc's, bit for bit)
	freqScale  float32   // 1/Factor for linear scaling, else 1
	factors    []float32 // per-pair frequency divisors (nil: all 1)
}

// NewRoPE prepares RoPE over the first `dims` elements of each head
// (dims even) with frequency base `base`.
func NewRoPE(dims int, base float64, scaling RoPEScaling) *RoPE {
	r := &RoPE{
		dims:       dims,
		thetaScale: glibcPowf(float32(base), float32(-2)/float32(dims)),
		freqScale:  1,
	}
	// As ggml, frequency factors and the linear scale combine:
	// angle = pos * base^(-2i/dims) / factor_i * freqScale.
	switch {
	case scaling.FreqFactors != nil:
		r.factors = append([]float32(nil), scaling.FreqFactors...)
	case scaling.Type == "llama3":
		r.factors = llama3Factors(dims, base, scaling)
	}
	if scaling.Type == "linear" && scaling.Factor > 0 {
		r.freqScale = float32(1 / scaling.Factor)
	}
	return r
}

// llama3Factors computes the frequency divisors of Llama 3.1 rope scaling,
// as llama.cpp's converter writes them into rope_freqs.weight.
func llama3Factors(dims int, base float64, s RoPEScaling) []float32 {
	factor, lowF, highF, orig := s.Factor, s.LowFreqFactor, s.HighFreqFactor, float64(s.OrigContext)
	if factor == 0 {
		factor = 8
	}
	if lowF == 0 {
		lowF = 1
	}
	if highF == 0 {
		highF = 4
	}
	if orig == 0 {
		orig = 8192
	}
	lowWavelen, highWavelen := orig/lowF, orig/highF
	f := make([]float32, dims/2)
	for i := range f {
		freq := float64(float32(1 / math.Pow(base, float64(float32(2*i)/float32(dims)))))
		wavelen := 2 * math.Pi / freq
		switch {
		case wavelen < highWavelen:
			f[i] = 1
		case wavelen > lowWavelen:
			f[i] = float32(factor)
		default:
			smooth := (orig/wavelen - lowF) / (highF - lowF)
			f[i] = float32(1 / ((1-smooth)/factor + smooth))
		}
	}
	return f
}

// Apply rotates, in place, the first dims elements of each of the nHeads
// heads of x (head h at x[h*headDim:]) for position pos. Normal layout
// rotates adjacent pairs (2i, 2i+1); NeoX layout rotates (i, i+dims/2).
//
// The result is bit for bit llama.cpp's (ggml's CPU rope as GCC compiles it
// for x86-64 with FMA, glibc libm): as ggml_rope_cache_init, theta_i =
// pos * base^(-2i/dims) is built by repeated float32 multiplication with
// theta_scale = powf(base, -2/dims), divided by the frequency factor, times
// freqScale, and cos/sin come from glibc's sincosf (ext_factor 0,
// attn_factor 1: no YaRN); as rotate_pairs with GCC's contraction,
// y0 = fma(x0, cos, -(x1*sin)) and y1 = fma(x0, sin, x1*cos) in float32.
func (r *RoPE) Apply(x []float32, nHeads, headDim, pos int, neox bool) {
	half := r.dims / 2
	theta := float32(pos)
	for i := 0; i < half; i++ {
		t := theta
		if r.factors != nil {
			t /= r.factors[i]
		}
		t *= r.freqScale
		s, c := glibcSincosf(t)
		theta *= r.thetaScale
		i0, i1 := 2*i, 2*i+1
		if neox {
			i0, i1 = i, i+half
		}
		c64, s64 := float64(c), float64(s)
		for h := 0; h < nHeads; h++ {
			b := h * headDim
			x0, x1 := x[b+i0], x[b+i1]
			// fmaF32(x0, c, -(x1*s)) and fmaF32(x0, s, x1*c), inlined.
			a0, a1 := float64(-float32(x1*s)), float64(float32(x1*c))
			y0, y1 := float64(x0)*c64+a0, float64(x0)*s64+a1
			if fmaF32MaybeMidpoint(y0) || fmaF32MaybeMidpoint(y1) {
				x[b+i0] = fmaF32(x0, c, -float32(x1*s))
				x[b+i1] = fmaF32(x0, s, float32(x1*c))
				continue
			}
			x[b+i0], x[b+i1] = float32(y0), float32(y1)
		}
	}
}
