package kernels

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// Differential tests of the amd64 assembly kernels against plain scalar
// references written from ggml's block layouts (ggml-common.h) and its
// generic dot products (ggml-cpu/quants.c). Integer parts are exact in both;
// the float sums may differ only by float32 reassociation, so each result is
// checked against the reference within 1e-5 of the sum of the terms'
// magnitudes.

// x86F16 converts binary16 bits to float32 (exact, subnormals included).
func x86F16(h uint16) float32 {
	sign := float32(1)
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
	m := float32(h & 0x3ff)
	if e == 0 {
		return sign * m * float32(math.Ldexp(1, -24))
	}
	return sign * (1 + m/1024) * float32(math.Ldexp(1, e-15))
}

// x86RandF16 returns random finite binary16 bits; with probability 1/8 an
// extreme one (largest, smallest normal, subnormal, zero).
func x86RandF16(r *rand.Rand) uint16 {
	if r.IntN(8) == 0 {
		ext := []uint16{0x7bff, 0xfbff, 0x0400, 0x0001, 0x8001, 0x0000, 0x03ff}
		return ext[r.IntN(len(ext))]
	}
	for {
		h := uint16(r.Uint32())
		if h&0x7c00 != 0x7c00 {
			return h
		}
	}
}

func x86RandQ8(r *rand.Rand) int8 { return int8(r.IntN(255) - 127) } // [-127, 127]

type x86Case struct {
	name string
	fn   func(n int, w, x []byte) float32
	ok   bool
}

func x86Check(t *testing.T, what string, got, want, mag float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > 1e-5*mag+1e-30 {
		t.Fatalf("%s: got %g, want %g (magnitude %g, diff %g)", what, got, want, mag, got-want)
	}
}

// Q8_0 and Q4_0 weights against Q8_0 activations.

func x86GenQ8_0(r *rand.Rand, nb int, act bool) []byte {
	b := make([]byte, nb*34)
	for i := range nb {
		binary.LittleEndian.PutUint16(b[i*34:], x86RandF16(r))
		for j := range 32 {
			if act {
				b[i*34+2+j] = byte(x86RandQ8(r))
			} else {
				b[i*34+2+j] = byte(r.Uint32()) // weights may hold -128
			}
		}
	}
	return b
}

func x86GenQ4_0(r *rand.Rand, nb int) []byte {
	b := make([]byte, nb*18)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for i := range nb {
		binary.LittleEndian.PutUint16(b[i*18:], x86RandF16(r))
	}
	return b
}

// x86RefQ8_0 follows ggml_vec_dot_q8_0_q8_0_generic.
func x86RefQ8_0(n int, w, x []byte) (sum, mag float64) {
	var sumf float32
	for i := range n / 32 {
		wb, xb := w[i*34:], x[i*34:]
		var sumi, abs int32
		for j := range 32 {
			p := int32(int8(wb[2+j])) * int32(int8(xb[2+j]))
			sumi += p
			abs += max(p, -p)
		}
		d := x86F16(binary.LittleEndian.Uint16(wb)) * x86F16(binary.LittleEndian.Uint16(xb))
		sumf += float32(sumi) * d
		mag += math.Abs(float64(d)) * float64(abs)
	}
	return float64(sumf), mag
}

// x86RefQ4_0 follows ggml_vec_dot_q4_0_q8_0_generic.
func x86RefQ4_0(n int, w, x []byte) (sum, mag float64) {
	var sumf float32
	for i := range n / 32 {
		wb, xb := w[i*18:], x[i*34:]
		var sumi, abs int32
		for j := range 16 {
			v0 := int32(wb[2+j]&0x0f) - 8
			v1 := int32(wb[2+j]>>4) - 8
			p0 := v0 * int32(int8(xb[2+j]))
			p1 := v1 * int32(int8(xb[2+16+j]))
			sumi += p0 + p1
			abs += max(p0, -p0) + max(p1, -p1)
		}
		d := x86F16(binary.LittleEndian.Uint16(wb)) * x86F16(binary.LittleEndian.Uint16(xb))
		sumf += float32(sumi) * d
		mag += math.Abs(float64(d)) * float64(abs)
	}
	return float64(sumf), mag
}

