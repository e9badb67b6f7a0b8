package kernels

import "math"

// fp16ToFP32 converts an IEEE 754 binary16 value to float32 (exact).
func fp16ToFP32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0:
		if mant == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: mant * 2^-24, exact in float32.
		v := float32(mant) * (1.0 / 16777216)
		if sign != 0 {
			v = -v
		}
		return v
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// fp32ToFP16 converts float32 to binary16 with round-to-nearest-even, like
// F16C's vcvtps2ph (what ggml's CPU backend uses) and ggml's scalar fallback.
func fp32ToFP16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff {
		if mant != 0 {
			return sign | 0x7e00 | uint16(mant>>13) // quiet NaN, keep payload
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 31 {
		return sign | 0x7c00
	}
	if e <= 0 {
		if e < -10 {
			return sign
		}
		m := mant | 0x800000
		shift := uint(14 - e)
		q := m >> shift
		rem := m & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && q&1 == 1) {
			q++
		}
		return sign | uint16(q)
	}
	q := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && q&1 == 1) {
		q++ // may carry into the exponent, up to Inf: correct
	}
	return sign | uint16(q)
}

// bf16ToFP32 converts a bfloat16 value to float32 (exact).
func bf16ToFP32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// fp32ToBF16 converts float32 to bfloat16 exactly as ggml's
// GGML_FP32_TO_BF16: round to nearest even, NaNs forced quiet, subnormals kept.
func fp32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + (0x7fff + (u>>16)&1)) >> 16)
}

// f16Table maps every binary16 bit pattern to its float32 value; a
// read-only lookup table built once at package initialisation.
var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = fp16ToFP32(uint16(i))
	}
	return &t
}()

// F32ToF16 converts src to IEEE binary16 (round to nearest even) into dst,
// which must be at least as long as src. It is how an F16 KV cache is filled.
func F32ToF16(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	done := f32ToF16Fast(dst, src)
	for i, v := range src[done:] {
		dst[done+i] = fp32ToFP16(v)
	}
}

// roundF16s rounds every element of x in place to the nearest binary16
// value (roundF16 of each).
func roundF16s(x []float32) {
	done := roundF16sFast(x)
	for i, v := range x[done:] {
		x[done+i] = roundF16(v)
	}
}

// F16ToF32 converts binary16 values in src to float32 into dst (exact).
func F16ToF32(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = f16Table[h]
	}
}

// F32ToBF16 converts src to bfloat16 into dst, rounding like ggml.
func F32ToBF16(dst []uint16, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = fp32ToBF16(v)
	}
}

// BF16ToF32 converts bfloat16 values in src to float32 into dst (exact).
func BF16ToF32(dst []float32, src []uint16) {
	dst = dst[:len(src)]
	for i, h := range src {
		dst[i] = bf16ToFP32(h)
	}
}
