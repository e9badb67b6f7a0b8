package kernels

import (
	"math"
	"unsafe"
)

// RMSNorm writes dst[i] = x[i] * scale * weight[i], scale = 1/sqrt(mean(x²)+eps),
// as ggml's rms_norm followed by the weight multiply: squares are float32
// products summed in float64, the mean and scale are float32.
// dst may alias x. weight must be at least len(x) long.
func RMSNorm(dst, x, weight []float32, eps float32) {
	if len(x) == 0 {
		return
	}
	dst, weight = dst[:len(x)], weight[:len(x)]
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / sqrtf(mean+eps)
	for i, v := range x {
		dst[i] = float32(v*scale) * weight[i]
	}
}

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
	thetaScale float32   // base^(-2/dims), as ggml's powf
	freqScale  float32   // 1/Factor for linear scaling, else 1
	factors    []float32 // per-pair frequency divisors (nil: all 1)
}

// NewRoPE prepares RoPE over the first `dims` elements of each head
// (dims even) with frequency base `base`.
func NewRoPE(dims int, base float64, scaling RoPEScaling) *RoPE {
	r := &RoPE{
		dims:       dims,
		thetaScale: float32(math.Pow(float64(float32(base)), float64(float32(-2)/float32(dims)))),
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
// Angles follow ggml: theta_i = pos * base^(-2i/dims) built by repeated
// float32 multiplication, divided by the frequency factor, times freqScale.
func (r *RoPE) Apply(x []float32, nHeads, headDim, pos int, neox bool) {
	half := r.dims / 2
	theta := float32(pos)
	for i := 0; i < half; i++ {
		t := theta
		if r.factors != nil {
			t /= r.factors[i]
		}
		t *= r.freqScale
		c, s := float32(math.Cos(float64(t))), float32(math.Sin(float64(t)))
		theta *= r.thetaScale
		i0, i1 := 2*i, 2*i+1
		if neox {
			i0, i1 = i, i+half
		}
		for h := 0; h < nHeads; h++ {
			b := h * headDim
			x0, x1 := x[b+i0], x[b+i1]
			x[b+i0] = float32(x0*c) - float32(x1*s)
			x[b+i1] = float32(x0*s) + float32(x1*c)
		}
	}
}

// Softmax replaces x by its softmax: subtract the max, exp in float32 (see
// expf), sum in float64, multiply by the float32 inverse of the sum (as ggml).
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	sum := expSub(x, m)
	inv := float32(1 / sum)
	for i := range x {
		x[i] *= inv
	}
}

// SwiGLU writes dst[i] = silu(gate[i]) * up[i], silu(g) = g/(1+exp(-g))
// with ggml's float32 exp (see expf). dst may alias gate or up.
func SwiGLU(dst, gate, up []float32) {
	swiglu(dst, gate[:len(dst)], up[:len(dst)])
}

// Add adds a to dst element-wise (dst += a).
func Add(dst, a []float32) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] += a[i]
	}
}

// AttentionF32 computes attention for one query row over positions [0,n) of
// one sequence's cache. q holds nHead heads of headDim; keys and values hold n
// rows of nKVHead*headDim; query head h uses KV head h/(nHead/nKVHead).
// For each head: scores = q·k * scale, softmax over the n positions, and
// out = Σ p_t v_t. out has nHead*headDim elements; scratch at least n.
func AttentionF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim int, scale float32, scratch []float32) {
	AttentionHeadsF32(out, q, keys, values, n, nHead, nKVHead, headDim, 0, nHead, scale, scratch)
}