func TestDotQ8_0Asm(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := []x86Case{
		{"AVX2", dotQ8_0Asm, cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C},
		{"VNNI", dotQ8_0AsmVNNI, x86HasVNNI()},
	}
	for _, c := range cases {
		if !c.ok {
			t.Logf("%s: CPU lacks the features, skipped", c.name)
			continue
		}
		for iter := range 400 {
			nb := iter % 67
			w, x := x86GenQ8_0(r, nb, false), x86GenQ8_0(r, nb, true)
			want, mag := x86RefQ8_0(nb*32, w, x)
			got := c.fn(nb*32, w, x)
			x86Check(t, c.name, float64(got), want, mag)
		}
	}
}

func TestDotQ4_0Asm(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	cases := []x86Case{
		{"AVX2", dotQ4_0Asm, cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C},
		{"VNNI", dotQ4_0AsmVNNI, x86HasVNNI()},
	}
	for _, c := range cases {
		if !c.ok {
			t.Logf("%s: CPU lacks the features, skipped", c.name)
			continue
		}
		for iter := range 400 {
			nb := iter % 67
			w, x := x86GenQ4_0(r, nb), x86GenQ8_0(r, nb, true)
			want, mag := x86RefQ4_0(nb*32, w, x)
			got := c.fn(nb*32, w, x)
			x86Check(t, c.name, float64(got), want, mag)
		}
	}
}

// K-quants against Q8_K activations.

func x86GenQ8_K(r *rand.Rand, nb int) []byte {
	b := make([]byte, nb*292)
	for i := range nb {
		blk := b[i*292:]
		d := float32(r.NormFloat64()) * float32(math.Pow(10, float64(r.IntN(9)-6)))
		binary.LittleEndian.PutUint32(blk, math.Float32bits(d))
		for k := range 16 {
			var s int16
			for j := range 16 {
				q := x86RandQ8(r)
				blk[4+16*k+j] = byte(q)
				s += int16(q)
			}
			binary.LittleEndian.PutUint16(blk[260+2*k:], uint16(s))
		}
	}
	return b
}

func x86GenK(r *rand.Rand, nb, size int, f16At []int) []byte {
	b := make([]byte, nb*size)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for i := range nb {
		for _, o := range f16At {
			binary.LittleEndian.PutUint16(b[i*size+o:], x86RandF16(r))
		}
	}
	return b
}

// x86ScalesK4 unpacks the 12 packed bytes of Q4_K/Q5_K into 8 scales and 8 mins.
func x86ScalesK4(s []byte) (sc, mn [8]int32) {
	for j := range 8 {
		if j < 4 {
			sc[j] = int32(s[j] & 63)
			mn[j] = int32(s[j+4] & 63)
		} else {
			sc[j] = int32(s[j+4]&0x0f | (s[j-4]>>6)<<4)
			mn[j] = int32(s[j+4]>>4 | (s[j]>>6)<<4)
		}
	}
	return sc, mn
}

// x86RefQ4_K follows ggml_vec_dot_q4_K_q8_K_generic (8 float lanes).
func x86RefQ4_K(n int, w, x []byte) (sum, mag float64) {
	var sums [8]float32
	var sumf float32
	for i := range n / 256 {
		wb, xb := w[i*144:], x[i*292:]
		sc, mn := x86ScalesK4(wb[4:16])
		var aux32 [8]int32
		var abs int64
		for j := range 8 { // 32-element sub-blocks
			for l := range 32 {
				qb := wb[16+32*(j/2)+l]
				q := int32(qb & 0x0f)
				if j%2 == 1 {
					q = int32(qb >> 4)
				}
				p := q * int32(int8(xb[4+32*j+l]))
				aux32[l%8] += sc[j] * p
				abs += int64(sc[j]) * int64(max(p, -p))
			}
		}
		var sumi, absm int64
		for j := range 16 {
			bs := int64(int16(binary.LittleEndian.Uint16(xb[260+2*j:])))
			sumi += bs * int64(mn[j/2])
			absm += max(bs, -bs) * int64(mn[j/2])
		}
		yd := math.Float32frombits(binary.LittleEndian.Uint32(xb))
		d := x86F16(binary.LittleEndian.Uint16(wb)) * yd
		for l := range 8 {
			sums[l] += d * float32(aux32[l])
		}
		dmin := x86F16(binary.LittleEndian.Uint16(wb[2:])) * yd
		sumf -= dmin * float32(sumi)
		mag += math.Abs(float64(d))*float64(abs) + math.Abs(float64(dmin))*float64(absm)
	}
	for l := range 8 {
		sumf += sums[l]
	}
	return float64(sumf), mag
}

