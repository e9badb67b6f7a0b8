package kernels

import "encoding/binary"

// Reference dot products. For the block formats, w is a row of weight
// blocks and x the matching activation blocks (Q8_0, Q8_1 or Q8_K); n is
// the number of elements. They compute what ggml's CPU backend computes:
// an exact integer sum per block, scaled by the product of the two block
// scales, accumulated in float32.

// dotF32Ref accumulates in float64 (the most accurate reference).
func dotF32Ref(w, x []float32) float32 {
	x = x[:len(w)]
	var s float64
	for i, v := range w {
		s += float64(v) * float64(x[i])
	}
	return float32(s)
}

// dotF16Ref: both operands binary16; every product is exact in float32,
// accumulated in float64.
func dotF16Ref(w, x []uint16) float32 {
	x = x[:len(w)]
	var s float64
	for i, v := range w {
		s += float64(fp16ToFP32(v) * fp16ToFP32(x[i]))
	}
	return float32(s)
}

// dotBF16Ref: both operands bfloat16, products exact, float64 sum.
func dotBF16Ref(w, x []uint16) float32 {
	x = x[:len(w)]
	var s float64
	for i, v := range w {
		s += float64(bf16ToFP32(v) * bf16ToFP32(x[i]))
	}
	return float32(s)
}

func dotQ8_0Ref(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qk; i++ {
		wb, xb := w[i*q8_0Size:(i+1)*q8_0Size], x[i*q8_0Size:(i+1)*q8_0Size]
		sumi := int32(0)
		for j := 2; j < q8_0Size; j++ {
			sumi += int32(int8(wb[j])) * int32(int8(xb[j]))
		}
		sum += float32(float32(sumi) * (loadF16(wb) * loadF16(xb)))
	}
	return sum
}

func dotQ4_0Ref(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qk; i++ {
		wb, xb := w[i*q4_0Size:(i+1)*q4_0Size], x[i*q8_0Size:(i+1)*q8_0Size]
		qs, ys := wb[2:], xb[2:]
		sumi := int32(0)
		for j := 0; j < qk/2; j++ {
			sumi += (int32(qs[j]&0x0f) - 8) * int32(int8(ys[j]))
			sumi += (int32(qs[j]>>4) - 8) * int32(int8(ys[j+qk/2]))
		}
		sum += float32(float32(sumi) * (loadF16(wb) * loadF16(xb)))
	}
	return sum
}

func dotQ4_1Ref(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qk; i++ {
		wb, xb := w[i*q4_1Size:(i+1)*q4_1Size], x[i*q8_1Size:(i+1)*q8_1Size]
		qs, ys := wb[4:], xb[4:]
		sumi := int32(0)
		for j := 0; j < qk/2; j++ {
			sumi += int32(qs[j]&0x0f) * int32(int8(ys[j]))
			sumi += int32(qs[j]>>4) * int32(int8(ys[j+qk/2]))
		}
		sum += float32(float32(loadF16(wb)*loadF16(xb))*float32(sumi)) + float32(loadF16(wb[2:])*loadF16(xb[2:]))
	}
	return sum
}

func dotQ5_0Ref(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qk; i++ {
		wb, xb := w[i*q5_0Size:(i+1)*q5_0Size], x[i*q8_0Size:(i+1)*q8_0Size]
		qh := binary.LittleEndian.Uint32(wb[2:])
		qs, ys := wb[6:], xb[2:]
		sumi := int32(0)
		for j := 0; j < qk/2; j++ {
			h0 := byte(qh>>uint(j)<<4) & 0x10
			h1 := byte(qh>>uint(j+12)) & 0x10
			sumi += (int32(qs[j]&0x0f|h0) - 16) * int32(int8(ys[j]))
			sumi += (int32(qs[j]>>4|h1) - 16) * int32(int8(ys[j+qk/2]))
		}
		sum += float32(float32(sumi) * (loadF16(wb) * loadF16(xb)))
	}
	return sum
}

func dotQ5_1Ref(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qk; i++ {
		wb, xb := w[i*q5_1Size:(i+1)*q5_1Size], x[i*q8_1Size:(i+1)*q8_1Size]
		qh := binary.LittleEndian.Uint32(wb[4:])
		qs, ys := wb[8:], xb[4:]
		sumi := int32(0)
		for j := 0; j < qk/2; j++ {
			h0 := byte(qh>>uint(j)<<4) & 0x10
			h1 := byte(qh>>uint(j+12)) & 0x10
			sumi += int32(qs[j]&0x0f|h0) * int32(int8(ys[j]))
			sumi += int32(qs[j]>>4|h1) * int32(int8(ys[j+qk/2]))
		}
		sum += float32(float32(loadF16(wb)*loadF16(xb))*float32(sumi)) + float32(loadF16(wb[2:])*loadF16(xb[2:]))
	}
	return sum
}

// bsumQ8K returns the sum of the 16 quants of group j of a Q8_K block.
func bsumQ8K(b []byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(b[4+qkK+2*j:])))
}

