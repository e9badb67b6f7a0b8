package kernels

import (
	"math"
	"math/big"
	"testing"
)

// TestExpKernels checks the dispatched swiglu and expSub (vector exp)
// against float64 math over the whole useful range, the vector body and
// the tail, with -Inf (masked) entries inside the vectors.
func TestExpKernels(t *testing.T) {
	const n = 8*64 + 5
	g, u := make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = -100 + 200*float32(i)/float32(n-1) // -100 .. 100, through 0
		u[i] = 1 + float32(i%7)/7
	}
	g[17] = 0
	dst := make([]float32, n)
	swiglu(dst, g, u)
	for i := range dst {
		want := float64(g[i]) / (1 + math.Exp(-float64(g[i]))) * float64(u[i])
		if !closeTo(dst[i], want, 1e-6*math.Abs(want)+1e-30) {
			t.Fatalf("swiglu(%g) = %g, want %g", g[i], dst[i], want)
		}
	}

	x := gaussian(newRand(3), n, 20)
	x[5], x[300], x[n-1] = float32(math.Inf(-1)), float32(math.Inf(-1)), float32(math.Inf(-1))
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	want := make([]float64, n)
	var wsum float64
	for i, v := range x {
		want[i] = math.Exp(float64(v - m)) // the difference is float32, as in Softmax
		wsum += want[i]
	}
	sum := expSub(x, m)
	if math.Abs(sum-wsum) > 1e-6*wsum {
		t.Fatalf("expSub sum = %g, want %g", sum, wsum)
	}
	for i, v := range x {
		if !closeTo(v, want[i], 1e-6*want[i]+1e-37) {
			t.Fatalf("expSub[%d] = %g, want %g", i, v, want[i])
		}
	}
}

// TestAxpyF16Rows checks the dispatched axpyF16Rows bit for bit against
// one axpyF16 call per row (the same FMAs in the same order), with padded
// row strides and lengths that are not multiples of 32.
func TestAxpyF16Rows(t *testing.T) {
	r := newRand(8)
	for _, n := range []int{1, 31, 32, 64, 70, 128} {
		const rows, pad = 9, 5
		stride := n + pad
		v := make([]uint16, rows*stride)
		F32ToF16(v, gaussian(r, len(v), 1))
		p := gaussian(r, rows, 1)
		want := gaussian(r, n, 1)
		got := append([]float32(nil), want...)
		for i, pt := range p {
			axpyF16(want, pt, v[i*stride:i*stride+n])
		}
		axpyF16Rows(got, p, v, stride)
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("n %d: dst[%d] = %g, want %g", n, i, got[i], want[i])
			}
		}
	}
}

// TestF16Conversions checks F32ToF16 and roundF16s (F16C where present)
// bit for bit against the scalar conversion, over normal, subnormal,
// overflowing, rounding-tie and special values.
func TestF16Conversions(t *testing.T) {
	r := newRand(11)
	var src []float32
	for range 4096 {
		src = append(src, float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(60)-40))))
	}
	src = append(src, 0, float32(math.Copysign(0, -1)), 65504, 65520, 65519.99, -70000, 1e-8, -6e-8, 3e-5,
		float32(math.Inf(1)), float32(math.Inf(-1)), math.Float32frombits(0x7fc00001), math.Float32frombits(0xffa00000),
		1+1.0/2048, 1+3.0/2048, 2049, 2051)
	got := make([]uint16, len(src))
	F32ToF16(got, src)
	rounded := append([]float32(nil), src...)
	roundF16s(rounded)
	for i, v := range src {
		if want := fp32ToFP16(v); got[i] != want {
			t.Fatalf("F32ToF16(%g = %#x) = %#x, want %#x", v, math.Float32bits(v), got[i], want)
		}
		if want := roundF16(v); math.Float32bits(rounded[i]) != math.Float32bits(want) {
			t.Fatalf("roundF16s(%g) = %g, want %g", v, rounded[i], want)
		}
	}
}

