package kernels

import "unsafe"

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