func dotQ2_KRef(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qkK; i++ {
		wb, xb := w[i*q2KSize:(i+1)*q2KSize], x[i*q8KSize:(i+1)*q8KSize]
		sc, q2 := wb[:16], wb[16:80]
		yd, q8 := loadF32(xb), xb[4:4+qkK]
		summs := int32(0)
		for j := 0; j < 16; j++ {
			summs += bsumQ8K(xb, j) * int32(sc[j]>>4)
		}
		isum := int32(0)
		for e := 0; e < qkK; e++ {
			k, j, l := e/128, (e%128)/32, e%32
			v := int32((q2[32*k+l] >> uint(2*j)) & 3)
			isum += int32(sc[k*8+2*j+l/16]&0x0f) * v * int32(int8(q8[e]))
		}
		dall := yd * loadF16(wb[80:])
		dmin := yd * loadF16(wb[82:])
		sum += float32(dall*float32(isum)) - float32(dmin*float32(summs))
	}
	return sum
}

func dotQ3_KRef(n int, w, x []byte) float32 {
	var sum float32
	for i := 0; i < n/qkK; i++ {
		wb, xb := w[i*q3KSize:(i+1)*q3KSize], x[i*q8KSize:(i+1)*q8KSize]
		hm, q3, sc := wb[:32], wb[32:96], wb[96:108]
		yd, q8 := loadF32(xb), xb[4:4+qkK]
		isum := int32(0)
		for g := 0; g < 16; g++ {
			s := scaleQ3K(g, sc)
			gs := int32(0)
			for e := 16 * g; e < 16*g+16; e++ {
				k, j, l := e/128, (e%128)/32, e%32
				v := int32((q3[32*k+l] >> uint(2*j)) & 3)
				if hm[l]&(1<<uint(4*k+j)) == 0 {
					v -= 4
				}
				gs += v * int32(int8(q8[e]))
			}
			isum += s * gs
		}
		sum += float32(loadF16(wb[108:])*yd) * float32(isum)
	}
	return sum
}

// dotQ45KRef is the shared Q4_K/Q5_K dot of one super-block; a holds the
// unsigned levels of the weight block.
func dotQ45KRef(wb, xb []byte, a *[qkK]int8) float32 {
	scs := wb[4:16]
	yd, q8 := loadF32(xb), xb[4:4+qkK]
	isum, summ := int32(0), int32(0)
	for j := 0; j < 8; j++ {
		sc, m := scaleMinK4(j, scs)
		gs := int32(0)
		for e := 32 * j; e < 32*j+32; e++ {
			gs += int32(a[e]) * int32(int8(q8[e]))
		}
		isum += int32(sc) * gs
		summ += int32(m) * (bsumQ8K(xb, 2*j) + bsumQ8K(xb, 2*j+1))
	}
	d := loadF16(wb) * yd
	dmin := loadF16(wb[2:]) * yd
	return float32(d*float32(isum)) - float32(dmin*float32(summ))
}

func dotQ4_KRef(n int, w, x []byte) float32 {
	var sum float32
	var a [qkK]int8
	for i := 0; i < n/qkK; i++ {
		wb, xb := w[i*q4KSize:(i+1)*q4KSize], x[i*q8KSize:(i+1)*q8KSize]
		q := wb[16:]
		for e := range a {
			b := q[e/64*32+e%32]
			if e%64 >= 32 {
				b >>= 4
			}
			a[e] = int8(b & 0x0f)
		}
		sum += dotQ45KRef(wb, xb, &a)
	}
	return sum
}

func dotQ5_KRef(n int, w, x []byte) float32 {
	var sum float32
	var a [qkK]int8
	for i := 0; i < n/qkK; i++ {
		wb, xb := w[i*q5KSize:(i+1)*q5KSize], x[i*q8KSize:(i+1)*q8KSize]
		qh, ql := wb[16:48], wb[48:]
		for e := range a {
			c, l := e/64, e%32
			b, bit := ql[32*c+l], uint(2*c)
			if e%64 >= 32 {
				b, bit = b>>4, bit+1
			}
			v := int8(b & 0x0f)
			if qh[l]&(1<<bit) != 0 {
				v += 16
			}
			a[e] = v
		}
		sum += dotQ45KRef(wb, xb, &a)
	}
	return sum
}

func dotQ6_KRef(n int, w, x []byte) float32 {
	var sum float32
	var a [qkK]int8
	for i := 0; i < n/qkK; i++ {
		wb, xb := w[i*q6KSize:(i+1)*q6KSize], x[i*q8KSize:(i+1)*q8KSize]
		sc := wb[192:208]
		yd, q8 := loadF32(xb), xb[4:4+qkK]
		q6KLevels(wb, &a)
		isum := int32(0)
		for g := 0; g < 16; g++ {
			gs := int32(0)
			for e := 16 * g; e < 16*g+16; e++ {
				gs += int32(a[e]) * int32(int8(q8[e]))
			}
			isum += int32(int8(sc[g])) * gs
		}
		sum += float32(loadF16(wb[208:])*yd) * float32(isum)
	}
	return sum
}