// AttentionHeadsF32 is AttentionF32 for query heads [h0, h1) only: it writes
// out[h0*headDim : h1*headDim] and nothing else, so the heads of one query
// row can be split over threads (each with its own scratch).
func AttentionHeadsF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim, h0, h1 int, scale float32, scratch []float32) {
	kvDim := nKVHead * headDim
	group := nHead / nKVHead
	p := scratch[:n]
	for h := h0; h < h1; h++ {
		kvOff := (h / group) * headDim
		qh := q[h*headDim : (h+1)*headDim]
		for t := 0; t < n; t++ {
			k := keys[t*kvDim+kvOff : t*kvDim+kvOff+headDim]
			p[t] = dotF32(k, qh) * scale
		}
		Softmax(p)
		o := out[h*headDim : (h+1)*headDim]
		clear(o)
		for t, pt := range p {
			axpyF32(o, pt, values[t*kvDim+kvOff:t*kvDim+kvOff+headDim])
		}
	}
}

// maxStackHeadDim bounds the head size whose rounded query fits on the stack.
const maxStackHeadDim = 512

// AttentionF16 is AttentionF32 over an F16 cache (binary16 keys and values).
// Like llama.cpp without flash attention, the query is rounded to F16 for
// the q·k products and the probabilities to F16 for the weighted sum of
// values; products and sums are float32.
//
// scratch needs n floats; with n + (headDim+1)/2 the extra space holds the
// F16 query so the dispatched (assembly) F16 dot can be used.
func AttentionF16(out, q []float32, keys, values []uint16, n, nHead, nKVHead, headDim int, scale float32, scratch []float32) {
	AttentionHeadsF16(out, q, keys, values, n, nHead, nKVHead, headDim, 0, nHead, scale, scratch)
}

// AttentionHeadsF16 is AttentionF16 for query heads [h0, h1) only (see
// AttentionHeadsF32).
func AttentionHeadsF16(out, q []float32, keys, values []uint16, n, nHead, nKVHead, headDim, h0, h1 int, scale float32, scratch []float32) {
	kvDim := nKVHead * headDim
	group := nHead / nKVHead
	p := scratch[:n]
	var q16 []uint16 // F16 query in scratch, when there is room, or on the stack
	var q16buf [maxStackHeadDim]uint16
	if extra := scratch[n:]; len(extra) >= (headDim+1)/2 && headDim > 0 {
		q16 = unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(extra))), headDim)
	} else if headDim > 0 && headDim <= maxStackHeadDim {
		q16 = q16buf[:headDim]
	}
	var qbuf [maxStackHeadDim]float32
	var qh []float32 // F16-rounded query as float32, otherwise
	if q16 == nil {
		if headDim <= maxStackHeadDim {
			qh = qbuf[:headDim]
		} else {
			qh = make([]float32, headDim)
		}
	}
	for h := h0; h < h1; h++ {
		kvOff := (h / group) * headDim
		qs := q[h*headDim : (h+1)*headDim]
		if q16 != nil {
			F32ToF16(q16, qs)
			attnScoresF16(p, keys[kvOff:], kvDim, q16, scale)
		} else {
			for i, v := range qs {
				qh[i] = roundF16(v)
			}
			for t := 0; t < n; t++ {
				p[t] = dotF16F32(keys[t*kvDim+kvOff:t*kvDim+kvOff+headDim], qh) * scale
			}
		}
		Softmax(p)
		o := out[h*headDim : (h+1)*headDim]
		clear(o)
		roundF16s(p) // ggml rounds the probabilities to F16 for the F16 values
		axpyF16Rows(o, p, values[kvOff:], kvDim)
	}
}

// dotF16F32 dots binary16 values with float32 values that are already
// binary16-representable (so every product is exact, as in ggml's F16 dot).
func dotF16F32(w []uint16, x []float32) float32 {
	x = x[:len(w)]
	t := f16Table
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(w); i += 4 {
		ww, xx := w[i:i+4:i+4], x[i:i+4:i+4]
		s0 += t[ww[0]] * xx[0]
		s1 += t[ww[1]] * xx[1]
		s2 += t[ww[2]] * xx[2]
		s3 += t[ww[3]] * xx[3]
	}
	for ; i < len(w); i++ {
		s0 += t[w[i]] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