// x86RefQ6_K follows ggml_vec_dot_q6_K_q8_K_generic.
func x86RefQ6_K(n int, w, x []byte) (sum, mag float64) {
	var sums [8]float32
	var sumf float32
	for i := range n / 256 {
		wb, xb := w[i*210:], x[i*292:]
		var a [256]int32
		for h := range 2 {
			ql, qh := wb[64*h:], wb[128+32*h:]
			for l := range 32 {
				a[128*h+l] = int32(ql[l]&0xf|(qh[l]>>0&3)<<4) - 32
				a[128*h+l+32] = int32(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
				a[128*h+l+64] = int32(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
				a[128*h+l+96] = int32(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			}
		}
		var aux32 [8]int32
		var abs int64
		for e := range 256 {
			sc := int32(int8(wb[192+e/16]))
			p := a[e] * int32(int8(xb[4+e]))
			aux32[e%8] += sc * p
			abs += int64(max(sc, -sc)) * int64(max(p, -p))
		}
		d := x86F16(binary.LittleEndian.Uint16(wb[208:])) * math.Float32frombits(binary.LittleEndian.Uint32(xb))
		for l := range 8 {
			sums[l] += d * float32(aux32[l])
		}
		mag += math.Abs(float64(d)) * float64(abs)
	}
	for l := range 8 {
		sumf += sums[l]
	}
	return float64(sumf), mag
}

func TestDotQ4_KAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 300 {
		nb := iter % 11
		w, x := x86GenK(r, nb, 144, []int{0, 2}), x86GenQ8_K(r, nb)
		want, mag := x86RefQ4_K(nb*256, w, x)
		got := dotQ4_KAsm(nb*256, w, x)
		x86Check(t, "Q4_K", float64(got), want, mag)
		if x86HasVNNI() {
			x86Check(t, "Q4_K VNNI", float64(dotQ4_KAsmVNNI(nb*256, w, x)), want, mag)
		}
	}
}

func TestDotQ6_KAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for iter := range 300 {
		nb := iter % 11
		w, x := x86GenK(r, nb, 210, []int{208}), x86GenQ8_K(r, nb)
		want, mag := x86RefQ6_K(nb*256, w, x)
		got := dotQ6_KAsm(nb*256, w, x)
		x86Check(t, "Q6_K", float64(got), want, mag)
		if x86HasVNNI() {
			x86Check(t, "Q6_K VNNI", float64(dotQ6_KAsmVNNI(nb*256, w, x)), want, mag)
		}
	}
}

// Float formats.

func TestDotFloatAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(9, 10))
	for iter := range 500 {
		n := iter % 300
		if iter%50 == 0 {
			n = 4096 + iter
		}
		wf, xf := make([]float32, n), make([]float32, n)
		wh, xh := make([]uint16, n), make([]uint16, n)
		wb, xb := make([]uint16, n), make([]uint16, n)
		var ref32, refH, refB float32
		var magH, magB, mag32 float64
		for i := range n {
			wf[i] = float32(r.NormFloat64())
			xf[i] = float32(r.NormFloat64() * 100)
			ref32 += wf[i] * xf[i]
			mag32 += math.Abs(float64(wf[i] * xf[i]))
			wh[i], xh[i] = x86RandF16(r), x86RandF16(r)
			p := x86F16(wh[i]) * x86F16(xh[i])
			refH += p
			magH += math.Abs(float64(p))
			wb[i] = uint16(math.Float32bits(wf[i]) >> 16)
			xb[i] = uint16(math.Float32bits(xf[i]) >> 16)
			pb := math.Float32frombits(uint32(wb[i])<<16) * math.Float32frombits(uint32(xb[i])<<16)
			refB += pb
			magB += math.Abs(float64(pb))
		}
		x86Check(t, "F32", float64(dotF32Asm(wf, xf)), float64(ref32), mag32)
		x86Check(t, "F16", float64(dotF16Asm(wh, xh)), float64(refH), magH)
		x86Check(t, "BF16", float64(dotBF16Asm(wb, xb)), float64(refB), magB)
	}
}

