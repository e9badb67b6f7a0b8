package kernels

import "math"

// This file transcribes glibc's single-precision sine/cosine
// (sysdeps/ieee754/flt-32/s_sincosf.c, s_sincosf.h, sincosf_poly.h,
// s_sincosf_data.c; the algorithm is Szabolcs Nagy's from ARM's optimized
// routines) as the x86-64 FMA variant that glibc 2.36's ifunc selects on
// AVX2/FMA CPUs computes it: every a*b+c of the double-precision evaluation
// is one fused multiply-add (GCC contracts them; checked against the
// disassembly of libm.so.6's __sincosf_fma and bit for bit against libm).
// ggml builds its RoPE cos/sin cache with sincosf, and glibc's results are
// not always correctly rounded (about 2% of RoPE angles differ in the last
// bit from float32(math.Cos(x))), so matching llama.cpp needs this exact
// sequence of double operations. Plain products are written float64(a*b)
// so that the Go compiler never fuses them on its own.

// sincosfConsts is sincos_t: sine signs per quadrant, 2/pi, pi/2 and the
// cosine (c0..c4) and sine (s1..s3) polynomial coefficients.
type sincosfConsts struct {
	sign                           [4]float64
	hpiInv, hpi                    float64
	c0, c1, c2, c3, c4, s1, s2, s3 float64
}

// sincosfTab is __sincosf_table: the second entry negates the cosine
// polynomial (used in quadrants 2 and 3).
var sincosfTab = [2]sincosfConsts{
	{
		sign:   [4]float64{1, -1, -1, 1},
		hpiInv: 0x1.45F306DC9C883p+23, // 2/pi * 2^24 (x86-64 has no TOINT_INTRINSICS)
		hpi:    0x1.921FB54442D18p0,
		c0:     0x1p0, c1: -0x1.ffffffd0c621cp-2, c2: 0x1.55553e1068f19p-5, c3: -0x1.6c087e89a359dp-10, c4: 0x1.99343027bf8c3p-16,
		s1: -0x1.555545995a603p-3, s2: 0x1.1107605230bc4p-7, s3: -0x1.994eb3774cf24p-13,
	},
	{
		sign:   [4]float64{1, -1, -1, 1},
		hpiInv: 0x1.45F306DC9C883p+23,
		hpi:    0x1.921FB54442D18p0,
		c0:     -0x1p0, c1: 0x1.ffffffd0c621cp-2, c2: -0x1.55553e1068f19p-5, c3: 0x1.6c087e89a359dp-10, c4: -0x1.99343027bf8c3p-16,
		s1: -0x1.555545995a603p-3, s2: 0x1.1107605230bc4p-7, s3: -0x1.994eb3774cf24p-13,
	},
}

// invPio4 is __inv_pio4: 4/pi to 192 bits, 8 new bits per entry.
var invPio4 = [24]uint32{
	0xa2, 0xa2f9, 0xa2f983, 0xa2f9836e,
	0xf9836e4e, 0x836e4e44, 0x6e4e4415, 0x4e441529,
	0x441529fc, 0x1529fc27, 0x29fc2757, 0xfc2757d1,
	0x2757d1f5, 0x57d1f534, 0xd1f534dd, 0xf534ddc0,
	0x34ddc0db, 0xddc0db62, 0xc0db6295, 0xdb629599,
	0x6295993c, 0x95993c43, 0x993c4390, 0x3c439041,
}

const (
	sincosfPi63 = 0x1.921FB54442D18p-62 // 2pi * 2^-64
	// abstop12 thresholds: top 12 bits (sign cleared) of float32 pi/4,
	// 2^-12, 120 and +Inf.
	sincosfTopPio4 = 0x3f4
	sincosfTopTiny = 0x398
	sincosfTop120  = 0x42f
	sincosfTopInf  = 0x7f8
)

// glibcSincosf returns glibc's sinf(y) and cosf(y) (as sincosf computes them
// with FMA on x86-64), bit for bit.
func glibcSincosf(y float32) (sin, cos float32) {
	xi := math.Float32bits(y)
	top := xi >> 20 & 0x7ff
	x := float64(y)
	p := &sincosfTab[0]
	switch {
	case top < sincosfTopPio4:
		if top < sincosfTopTiny {
			return y, 1
		}
		return sincosfPoly(x, float64(x*x), p, 0)
	case top < sincosfTop120:
		// reduce_fast: the quadrant from a truncating conversion of x*2/pi*2^24.
		r := float64(x * p.hpiInv)
		n := (int32(r) + 0x800000) >> 24
		x = math.FMA(-float64(n), p.hpi, x)
		s := p.sign[n&3]
		if n&2 != 0 {
			p = &sincosfTab[1]
		}
		return sincosfPoly(float64(x*s), float64(x*x), p, int(n))
	case top < sincosfTopInf:
		sign := int(xi >> 31)
		x, n := sincosfReduceLarge(xi)
		s := p.sign[(n+sign)&3]
		if (n+sign)&2 != 0 {
			p = &sincosfTab[1]
		}
		return sincosfPoly(float64(x*s), float64(x*x), p, n)
	default: // Inf or NaN
		nan := y - y
		return nan, nan
	}
}

// sincosfPoly is sincosf_poly: sine and cosine polynomials of x (x2 = x*x),
// swapped in odd quadrants n.
func sincosfPoly(x, x2 float64, p *sincosfConsts, n int) (sin, cos float32) {
	x4 := float64(x2 * x2)
	x3 := float64(x2 * x)
	c2 := math.FMA(x2, p.c4, p.c3)
	s1 := math.FMA(x2, p.s3, p.s2)
	c1 := math.FMA(x2, p.c1, p.c0)
	x5 := float64(x3 * x2)
	x6 := float64(x4 * x2)
	s := math.FMA(x3, p.s1, x)
	c := math.FMA(x4, p.c2, c1)
	sv := float32(math.FMA(x5, s1, s))
	cv := float32(math.FMA(x6, c2, c))
	if n&1 != 0 {
		return cv, sv
	}
	return sv, cv
}

// sincosfReduceLarge is reduce_large: x mod pi/2 (in [-pi/4, pi/4]) and the
// quadrant, for the float32 bits xi with |x| >= 120, by a 32x96-bit fixed
// point multiplication with 4/pi.
func sincosfReduceLarge(xi uint32) (float64, int) {
	arr := invPio4[(xi>>26)&15:]
	shift := (xi >> 23) & 7
	xi = (xi & 0xffffff) | 0x800000
	xi <<= shift
	res0 := uint64(xi * arr[0]) // 32-bit product, as in C
	res1 := uint64(xi) * uint64(arr[4])
	res2 := uint64(xi) * uint64(arr[8])
	res0 = (res2 >> 32) | (res0 << 32)
	res0 += res1
	n := (res0 + 1<<61) >> 62
	res0 -= n << 62
	x := float64(int64(res0))
	return float64(x * sincosfPi63), int(n)
}
