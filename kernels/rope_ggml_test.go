package kernels

import (
	"hash/fnv"
	"math"
	"math/big"
	"testing"
)

// TestRoPEMatchesGGML compares Apply with a C transcription of ggml's CPU
// rope (ggml_rope_cache_init with glibc sincosf/powf, rotate_pairs with
// the FMAs GCC contracts: fmaf(x0, cos, -(x1*sin)), fmaf(x0, sin, x1*cos)),
// run against the system libm: FNV-1a 64 of the output bits for three heads
// of 80 values (64 rotated, base 10000) at positions 0, 1, 77, 1000, 4095,
// inputs from an LCG.
func TestRoPEMatchesGGML(t *testing.T) {
	for _, c := range []struct {
		neox bool
		want uint64
	}{{false, 0x6681240a2f5343ac}, {true, 0x2e856173c7da1c8}} {
		rope := NewRoPE(64, 10000, RoPEScaling{Type: "none"})
		h := fnv.New64a()
		for _, p := range []int{0, 1, 77, 1000, 4095} {
			x := make([]float32, 240)
			state := uint32(99 + p)
			for i := range x {
				state = state*1664525 + 1013904223
				x[i] = (float32(state>>8)/16777216 - 0.5) * 8
			}
			rope.Apply(x, 3, 80, p, c.neox)
			for _, v := range x {
				hashF32(h, v)
			}
		}
		if got := h.Sum64(); got != c.want {
			t.Errorf("neox %v: hash %#x, ggml %#x", c.neox, got, c.want)
		}
	}
}

// fma32Exact is a*b+c rounded once to float32, computed exactly with big.Float.
func fma32Exact(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(2000).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(2000).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(2000).SetFloat64(float64(c)))
	f, _ := x.Float32()
	if f == 0 && (math.Signbit(float64(a)) != math.Signbit(float64(b))) == math.Signbit(float64(c)) {
		return float32(math.Copysign(0, float64(c)))
	}
	return f
}

func TestRoPEFMA32(t *testing.T) {
	r := newRand(5)
	check := func(a, b, c float32) {
		got, want := fmaF32(a, b, c), fma32Exact(a, b, c)
		if math.Float32bits(got) != math.Float32bits(want) && !(got == 0 && want == 0) {
			t.Fatalf("fmaF32(%g, %g, %g) = %g (%#x), want %g (%#x)", a, b, c, got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
	for i := 0; i < 200000; i++ {
		a, b, c := float32(r.NormFloat64()), float32(r.NormFloat64()), float32(r.NormFloat64())
		check(a, b, c)
		check(a, b, c*1e-9) // tiny addend: double rounding territory
		check(a*1e-19, b*1e-19, c*1e-38)
	}
	// Products exactly halfway between float32 values plus a tiny addend:
	// the float64 sum rounds onto the midpoint.
	for i := 0; i < 100000; i++ {
		a := float32(1 + float64(r.IntN(1<<12))/(1<<12))
		b := float32(1 + float64(r.IntN(1<<12)*2+1)/(1<<13))
		p := float64(a) * float64(b)
		for _, c := range []float32{1e-30, -1e-30, float32(p * 0x1p-60), float32(-p * 0x1p-60), 0x1p-149, -0x1p-149} {
			check(a, b, c)
		}
	}
	// Subnormal results.
	for i := 0; i < 100000; i++ {
		a, b := float32(r.NormFloat64()*0x1p-70), float32(r.NormFloat64()*0x1p-70)
		check(a, b, float32(r.NormFloat64()*0x1p-140))
		check(a, b, float32(r.NormFloat64()*0x1p-160))
	}
}

func BenchmarkRoPEApply(b *testing.B) {
	for _, c := range []struct {
		name        string
		dims, heads int
		neox        bool
	}{{"d64x32", 64, 32, false}, {"d128x32", 128, 32, false}, {"d128x8neox", 128, 8, true}} {
		b.Run(c.name, func(b *testing.B) {
			rope := NewRoPE(c.dims, 10000, RoPEScaling{})
			x := gaussian(newRand(1), c.heads*c.dims, 1)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				rope.Apply(x, c.heads, c.dims, 100+i%4000, c.neox)
			}
		})
	}
}