// TestDispatchMatchesRef checks every dispatch-table entry init may have
// replaced against the package's reference (Ref) function.
func TestDispatchMatchesRef(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	type blockCase struct {
		name     string
		dot, ref func(n int, w, x []byte) float32
		mag      func(n int, w, x []byte) (float64, float64)
		blockLen int
		gen      func(nb int) (w, x []byte)
	}
	cases := []blockCase{
		{"Q8_0", dotQ8_0, dotQ8_0Ref, x86RefQ8_0, 32, func(nb int) ([]byte, []byte) {
			return x86GenQ8_0(r, nb, false), x86GenQ8_0(r, nb, true)
		}},
		{"Q4_0", dotQ4_0, dotQ4_0Ref, x86RefQ4_0, 32, func(nb int) ([]byte, []byte) {
			return x86GenQ4_0(r, nb), x86GenQ8_0(r, nb, true)
		}},
		{"Q4_K", dotQ4_K, dotQ4_KRef, x86RefQ4_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 144, []int{0, 2}), x86GenQ8_K(r, nb)
		}},
		{"Q6_K", dotQ6_K, dotQ6_KRef, x86RefQ6_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 210, []int{208}), x86GenQ8_K(r, nb)
		}},
	}
	for _, c := range cases {
		for iter := range 200 {
			nb := iter % 37
			w, x := c.gen(nb)
			n := nb * c.blockLen
			_, mag := c.mag(n, w, x)
			x86Check(t, c.name, float64(c.dot(n, w, x)), float64(c.ref(n, w, x)), mag)
		}
	}
	for iter := range 200 {
		n := iter*7 + iter%3
		wf, xf := make([]float32, n), make([]float32, n)
		wh, xh := make([]uint16, n), make([]uint16, n)
		var mag32, magH, magB float64
		for i := range n {
			wf[i], xf[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
			wh[i], xh[i] = x86RandF16(r), x86RandF16(r)
			mag32 += math.Abs(float64(wf[i] * xf[i]))
			magH += math.Abs(float64(x86F16(wh[i]) * x86F16(xh[i])))
		}
		wb, xb := make([]uint16, n), make([]uint16, n)
		for i := range n {
			wb[i], xb[i] = uint16(math.Float32bits(wf[i])>>16), uint16(math.Float32bits(xf[i])>>16)
			magB += math.Abs(float64(math.Float32frombits(uint32(wb[i])<<16) * math.Float32frombits(uint32(xb[i])<<16)))
		}
		x86Check(t, "F32", float64(dotF32(wf, xf)), float64(dotF32Ref(wf, xf)), mag32)
		x86Check(t, "F16", float64(dotF16(wh, xh)), float64(dotF16Ref(wh, xh)), magH)
		x86Check(t, "BF16", float64(dotBF16(wb, xb)), float64(dotBF16Ref(wb, xb)), magB)
	}
}

// Q4_1, Q5_0, Q5_1 and Q5_K.

func x86GenQ8_1(r *rand.Rand, nb int) []byte {
	b := make([]byte, nb*36)
	for i := range nb {
		blk := b[i*36:]
		h := x86RandF16(r)
		binary.LittleEndian.PutUint16(blk, h)
		var s int32
		for j := range 32 {
			q := x86RandQ8(r)
			blk[4+j] = byte(q)
			s += int32(q)
		}
		sh := fp32ToFP16(x86F16(h) * float32(s))
		if sh&0x7c00 == 0x7c00 { // d*sum overflows binary16: any finite s
			sh = x86RandF16(r)
		}
		binary.LittleEndian.PutUint16(blk[2:], sh)
	}
	return b
}

// x86Gen32 returns nb random blocks of size bytes with f16 values at f16At.
func x86Gen32(r *rand.Rand, nb, size int, f16At []int) []byte { return x86GenK(r, nb, size, f16At) }

// x86Ref32 is ggml's generic dot of a 32-element format: q(blk, j) is the
// integer level of element j, offset the -8/-16 of the symmetric formats
// (already in q), hasMin whether the block adds m_w*s_x (Q8_1 activations).
func x86Ref32(n int, w, x []byte, wsize, xsize int, hasMin bool, q func(blk []byte, j int) int32) (sum, mag float64) {
	var sumf float32
	for i := range n / 32 {
		wb, xb := w[i*wsize:], x[i*xsize:]
		xq := xb[2:]
		if hasMin {
			xq = xb[4:]
		}
		var sumi, abs int32
		for j := range 32 {
			p := q(wb, j) * int32(int8(xq[j]))
			sumi += p
			abs += max(p, -p)
		}
		d := x86F16(binary.LittleEndian.Uint16(wb)) * x86F16(binary.LittleEndian.Uint16(xb))
		mag += math.Abs(float64(d)) * float64(abs)
		if hasMin {
			ms := x86F16(binary.LittleEndian.Uint16(wb[2:])) * x86F16(binary.LittleEndian.Uint16(xb[2:]))
			sumf += d*float32(sumi) + ms
			mag += math.Abs(float64(ms))
		} else {
			sumf += float32(sumi) * d
		}
	}
	return float64(sumf), mag
}