// glibcExpfTable holds (x, expf(x)) bit patterns from the system's glibc
// 2.36 expf on this x86-64 CPU (FMA ifunc variant), by a C probe; glibcExpf
// also matched it on 493 million sampled inputs.
var glibcExpfTable = [][2]uint32{
	{0x00000000, 0x3f800000}, {0x80000000, 0x3f800000}, {0x3f800000, 0x402df854}, {0xbf800000, 0x3ebc5ab2},
	{0x3f000000, 0x3fd3094c}, {0xbf000000, 0x3f1b4598}, {0x322bcc77, 0x3f800000}, {0xb22bcc77, 0x3f800000},
	{0x41200000, 0x46ac14ee}, {0xc1200000, 0x383e6bce}, {0x42afcccd, 0x7ee0dcae}, {0x42b00000, 0x7ef882b7},
	{0x42b16666, 0x7f7a37fc}, {0x42b175c3, 0x7f800000}, {0x42b20000, 0x7f800000}, {0xc2ae0000, 0x00b33687},
	{0xc2b00000, 0x0041edc4}, {0xc2c80000, 0x0000001b}, {0xc2ce0000, 0x00000001}, {0xc2cf0000, 0x00000001},
	{0xc2cff0a4, 0x00000001}, {0xc2d00000, 0x00000000}, {0xc3160000, 0x00000000}, {0x7f7fc99e, 0x7f800000},
	{0xff7fc99e, 0x00000000}, {0x7f800000, 0x7f800000}, {0xff800000, 0x00000000}, {0x42b17217, 0x7f7fff84},
	{0xc2cff1b4, 0x00000001}, {0xc2ce8ecf, 0x00000001}, {0x00000001, 0x3f800000}, {0x80000001, 0x3f800000},
	{0xbf061a00, 0x3f179d65}, {0x416b816c, 0x4a16a962}, {0x406d088c, 0x4222615a}, {0xc13695f2, 0x3739a952},
	{0xc19cba3e, 0x31553a41}, {0x3f17bdf0, 0x3fe78b67}, {0x419eb415, 0x4dc4bb44}, {0xc195c81b, 0x31fe071c},
	{0x408200eb, 0x426880f7}, {0xc18e4a26, 0x32a2024b}, {0x3f891d04, 0x403aced6}, {0xc183667a, 0x339dfd2d},
	{0x41293d50, 0x471948aa}, {0x4149ea32, 0x4893ae74}, {0x4178f140, 0x4aae7592}, {0xc1571ad7, 0x35c2985b},
	{0xc13613c2, 0x373fa842}, {0x41381df0, 0x47c237f6}, {0x4138c43e, 0x47ca4438}, {0xc18aac60, 0x32fe9953},
	{0xc02cb02a, 0x3d89e0ae}, {0xc18eeb1a, 0x3295c39b}, {0xc0cb9b6b, 0x3ae20e2f}, {0x3ec97fc0, 0x3fbdb9f5},
	{0xc19adf42, 0x3186715a}, {0xc118b922, 0x389609df}, {0xc0ae77d4, 0x3b8c7b6d}, {0x412607f0, 0x46fadcf8},
	{0xc194812e, 0x3214ff4e}, {0xc188d467, 0x33204ac6}, {0xc14bce46, 0x36452682}, {0x3f69c028, 0x401f7d0a},
}

