package kernels

import (
	"math"
	"unsafe"
)

// AttentionF32 computes attention for one query row over positions [0,n) of
// one sequence's cache, for a forward batch of one token (decode). q holds
// nHead heads of headDim; keys and values hold n rows of nKVHead*headDim;
// query head h uses KV head h/(nHead/nKVHead). For each head: scores = q·k *
// scale, softmax over the n positions, and out = Σ p_t v_t. out has
// nHead*headDim elements; scratch at least n floats (n rounded up to 16 lets
// the softmax see llama.cpp's padded row, see AttentionBatchF32).
//
// The arithmetic is llama.cpp's (AVX-512 build, F32 cache, no flash
// attention): q·k is ggml_vec_dot_f32 (attnDotRef), and the weighted sum of
// values is mul_mat(v_transposed, kq), which for one token is
// ggml_vec_dot_f32 over the padded positions (attnValuesRef with 64 lanes).
func AttentionF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim int, scale float32, scratch []float32) {
	attentionHeadsF32(out, q, keys, values, n, nHead, nKVHead, headDim, 0, nHead, scale, 64, scratch)
}

// AttentionBatchF32 is AttentionF32 for one query row of a forward batch of
// batchRows tokens. llama.cpp computes the weighted sum of values of a batch
// of two or more tokens with llamafile_sgemm's tinyBLAS<16, __m512> (one
// 16-lane FMA chain per output, attnValuesRef with 16 lanes) when headDim is
// a multiple of 4, and with ggml_vec_dot_f32 otherwise (and for one token),
// so the result of a row depends on the size of the batch it is part of.
func AttentionBatchF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim int, scale float32, batchRows int, scratch []float32) {
	attentionHeadsF32(out, q, keys, values, n, nHead, nKVHead, headDim, 0, nHead, scale, attnLanes(headDim, batchRows), scratch)
}

// AttentionHeadsF32 is AttentionF32 for query heads [h0, h1) only: it writes
// out[h0*headDim : h1*headDim] and nothing else, so the heads of one query
// row can be split over threads (each with its own scratch).
func AttentionHeadsF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim, h0, h1 int, scale float32, scratch []float32) {
	attentionHeadsF32(out, q, keys, values, n, nHead, nKVHead, headDim, h0, h1, scale, 64, scratch)
}

// attnLanes is the number of accumulator lanes llama.cpp's kqv = mul_mat(v,
// kq) uses: 16 for tinyBLAS (batches of two or more tokens; it needs the
// padded position count, a multiple of 256, to be a multiple of 16 and
// headDim a multiple of 4), 64 for ggml_vec_dot_f32 (4 accumulators of 16).
func attnLanes(headDim, batchRows int) int {
	if batchRows >= 2 && headDim%4 == 0 {
		return 16
	}
	return 64
}

func attentionHeadsF32(out, q, keys, values []float32, n, nHead, nKVHead, headDim, h0, h1 int, scale float32, lanes int, scratch []float32) {
	if n <= 0 {
		clear(out[h0*headDim : h1*headDim])
		return
	}
	kvDim := nKVHead * headDim
	group := nHead / nKVHead
	// llama.cpp's soft_max runs over the padded row (a multiple of 256
	// positions, the masked ones -Inf); ggml_vec_soft_max_f32 takes 16 at a
	// time, so padding to 16 with -Inf gives the same chunks.
	np := (n + 15) &^ 15
	if len(scratch) < np {
		np = n
	}
	ps := scratch[:np]
	p := ps[:n]
	var acc [64 * 16]float32
	for h := h0; h < h1; h++ {
		kvOff := (h / group) * headDim
		qh := q[h*headDim : (h+1)*headDim]
		attnScoresF32(p, keys[kvOff:], kvDim, qh, scale)
		for i := n; i < np; i++ {
			ps[i] = float32(math.Inf(-1))
		}
		Softmax(ps)
		attnValuesF32(out[h*headDim:(h+1)*headDim], p, values[kvOff:], kvDim, lanes, &acc)
	}
}

// attnDotRef is ggml_vec_dot_f32's AVX-512 branch: four 16-lane FMA
// accumulators over 64 elements at a time, combined (a0+a2)+(a1+a3) and
// reduced as reduce16, then the n%64 tail added one float32 product at a
// time (GCC vectorizes the products but adds them in order).
func attnDotRef(x, y []float32) float32 {
	n := len(x)
	y = y[:n]
	np := n &^ 63
	var a [4][16]float32
	for i := 0; i < np; i += 64 {
		for r := range a {
			for j := range a[r] {
				a[r][j] = fmaF32(x[i+16*r+j], y[i+16*r+j], a[r][j])
			}
		}
	}
	var v [16]float32
	for j := range v {
		v[j] = (a[0][j] + a[2][j]) + (a[1][j] + a[3][j])
	}
	s := reduce16(&v)
	for i := np; i < n; i++ {
		s += float32(x[i] * y[i])
	}
	return s
}

// attnScoresFast and attnValuesFast compute the scores and the weighted sum
// of values with the dispatched float32 dot and axpy (assembly where the CPU
// has it), in position order. They serve CPUs without AVX-512: llama.cpp's
// build for those (AVX2) sums in yet another order, so reproducing its
// AVX-512 order there (attnScoresRef, attnValuesRef: a float32 FMA emulated
// per product) would only cost time.
func attnScoresFast(p, keys []float32, stride int, q []float32, scale float32) {
	hd := len(q)
	for t := range p {
		p[t] = dotF32(keys[t*stride:t*stride+hd], q) * scale
	}
}

func attnValuesFast(o, p, values []float32, stride int) {
	hd := len(o)
	clear(o)
	for t, pt := range p {
		axpyF32(o, pt, values[t*stride:t*stride+hd])
	}
}

// attnScoresRef sets p[t] = attnDotRef(keys[t*stride:][:len(q)], q) * scale
// (ggml's soft_max_ext scales the kq row by a float32 multiply).
func attnScoresRef(p, keys []float32, stride int, q []float32, scale float32) {
	hd := len(q)
	for t := range p {
		p[t] = attnDotRef(keys[t*stride:t*stride+hd], q) * scale
	}
}

// attnValuesRef sets o[d] = Σ_t p[t]*values[t*stride+d] in llama.cpp's
// order: lane l accumulates the positions t ≡ l (mod lanes) with FMAs in
// position order; 16 lanes (tinyBLAS) reduce as reduce16, 64 lanes
// (ggml_vec_dot_f32's four accumulators, position t in accumulator
// (t%64)/16, lane t%16) first combine (a0+a2)+(a1+a3). The positions past
// len(p) that llama.cpp pads with have probability 0 and add nothing.
func attnValuesRef(o, p, values []float32, stride, lanes int) {
	n := len(p)
	for d := range o {
		var a [64]float32
		for t := 0; t < n; t++ {
			l := t % lanes
			a[l] = fmaF32(p[t], values[t*stride+d], a[l])
		}
		var v [16]float32
		if lanes == 64 {
			for j := range v {
				v[j] = (a[j] + a[32+j]) + (a[16+j] + a[48+j])
			}
		} else {
			copy(v[:], a[:16])
		}
		o[d] = reduce16(&v)
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