func x86RefQ4_1(n int, w, x []byte) (float64, float64) {
	return x86Ref32(n, w, x, 20, 36, true, func(b []byte, j int) int32 {
		return int32(b[4+j%16]>>(4*(j/16))) & 15
	})
}

func x86Q5Level(b []byte, hOff, qOff, j int) int32 {
	qh := binary.LittleEndian.Uint32(b[hOff:])
	return int32(b[qOff+j%16]>>(4*(j/16)))&15 | int32(qh>>j&1)<<4
}

func x86RefQ5_0(n int, w, x []byte) (float64, float64) {
	return x86Ref32(n, w, x, 22, 34, false, func(b []byte, j int) int32 { return x86Q5Level(b, 2, 6, j) - 16 })
}

func x86RefQ5_1(n int, w, x []byte) (float64, float64) {
	return x86Ref32(n, w, x, 24, 36, true, func(b []byte, j int) int32 { return x86Q5Level(b, 4, 8, j) })
}

// x86RefQ5_K follows ggml_vec_dot_q5_K_q8_K_generic.
func x86RefQ5_K(n int, w, x []byte) (sum, mag float64) {
	var sums [8]float32
	var sumf float32
	for i := range n / 256 {
		wb, xb := w[i*176:], x[i*292:]
		sc, mn := x86ScalesK4(wb[4:16])
		var aux32 [8]int32
		var abs int64
		for j := range 8 {
			for l := range 32 {
				qb := wb[48+32*(j/2)+l]
				q := int32(qb & 0x0f)
				if j%2 == 1 {
					q = int32(qb >> 4)
				}
				q |= int32(wb[16+l]>>j&1) << 4
				p := q * int32(int8(xb[4+32*j+l]))
				aux32[l%8] += sc[j] * p
				abs += int64(sc[j]) * int64(max(p, -p))
			}
		}
		var sumi, absm int64
		for j := range 16 {
			bs := int64(int16(binary.LittleEndian.Uint16(xb[260+2*j:])))
			sumi += bs * int64(mn[j/2])
			absm += max(bs, -bs) * int64(mn[j/2])
		}
		yd := math.Float32frombits(binary.LittleEndian.Uint32(xb))
		d := x86F16(binary.LittleEndian.Uint16(wb)) * yd
		for l := range 8 {
			sums[l] += d * float32(aux32[l])
		}
		dmin := x86F16(binary.LittleEndian.Uint16(wb[2:])) * yd
		sumf -= dmin * float32(sumi)
		mag += math.Abs(float64(d))*float64(abs) + math.Abs(float64(dmin))*float64(absm)
	}
	for l := range 8 {
		sumf += sums[l]
	}
	return float64(sumf), mag
}

// x86MoreCases are the formats added after the first four, with generators.
func x86MoreCases(r *rand.Rand) []struct {
	name     string
	asm, ref func(n int, w, x []byte) float32
	mine     func(n int, w, x []byte) (float64, float64)
	blockLen int
	gen      func(nb int) (w, x []byte)
} {
	return []struct {
		name     string
		asm, ref func(n int, w, x []byte) float32
		mine     func(n int, w, x []byte) (float64, float64)
		blockLen int
		gen      func(nb int) (w, x []byte)
	}{
		{"Q4_1", dotQ4_1Asm, dotQ4_1Ref, x86RefQ4_1, 32, func(nb int) ([]byte, []byte) {
			return x86Gen32(r, nb, 20, []int{0, 2}), x86GenQ8_1(r, nb)
		}},
		{"Q5_0", dotQ5_0Asm, dotQ5_0Ref, x86RefQ5_0, 32, func(nb int) ([]byte, []byte) {
			return x86Gen32(r, nb, 22, []int{0}), x86GenQ8_0(r, nb, true)
		}},
		{"Q5_1", dotQ5_1Asm, dotQ5_1Ref, x86RefQ5_1, 32, func(nb int) ([]byte, []byte) {
			return x86Gen32(r, nb, 24, []int{0, 2}), x86GenQ8_1(r, nb)
		}},
		{"Q5_K", dotQ5_KAsm, dotQ5_KRef, x86RefQ5_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 176, []int{0, 2}), x86GenQ8_K(r, nb)
		}},
		{"Q5_K/VNNI", x86IfVNNI(dotQ5_KAsmVNNI, dotQ5_KAsm), dotQ5_KRef, x86RefQ5_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 176, []int{0, 2}), x86GenQ8_K(r, nb)
		}},
		{"Q2_K", dotQ2_KAsm, dotQ2_KRef, x86RefQ2_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 84, []int{80, 82}), x86GenQ8_K(r, nb)
		}},
		{"Q3_K", dotQ3_KAsm, dotQ3_KRef, x86RefQ3_K, 256, func(nb int) ([]byte, []byte) {
			return x86GenK(r, nb, 110, []int{108}), x86GenQ8_K(r, nb)
		}},
	}
}

