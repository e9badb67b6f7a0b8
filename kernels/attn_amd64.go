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
