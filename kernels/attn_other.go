//go:build !amd64

package kernels

// attnScoresF16 sets p[t] = dot(keys[t*stride:][:len(q16)], q16) * scale
// for t < len(p) (portable F16 dot, called directly so q16 may live on the
// caller's stack).
func attnScoresF16(p []float32, keys []uint16, stride int, q16 []uint16, scale float32) {
	hd := len(q16)
	for t := range p {
		p[t] = dotF16Go(keys[t*stride:t*stride+hd], q16) * scale
	}
}

// attnLlamaOrder is false here: no llama.cpp AVX-512 build to follow.
func attnLlamaOrder() bool { return false }

func attnScoresF32(p, keys []float32, stride int, q []float32, scale float32) {
	attnScoresFast(p, keys, stride, q, scale)
}

func attnValuesF32(o, p, values []float32, stride, lanes int, acc *[64 * 16]float32) {
	attnValuesFast(o, p, values, stride)
}