func TestDotMoreAsm(t *testing.T) {
	if !x86HasAVX2() {
		t.Skip("CPU lacks AVX2/FMA/F16C")
	}
	r := rand.New(rand.NewPCG(13, 14))
	for _, c := range x86MoreCases(r) {
		for iter := range 300 {
			nb := iter % 41
			w, x := c.gen(nb)
			n := nb * c.blockLen
			want, mag := c.mine(n, w, x)
			x86Check(t, c.name+" vs scalar", float64(c.asm(n, w, x)), want, mag)
			x86Check(t, c.name+" vs Ref", float64(c.asm(n, w, x)), float64(c.ref(n, w, x)), mag)
		}
	}
}

// x86RefQ2_K: sum over 16-element groups g of D*sc_g*dot_g - DMIN*m_g*bsum_g.
func x86RefQ2_K(n int, w, x []byte) (sum, mag float64) {
	var sumf float32
	for i := range n / 256 {
		wb, xb := w[i*84:], x[i*292:]
		var isum, summ, abs, absm int64
		for e := range 256 {
			k, j, l := e/128, e%128/32, e%32
			q := int64(wb[16+32*k+l] >> (2 * j) & 3)
			p := q * int64(int8(xb[4+e])) * int64(wb[e/16]&15)
			isum += p
			abs += max(p, -p)
		}
		for g := range 16 {
			bs := int64(int16(binary.LittleEndian.Uint16(xb[260+2*g:])))
			summ += bs * int64(wb[g]>>4)
			absm += max(bs, -bs) * int64(wb[g]>>4)
		}
		yd := math.Float32frombits(binary.LittleEndian.Uint32(xb))
		d := x86F16(binary.LittleEndian.Uint16(wb[80:])) * yd
		dmin := x86F16(binary.LittleEndian.Uint16(wb[82:])) * yd
		sumf += d*float32(isum) - dmin*float32(summ)
		mag += math.Abs(float64(d))*float64(abs) + math.Abs(float64(dmin))*float64(absm)
	}
	return float64(sumf), mag
}

// x86RefQ3_K: D * sum over groups of (sc_g-32) * dot_g, levels in [-4, 3].
func x86RefQ3_K(n int, w, x []byte) (sum, mag float64) {
	var sumf float32
	for i := range n / 256 {
		wb, xb := w[i*110:], x[i*292:]
		sc := wb[96:108]
		var isum, abs int64
		for e := range 256 {
			k, j, l := e/128, e%128/32, e%32
			q := int64(wb[32+32*k+l] >> (2 * j) & 3)
			if wb[l]>>(4*k+j)&1 == 0 {
				q -= 4
			}
			g := e / 16
			lo := sc[g%8] & 15
			if g >= 8 {
				lo = sc[g-8] >> 4
			}
			s := int64(lo|(sc[8+g%4]>>(2*(g/4))&3)<<4) - 32
			p := q * int64(int8(xb[4+e])) * s
			isum += p
			abs += max(p, -p)
		}
		d := x86F16(binary.LittleEndian.Uint16(wb[108:])) * math.Float32frombits(binary.LittleEndian.Uint32(xb))
		sumf += d * float32(isum)
		mag += math.Abs(float64(d)) * float64(abs)
	}
	return float64(sumf), mag
}

// x86IfVNNI returns vnni on CPUs with AVX-512 VNNI, else fallback (so the
// case still runs, testing the fallback twice).
func x86IfVNNI(vnni, fallback func(n int, w, x []byte) float32) func(n int, w, x []byte) float32 {
	if x86HasVNNI() {
		return vnni
	}
	return fallback
}
