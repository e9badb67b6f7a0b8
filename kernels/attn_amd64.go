package kernels

// attnScoresF16 sets p[t] = dot(keys[t*stride:][:len(q16)], q16) * scale
// for t < len(p): four positions per call of the F16 four-row kernel where
// the CPU has it (the query converted once per four positions), the
// one-row F16 dot for the rest. It calls the assembly directly, so q16 may
// live on the caller's stack.
func attnScoresF16(p []float32, keys []uint16, stride int, q16 []uint16, scale float32) {
	hd, n := len(q16), len(p)
	if n == 0 || hd == 0 {
		return
	}
	_ = keys[(n-1)*stride+hd-1]
	t := 0
	if hd%8 == 0 && stride >= hd && x86HasAVX512VL() {
		for ; t+4 <= n; t += 4 {
			dotF16x4nAVX512(hd/8, &keys[t*stride], stride, &q16[0], hd, 1, &p[t], 1)
			p[t], p[t+1], p[t+2], p[t+3] = p[t]*scale, p[t+1]*scale, p[t+2]*scale, p[t+3]*scale
		}
	}
	if x86HasAVX2() {
		for ; t < n; t++ {
			p[t] = dotF16AVX2(hd, &keys[t*stride], &q16[0]) * scale
		}
		return
	}
	for ; t < n; t++ {
		p[t] = dotF16Go(keys[t*stride:t*stride+hd], q16) * scale
	}
}

// attnScoresAVX512 sets p[t] = scale * (ggml_vec_dot_f32's AVX-512 sum of
// the first 64*blocks products of the key at k + t*kstride bytes and q) for
// t < n; blocks >= 1 (attnf32_amd64.s).
//
//go:noescape
func attnScoresAVX512(p, k *float32, kstride int, q *float32, n, blocks int, scale float32)

// attnAccAVX512 runs 16 FMA lanes over one 16-float chunk of the values:
// lane j accumulates p[t]*v[t] for the positions t = j + (16+skip)*b,
// b < nb, and t = j + (16+skip)*nb for j < rem, with position t's chunk at
// v + t*vstride bytes; it stores the 16 lanes (16x16 floats) at acc
// (attnf32_amd64.s).
//
//go:noescape
func attnAccAVX512(p, v *float32, vstride, skip, nb, rem int, acc *float32)

// attnTreeAVX512 reduces the lanes at acc (16 or 64 rows of 16 floats) to
// 16 outputs as attnValuesRef does; with 64 lanes only the first groups*16
// rows are read, the others count as zero (attnf32_amd64.s).
//
//go:noescape
func attnTreeAVX512(acc *float32, lanes, groups int, out *float32)

// attnLlamaOrder reports whether attnScoresF32 and attnValuesF32 follow
// llama.cpp's AVX-512 arithmetic (attnScoresRef, attnValuesRef): on CPUs
// with AVX-512, whose llama.cpp build sums that way.
func attnLlamaOrder() bool { return x86HasAVX512VL() }

// attnScoresF32 is attnScoresRef, with the AVX-512 kernel when the CPU has it;
// attnScoresFast without AVX-512 (see attnLlamaOrder).
func attnScoresF32(p, keys []float32, stride int, q []float32, scale float32) {
	if !attnLlamaOrder() {
		attnScoresFast(p, keys, stride, q, scale)
		return
	}
	hd, n := len(q), len(p)
	blocks := hd / 64
	if n == 0 || blocks == 0 {
		attnScoresRef(p, keys, stride, q, scale)
		return
	}
	_ = keys[(n-1)*stride+hd-1]
	if hd%64 == 0 {
		attnScoresAVX512(&p[0], &keys[0], stride*4, &q[0], n, blocks, scale)
		return
	}
	attnScoresAVX512(&p[0], &keys[0], stride*4, &q[0], n, blocks, 1)
	for t := range p {
		k, s := keys[t*stride:t*stride+hd], p[t]
		for i := blocks * 64; i < hd; i++ {
			s += float32(k[i] * q[i])
		}
		p[t] = s * scale
	}
}

// attnValuesF32 is attnValuesRef, 16 outputs at a time with the AVX-512
// kernels when the CPU has them (acc is their scratch); attnValuesFast
// without AVX-512 (see attnLlamaOrder).
func attnValuesF32(o, p, values []float32, stride, lanes int, acc *[64 * 16]float32) {
	if !attnLlamaOrder() {
		attnValuesFast(o, p, values, stride)
		return
	}
	hd, n := len(o), len(p)
	if n == 0 || hd < 16 {
		attnValuesRef(o, p, values, stride, lanes)
		return
	}
	_ = values[(n-1)*stride+hd-1]
	groups := min(4, (n+15)/16) // 16-lane groups of the 64 lanes that hold positions
	c := 0
	for ; c+16 <= hd; c += 16 {
		if lanes == 16 {
			attnAccAVX512(&p[0], &values[c], stride*4, 0, n/16, n%16, &acc[0])
		} else {
			for r := range groups {
				s := 16 * r
				nb := 0
				if n >= s+16 {
					nb = (n-s-16)/64 + 1
				}
				rem := max(0, n-(64*nb+s))
				attnAccAVX512(&p[s], &values[s*stride+c], stride*4, 48, nb, rem, &acc[s*16])
			}
		}
		attnTreeAVX512(&acc[0], lanes, groups, &o[c])
	}
	if c < hd {
		attnValuesRef(o[c:], p, values[c:], stride, lanes)
	}
}
