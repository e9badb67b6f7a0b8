package kernels

// Portable Go versions of the float dot products: eight float32
// accumulators, the shape of ggml's SIMD loops, so results stay close to
// llama.cpp's and the compiler can keep them in registers.

func dotF32Go(w, x []float32) float32 {
	x = x[:len(w)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(w); i += 8 {
		ww, xx := w[i:i+8:i+8], x[i:i+8:i+8]
		s0 += ww[0] * xx[0]
		s1 += ww[1] * xx[1]
		s2 += ww[2] * xx[2]
		s3 += ww[3] * xx[3]
		s4 += ww[4] * xx[4]
		s5 += ww[5] * xx[5]
		s6 += ww[6] * xx[6]
		s7 += ww[7] * xx[7]
	}
	for ; i < len(w); i++ {
		s0 += w[i] * x[i]
	}
	return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}

func dotF16Go(w, x []uint16) float32 {
	x = x[:len(w)]
	t := f16Table
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(w); i += 8 {
		ww, xx := w[i:i+8:i+8], x[i:i+8:i+8]
		s0 += t[ww[0]] * t[xx[0]]
		s1 += t[ww[1]] * t[xx[1]]
		s2 += t[ww[2]] * t[xx[2]]
		s3 += t[ww[3]] * t[xx[3]]
		s4 += t[ww[4]] * t[xx[4]]
		s5 += t[ww[5]] * t[xx[5]]
		s6 += t[ww[6]] * t[xx[6]]
		s7 += t[ww[7]] * t[xx[7]]
	}
	for ; i < len(w); i++ {
		s0 += t[w[i]] * t[x[i]]
	}
	return ((s0 + s4) + (s1 + s5)) + ((s2 + s6) + (s3 + s7))
}

func dotBF16Go(w, x []uint16) float32 {
	x = x[:len(w)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(w); i += 4 {
		ww, xx := w[i:i+4:i+4], x[i:i+4:i+4]
		s0 += bf16ToFP32(ww[0]) * bf16ToFP32(xx[0])
		s1 += bf16ToFP32(ww[1]) * bf16ToFP32(xx[1])
		s2 += bf16ToFP32(ww[2]) * bf16ToFP32(xx[2])
		s3 += bf16ToFP32(ww[3]) * bf16ToFP32(xx[3])
	}
	for ; i < len(w); i++ {
		s0 += bf16ToFP32(w[i]) * bf16ToFP32(x[i])
	}
	return (s0 + s1) + (s2 + s3)
}

// axpyF32Go adds a*x to dst element-wise (float32 products, no fusion).
func axpyF32Go(dst []float32, a float32, x []float32) {
	x = x[:len(dst)]
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, xx := dst[i:i+4:i+4], x[i:i+4:i+4]
		d[0] += float32(a * xx[0])
		d[1] += float32(a * xx[1])
		d[2] += float32(a * xx[2])
		d[3] += float32(a * xx[3])
	}
	for ; i < len(dst); i++ {
		dst[i] += float32(a * x[i])
	}
}

// axpyF16Go adds a*x to dst element-wise, x in binary16.
func axpyF16Go(dst []float32, a float32, x []uint16) {
	x = x[:len(dst)]
	t := f16Table
	i := 0
	for ; i+4 <= len(dst); i += 4 {
		d, xx := dst[i:i+4:i+4], x[i:i+4:i+4]
		d[0] += float32(a * t[xx[0]])
		d[1] += float32(a * t[xx[1]])
		d[2] += float32(a * t[xx[2]])
		d[3] += float32(a * t[xx[3]])
	}
	for ; i < len(dst); i++ {
		dst[i] += float32(a * t[x[i]])
	}
}

// axpyF16RowsGo is the portable axpyF16Rows.
func axpyF16RowsGo(dst, p []float32, v []uint16, stride int) {
	n := len(dst)
	for t, pt := range p {
		axpyF16(dst, pt, v[t*stride:t*stride+n])
	}
}