// exp512Table holds (x, ggml_v_expf(x)) bit patterns from ggml-cpu/vec.h's
// AVX-512 ggml_v_expf compiled with GCC 12 (-mavx512f -mavx512dq); exp512
// also matched it, and its silu, on 110 million sampled inputs.
var exp512Table = [][2]uint32{
	{0x00000000, 0x3f800000}, {0x80000000, 0x3f800000}, {0x3f800000, 0x402df855}, {0xbf800000, 0x3ebc5ab3},
	{0x3f000000, 0x3fd3094c}, {0xbf000000, 0x3f1b4597}, {0x322bcc77, 0x3f800000}, {0xb22bcc77, 0x3f800000},
	{0x41200000, 0x46ac14f0}, {0xc1200000, 0x383e6bce}, {0x42afcccd, 0x7ee0dcad}, {0x42b00000, 0x7ef882b7},
	{0x42b16666, 0x7f7a37fc}, {0x42b175c3, 0x7f800000}, {0x42b20000, 0x7f800000}, {0xc2ae0000, 0x00b33686},
	{0xc2b00000, 0x0041edc4}, {0xc2c80000, 0x0000001b}, {0xc2ce0000, 0x00000001}, {0xc2cf0000, 0x00000001},
	{0xc2cff0a4, 0x00000001}, {0xc2d00000, 0x00000000}, {0xc3160000, 0x00000000}, {0x7f7fc99e, 0x7f800000},
	{0xff7fc99e, 0x00000000}, {0x7f800000, 0x7f800000}, {0xff800000, 0x00000000}, {0x43050000, 0x7f800000},
	{0xc3050000, 0x00000000}, {0x501502f9, 0x7f800000}, {0xd01502f9, 0x00000000}, {0x00000001, 0x3f800000},
	{0xc13b8ac8, 0x37083419}, {0x40ff6135, 0x4536bbb5}, {0xc13dcdea, 0x36ec7d89}, {0xc0b4a288, 0x3b67b76d},
	{0x4176199c, 0x4a92105f}, {0xbfbc398c, 0x3e6b5316}, {0x410e8fd2, 0x45e773f2}, {0x40a5640a, 0x432fa4fb},
	{0x410d4f0a, 0x45d604a3}, {0x41137f6a, 0x461d8c08}, {0xc18eb230, 0x3299fc02}, {0x41876aaf, 0x4bab5466},
	{0xc18849cd, 0x332b83ff}, {0x41892f48, 0x4bd5b3d1}, {0x4175f0d4, 0x4a909ded}, {0xc182a049, 0x33ae0ad5},
	{0xc1833bc4, 0x33a15183}, {0xc0d896e2, 0x3a96ab33}, {0x40edd3b1, 0x44d32ac5}, {0x41810bc0, 0x4b1a8772},
	{0xc181ae40, 0x33c3e026}, {0x40e003ee, 0x44892519}, {0xc11899f9, 0x38972f2f}, {0xc1114c21, 0x38eea6cd},
	{0x419d443a, 0x4da4630e}, {0xc128123b, 0x37e5f777}, {0xc0f59f38, 0x39f3414c}, {0x40da22ee, 0x446441a3},
	{0x411a6055, 0x46722b3e}, {0xc12d0d40, 0x37a873b1}, {0x418c376e, 0x4c1c165e}, {0x418f6ac6, 0x4c68df12},
}

// TestExpfReferences checks the scalar transcriptions glibcExpf and exp512
// against values from the C originals.
func TestExpfReferences(t *testing.T) {
	for _, c := range glibcExpfTable {
		x := math.Float32frombits(c[0])
		if got := math.Float32bits(glibcExpf(x)); got != c[1] {
			t.Errorf("glibcExpf(%g) = %#x, want %#x", x, got, c[1])
		}
	}
	for _, c := range exp512Table {
		x := math.Float32frombits(c[0])
		if got := math.Float32bits(exp512(x)); got != c[1] {
			t.Errorf("exp512(%g) = %#x, want %#x", x, got, c[1])
		}
	}
	// fma32 against the exact a*b+c rounded once (math/big).
	r := newRand(4)
	for k := range 20000 {
		a, b, c := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		switch k % 3 {
		case 0: // near-cancelling sums
			c = -float32(float64(a) * float64(b))
		case 1: // a product on a float32 halfway point plus a tiny c, where
			// rounding to float64 and then to float32 would round wrongly
			a, b, c = 1+0x1p-12, 1+0x1p-12, float32(r.NormFloat64())*0x1p-60
		}
		exact := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		exact.Mul(exact, new(big.Float).SetFloat64(float64(b)))
		exact.Add(exact, new(big.Float).SetFloat64(float64(c)))
		want, _ := exact.Float32()
		if got := fmaF32(a, b, c); got != want {
			t.Fatalf("fmaF32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
}
