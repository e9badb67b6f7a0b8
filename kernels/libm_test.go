package kernels

import (
	"encoding/binary"
	"hash"
	"hash/fnv"
	"math"
	"testing"
)

// The reference hashes below are FNV-1a 64 over the little-endian float32
// bits of glibc 2.36's results (x86-64, FMA ifunc variants), computed by a C
// program linked against the system libm (sincosf, powf).

func hashF32(h hash.Hash64, v float32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
	h.Write(b[:])
}

// TestGlibcSincosfGrid: every RoPE angle of positions 0..4096 for head dims
// 8, 32, 64 and 128 with bases 10000 and 500000, built as ggml's cache
// (theta *= powf(base, -2/dims)).
func TestGlibcSincosfGrid(t *testing.T) {
	h := fnv.New64a()
	for _, base := range []float32{10000, 500000} {
		for _, dims := range []int{8, 32, 64, 128} {
			ts := glibcPowf(base, float32(-2)/float32(dims))
			hashF32(h, ts)
			for p := 0; p <= 4096; p++ {
				th := float32(p)
				for i := 0; i < dims/2; i++ {
					s, c := glibcSincosf(th)
					hashF32(h, s)
					hashF32(h, c)
					th *= ts
				}
			}
		}
	}
	if got, want := h.Sum64(), uint64(0xbb58846054fb67fc); got != want {
		t.Fatalf("grid hash %#x, glibc %#x", got, want)
	}
}

// TestGlibcSincosfRandom: 2^22 random bit patterns (finite ones).
func TestGlibcSincosfRandom(t *testing.T) {
	h := fnv.New64a()
	state := uint32(12345)
	for i := 0; i < 1<<22; i++ {
		state = state*1664525 + 1013904223
		x := math.Float32frombits(state)
		if math.IsInf(float64(x), 0) || math.IsNaN(float64(x)) {
			continue
		}
		s, c := glibcSincosf(x)
		hashF32(h, s)
		hashF32(h, c)
	}
	if got, want := h.Sum64(), uint64(0x58e8791008ae777f); got != want {
		t.Fatalf("random hash %#x, glibc %#x", got, want)
	}
}

// TestGlibcSincosfExamples: angles where glibc's sincosf is not the
// correctly rounded float32 of sin/cos (x, sinf, cosf bits).
func TestGlibcSincosfExamples(t *testing.T) {
	for _, e := range [][3]uint32{
		{0x452c1b60, 0x3f7e973a, 0xbdd698f5}, {0x43149eb8, 0xbf527709, 0xbf11bdbd},
		{0x444af093, 0x3f711c80, 0x3eac0fda}, {0x453078e9, 0x3f2ba744, 0xbf3dec8a},
		{0x45063bfc, 0xbf64309d, 0x3ee814ac}, {0x43f876a8, 0x3f06f9f4, 0x3f59868c},
		{0x4578f65e, 0xbe1072f1, 0x3f7d70ad}, {0x44ce12c1, 0x3f2e83e3, 0xbf3b4c3b},
		{0x45787a10, 0xbf7f9711, 0xbd67b271}, {0x45651e6a, 0x3ea9a86a, 0xbf71896f},
		{0x44fe28dd, 0xbf1e467b, 0xbf49356b}, {0x44a722e9, 0xbf71109c, 0x3eac5272},
		{0x45058f58, 0x3f202b64, 0x3f47b441}, {0x454f9f33, 0xbf75b9a3, 0xbe8f994c},
		{0x443142e1, 0xbf50f84d, 0x3f13e07a}, {0x4355c106, 0x3e00601c, 0x3f7dfaf4},
		{0x44d6819a, 0x3f2cb464, 0x3f3cf7f2}, {0x4578d727, 0xbf5df30a, 0xbeff2497},
		{0x446aabc7, 0x3f1b5f44, 0xbf4b7577}, {0x452dec56, 0xbf20fd6c, 0x3f470b17},
		{0x44d9509c, 0xbf704291, 0xbeb0c2d8}, {0x4549c5db, 0xbf6dc8be, 0x3ebdae47},
		{0x4490b191, 0x3f7de857, 0x3e02a7f9}, {0x44e6ed50, 0x3e22ac0d, 0x3f7cbfc6},
	} {
		x := math.Float32frombits(e[0])
		s, c := glibcSincosf(x)
		if math.Float32bits(s) != e[1] || math.Float32bits(c) != e[2] {
			t.Errorf("sincosf(%g) = %#x %#x, glibc %#x %#x", x, math.Float32bits(s), math.Float32bits(c), e[1], e[2])
		}
	}
	// Special cases: tiny arguments, signed zero, infinities and NaN.
	if s, c := glibcSincosf(float32(math.Copysign(0, -1))); math.Float32bits(s) != 0x80000000 || c != 1 {
		t.Errorf("sincosf(-0) = %g %g", s, c)
	}
	if s, c := glibcSincosf(float32(math.Inf(1))); !math.IsNaN(float64(s)) || !math.IsNaN(float64(c)) {
		t.Errorf("sincosf(+Inf) = %g %g, want NaN", s, c)
	}
}

// TestGlibcPowf: powf(b, -2/n) for 2000 bases b = 2 + 517.3i and even n up
// to 512.
func TestGlibcPowf(t *testing.T) {
	h := fnv.New64a()
	for i := 0; i < 2000; i++ {
		b := 2 + float32(i)*517.3
		for n := 2; n <= 512; n += 2 {
			hashF32(h, glibcPowf(b, float32(-2)/float32(n)))
		}
	}
	if got, want := h.Sum64(), uint64(0x84288d720bef7807); got != want {
		t.Fatalf("powf hash %#x, glibc %#x", got, want)
	}
}
