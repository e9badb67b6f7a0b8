package kernels

import "math"

// fmaF32MaybeMidpoint reports whether the float64 s may be a float32 rounding
// midpoint: low 29 mantissa bits 1000... in the normal float32 range, or
// below 2^-126 (float32 subnormals).
func fmaF32MaybeMidpoint(s float64) bool {
	bits := math.Float64bits(s)
	return bits&(1<<29-1) == 1<<28 || bits&(0x7ff<<52) < (1023-126)<<52
}

// fmaF32 returns a*b+c rounded once to float32, as a single-precision fused
// multiply-add (VFMADD..SS). a*b is exact in float64; the float64 sum can
// only round differently from the exact sum when it lands exactly on a
// float32 rounding midpoint (double rounding), which the exact error of the
// sum (TwoSum) resolves.
func fmaF32(a, b, c float32) float32 {
	z := float64(a) * float64(b)
	s := z + float64(c)
	if fmaF32MaybeMidpoint(s) {
		return fmaF32Slow(z, float64(c), s)
	}
	return float32(s)
}

// fmaF32Slow finishes fmaF32 when s = z+c (rounded to float64) may be a
// float32 midpoint: s is a midpoint of the normal range (low 29 mantissa
// bits 1000...), or below 2^-126 where float32 is subnormal.
func fmaF32Slow(z, c, s float64) float32 {
	t := s - z
	err := (z - (s - t)) + (c - t) // z + c - s, exactly
	if err == 0 {
		return float32(s)
	}
	f := float32(s)
	if float64(f) == s {
		return f // s is a float32 value: the exact sum rounds to it too
	}
	// Is s exactly halfway between the float32 neighbours around it?
	lo, hi := f, f
	if float64(f) < s {
		hi = math.Nextafter32(f, float32(math.Inf(1)))
	} else {
		lo = math.Nextafter32(f, float32(math.Inf(-1)))
	}
	if (float64(lo)+float64(hi))/2 != s {
		return f
	}
	if err > 0 {
		return hi
	}
	return lo
}
