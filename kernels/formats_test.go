package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)) }

// gaussian returns n normal values with standard deviation sd.
func gaussian(r *rand.Rand, n int, sd float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * sd)
	}
	return x
}

// f16Value is an independent binary16 decoder (float64 arithmetic).
func f16Value(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e, m := int(h>>10)&0x1f, float64(h&0x3ff)
	switch e {
	case 0:
		return sign * m * math.Ldexp(1, -24)
	case 31:
		if m != 0 {
			return math.NaN()
		}
		return sign * math.Inf(1)
	}
	return sign * (1 + m/1024) * math.Ldexp(1, e-15)
}

func TestFP16Conversions(t *testing.T) {
	for i := 0; i < 1<<16; i++ {
		h := uint16(i)
		want := f16Value(h)
		got := fp16ToFP32(h)
		if math.IsNaN(want) {
			if got == got {
				t.Fatalf("fp16ToFP32(%#04x) = %g, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || f16Table[h] != got {
			t.Fatalf("fp16ToFP32(%#04x) = %g, want %g", h, got, want)
		}
		if back := fp32ToFP16(got); back != h {
			t.Fatalf("fp32ToFP16(%g) = %#04x, want %#04x", got, back, h)
		}
	}
	// Random float32s: the result must be the nearest binary16, ties to even.
	r := newRand(1)
	for i := 0; i < 200000; i++ {
		f := math.Float32frombits(r.Uint32())
		if f != f {
			continue
		}
		if i%2 == 0 { // concentrate on the binary16 range
			f = float32(r.NormFloat64() * math.Ldexp(1, r.IntN(40)-25))
		}
		h := fp32ToFP16(f)
		v := f16Value(h)
		if math.Abs(float64(f)) >= 65520 {
			if !math.IsInf(v, 0) || math.Signbit(v) != math.Signbit(float64(f)) {
				t.Fatalf("fp32ToFP16(%g) = %#04x, want Inf", f, h)
			}
			continue
		}
		for _, nb := range []uint16{h - 1, h + 1} {
			if nb&0x7c00 == 0x7c00 || (nb^h)&0x8000 != 0 {
				continue
			}
			dv, dn := math.Abs(float64(f)-v), math.Abs(float64(f)-f16Value(nb))
			if dn < dv || (dn == dv && h&1 == 1) {
				t.Fatalf("fp32ToFP16(%g) = %#04x (%g), but %#04x (%g) is nearer or the even tie", f, h, v, nb, f16Value(nb))
			}
		}
	}
}

func TestBF16Conversion(t *testing.T) {
	r := newRand(2)
	for i := 0; i < 200000; i++ {
		u := r.Uint32()
		f := math.Float32frombits(u)
		h := fp32ToBF16(f)
		if f != f {
			if bf := bf16ToFP32(h); bf == bf || h&0x40 == 0 {
				t.Fatalf("fp32ToBF16(NaN %#08x) = %#04x, want a quiet NaN", u, h)
			}
			continue
		}
		// Independent: nearest of the two truncations, ties to even.
		lo := uint16(u >> 16)
		dlo := math.Abs(float64(f) - float64(bf16ToFP32(lo)))
		dhi := math.Abs(float64(f) - float64(bf16ToFP32(lo+1)))
		want := lo
		if dhi < dlo || (dhi == dlo && lo&1 == 1) || math.IsInf(float64(bf16ToFP32(lo+1)), 0) && u&0xffff > 0x8000 {
			want = lo + 1
		}
		if h != want {
			t.Fatalf("fp32ToBF16(%g %#08x) = %#04x, want %#04x", f, u, h, want)
		}
	}
}

// blockTypes are the block formats with a dot product, with the
// activation type they pair with.
var blockTypes = []gguf.Type{
	gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1,
	gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K,
}

// quantizeAct quantizes activations with the reference activation quantizer of t.
func quantizeAct(t gguf.Type, x []float32) []byte {
	f, _ := formatOf(t)
	af, _ := formatOf(f.act)
	xq := make([]byte, af.rowBytes(len(x)))
	switch f.act {
	case gguf.TypeQ8_0:
		quantizeRowQ8_0Ref(xq, x)
	case gguf.TypeQ8_1:
		quantizeRowQ8_1Ref(xq, x)
	case gguf.TypeQ8_K:
		quantizeRowQ8_KRef(xq, x)
	}
	return xq
}

// decodedDot is an independent float64 dot of the dequantized weights and
// activations. It also returns the magnitude sum|w_i x_i| and the extra
// deviation allowed for Q4_1/Q5_1: ggml uses the Q8_1 block sum
// s = F16(d*sum(q)), computed from the unrounded d, so m*s may differ from
// m*sum(x_i) by up to |m*s|*2^-10.
func decodedDot(t gguf.Type, n int, w, xq []byte) (sum, mag, extra float64) {
	f, _ := formatOf(t)
	wf := make([]float32, n)
	xf := make([]float32, n)
	f.dequant(wf, w)
	af, _ := formatOf(f.act)
	af.dequant(xf, xq)
	for i := range wf {
		p := float64(wf[i]) * float64(xf[i])
		sum += p
		mag += math.Abs(p)
	}
	if t == gguf.TypeQ4_1 || t == gguf.TypeQ5_1 {
		for b := 0; b < n/qk; b++ {
			m := float64(loadF16(w[b*f.blockBytes+2:]))
			s := float64(loadF16(xq[b*q8_1Size+2:]))
			extra += math.Abs(m*s) * math.Ldexp(1, -10)
		}
	}
	return sum, mag, extra
}

// TestDotRefMatchesDequantized checks every reference block dot against a
// float64 dot of the dequantized operands: this ties the integer-domain
// dot products to the dequantizers (and those to llama.cpp's files).
func TestDotRefMatchesDequantized(t *testing.T) {
	refs := map[gguf.Type]func(int, []byte, []byte) float32{
		gguf.TypeQ8_0: dotQ8_0Ref, gguf.TypeQ4_0: dotQ4_0Ref, gguf.TypeQ4_1: dotQ4_1Ref,
		gguf.TypeQ5_0: dotQ5_0Ref, gguf.TypeQ5_1: dotQ5_1Ref, gguf.TypeQ2_K: dotQ2_KRef,
		gguf.TypeQ3_K: dotQ3_KRef, gguf.TypeQ4_K: dotQ4_KRef, gguf.TypeQ5_K: dotQ5_KRef,
		gguf.TypeQ6_K: dotQ6_KRef,
	}
	r := newRand(3)
	for _, typ := range blockTypes {
		f, _ := formatOf(typ)
		for _, nb := range []int{1, 2, 3, 8} {
			n := nb * f.blockSize
			for trial := 0; trial < 20; trial++ {
				wq := make([]byte, f.rowBytes(n))
				if err := Quantize(wq, typ, gaussian(r, n, 0.02+r.Float64())); err != nil {
					t.Fatal(err)
				}
				xq := quantizeAct(typ, gaussian(r, n, 0.1+3*r.Float64()))
				got := float64(refs[typ](n, wq, xq))
				want, mag, extra := decodedDot(typ, n, wq, xq)
				if math.Abs(got-want) > 1e-5*mag+extra+1e-30 || got != got {
					t.Fatalf("%s n=%d: ref dot %g, dequantized dot %g (magnitude %g)", typ, n, got, want, mag)
				}
			}
		}
	}
}

// relRMS is the RMS of a-b relative to the RMS of b.
func relRMS(a, b []float32) float64 {
	var se, ss float64
	for i := range b {
		d := float64(a[i]) - float64(b[i])
		se += d * d
		ss += float64(b[i]) * float64(b[i])
	}
	return math.Sqrt(se / ss)
}

// TestQuantizeRoundTrip checks Dequantize(Quantize(x)) of Gaussian data
// against the per-type bounds measured on llama.cpp's own quantization.
func TestQuantizeRoundTrip(t *testing.T) {
	r := newRand(4)
	types := append([]gguf.Type{gguf.TypeF32, gguf.TypeQ8_1, gguf.TypeQ8_K}, synthTypes...)
	bounds := map[gguf.Type]float64{gguf.TypeF32: 0, gguf.TypeQ8_1: 6.5e-3, gguf.TypeQ8_K: 7.5e-3}
	for k, v := range synthRelRMS {
		bounds[k] = v
	}
	for _, typ := range types {
		f, _ := formatOf(typ)
		n := 16 * 256
		x := gaussian(r, n, 0.05)
		q := make([]byte, f.rowBytes(n))
		if err := Quantize(q, typ, x); err != nil {
			t.Fatal(err)
		}
		y := make([]float32, n)
		if err := Dequantize(y, typ, q); err != nil {
			t.Fatal(err)
		}
		if e := relRMS(y, x); e > bounds[typ] || e != e {
			t.Errorf("%s: round-trip relative RMS error %.4g > %.4g", typ, e, bounds[typ])
		}
		// All-zero input stays zero, without NaN.
		clear(x)
		if err := Quantize(q, typ, x); err != nil {
			t.Fatal(err)
		}
		if err := Dequantize(y, typ, q); err != nil {
			t.Fatal(err)
		}
		for i, v := range y {
			if v != 0 {
				t.Fatalf("%s: zeros decode to %g at %d", typ, v, i)
			}
		}
	}
}

func TestSizeErrors(t *testing.T) {
	if err := Dequantize(make([]float32, 31), gguf.TypeQ4_0, make([]byte, 100)); err == nil {
		t.Error("Dequantize of 31 Q4_0 elements: no error")
	}
	if err := Dequantize(make([]float32, 64), gguf.TypeQ4_0, make([]byte, 35)); err == nil {
		t.Error("Dequantize from a short buffer: no error")
	}
	if err := Quantize(make([]byte, 10), gguf.TypeQ8_0, make([]float32, 32)); err == nil {
		t.Error("Quantize into a short buffer: no error")
	}
	if err := Dequantize(make([]float32, 256), gguf.TypeIQ2_XXS, make([]byte, 1000)); err == nil {
		t.Error("Dequantize of IQ2_XXS: no error")
	}
	for _, typ := range []gguf.Type{gguf.TypeQ8_1, gguf.TypeQ8_K, gguf.TypeIQ4_NL, gguf.TypeI32} {
		if Supported(typ) {
			t.Errorf("Supported(%s) = true", typ)
		}
	}
	for _, typ := range append([]gguf.Type{gguf.TypeF32}, synthTypes...) {
		if !Supported(typ) {
			t.Errorf("Supported(%s) = false", typ)
		}
	}
}

// TestActivationQuantizers checks the Q8 activation quantizers against the
// definition: Q8_0/Q8_1 use d = amax/127 and round(x*127/amax) half to even;
// Q8_1 stores s = d*sum(q); Q8_K uses -127/max and 16-element sums.
func TestActivationQuantizers(t *testing.T) {
	r := newRand(5)
	x := gaussian(r, 512, 1)
	x[3] = 0.5 * 127 / 127 // exercise exact halves
	q0 := make([]byte, 16*q8_0Size)
	quantizeRowQ8_0Ref(q0, x)
	q1 := make([]byte, 16*q8_1Size)
	quantizeRowQ8_1Ref(q1, x)
	for b := 0; b < 16; b++ {
		xb := x[b*32 : b*32+32]
		amax := float32(0)
		for _, v := range xb {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		id := 127 / amax
		sum := 0
		for j, v := range xb {
			want := int8(math.RoundToEven(float64(v * id)))
			if got := int8(q0[b*q8_0Size+2+j]); got != want {
				t.Fatalf("Q8_0 block %d [%d]: %d, want %d", b, j, got, want)
			}
			if got := int8(q1[b*q8_1Size+4+j]); got != want {
				t.Fatalf("Q8_1 block %d [%d]: %d, want %d", b, j, got, want)
			}
			sum += int(want)
		}
		d := amax / 127
		if got := binary.LittleEndian.Uint16(q0[b*q8_0Size:]); got != fp32ToFP16(d) {
			t.Fatalf("Q8_0 block %d: d %#04x, want %#04x", b, got, fp32ToFP16(d))
		}
		if got := binary.LittleEndian.Uint16(q1[b*q8_1Size+2:]); got != fp32ToFP16(d*float32(sum)) {
			t.Fatalf("Q8_1 block %d: s %#04x, want %#04x", b, got, fp32ToFP16(d*float32(sum)))
		}
	}
	qk8 := make([]byte, 2*q8KSize)
	quantizeRowQ8_KRef(qk8, x)
	for b := 0; b < 2; b++ {
		blk := qk8[b*q8KSize:]
		d := loadF32(blk)
		for g := 0; g < 16; g++ {
			s := int32(0)
			for j := 0; j < 16; j++ {
				e := b*256 + g*16 + j
				q := int32(int8(blk[4+g*16+j]))
				s += q
				if math.Abs(float64(d)*float64(q)-float64(x[e])) > math.Abs(float64(d))*0.5001 {
					t.Fatalf("Q8_K element %d: %d*%g far from %g", e, q, d, x[e])
				}
			}
			if s != bsumQ8K(blk, g) {
				t.Fatalf("Q8_K block %d group %d: bsum %d, want %d", b, g, bsumQ8K(blk, g), s)
			}
		}
	}
	// The dispatched quantizers must produce the same bytes.
	for _, c := range []struct {
		name      string
		fn, ref   func([]byte, []float32)
		blockSize int
		size      int
	}{
		{"Q8_0", quantizeRowQ8_0, quantizeRowQ8_0Ref, 32, q8_0Size},
		{"Q8_1", quantizeRowQ8_1, quantizeRowQ8_1Ref, 32, q8_1Size},
		{"Q8_K", quantizeRowQ8_K, quantizeRowQ8_KRef, 256, q8KSize},
	} {
		for trial := 0; trial < 50; trial++ {
			nb := 1 + r.IntN(9)
			x := gaussian(r, nb*c.blockSize, math.Exp(r.NormFloat64()*3))
			if trial%7 == 0 {
				clear(x[:c.blockSize])
			}
			got, want := make([]byte, nb*c.size), make([]byte, nb*c.size)
			c.fn(got, x)
			c.ref(want, x)
			if !bytes.Equal(got, want) {
				t.Fatalf("quantizeRow%s differs from its reference", c.name)
			}
		}
	}
}

// TestPortableQuantizersMatchRef checks the portable Go activation
// quantizers byte for byte against the references (the dispatched ones may
// be assembly on this machine).
func TestPortableQuantizersMatchRef(t *testing.T) {
	r := newRand(6)
	for _, c := range []struct {
		name      string
		fn, ref   func([]byte, []float32)
		blockSize int
		size      int
	}{
		{"Q8_0", quantizeRowQ8_0Go, quantizeRowQ8_0Ref, 32, q8_0Size},
		{"Q8_1", quantizeRowQ8_1Go, quantizeRowQ8_1Ref, 32, q8_1Size},
		{"Q8_K", quantizeRowQ8_KGo, quantizeRowQ8_KRef, 256, q8KSize},
	} {
		for trial := 0; trial < 200; trial++ {
			nb := 1 + r.IntN(9)
			x := gaussian(r, nb*c.blockSize, math.Exp(r.NormFloat64()*3))
			switch trial % 5 {
			case 1:
				clear(x[:c.blockSize])
			case 2: // exact halves after scaling: ties must round to even
				for i := range x {
					x[i] = float32(r.IntN(255)-127) / 2
				}
				x[0] = 127 / 2.0
			}
			got, want := make([]byte, nb*c.size), make([]byte, nb*c.size)
			c.fn(got, x)
			c.ref(want, x)
			if !bytes.Equal(got, want) {
				t.Fatalf("quantizeRow%sGo differs from its reference (trial %d)", c.name, trial)
			}
		}
	}
}

// FuzzQuantize quantizes arbitrary float32 values (NaN, Inf, huge, tiny)
// with every reference quantizer: it must not panic, and blocks of finite
// values of moderate size must decode within a few quantization steps.
func FuzzQuantize(f *testing.F) {
	f.Add(uint8(0), []byte{0, 0, 0x80, 0x7f, 0, 0, 0xc0, 0x7f})
	f.Add(uint8(9), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, which uint8, raw []byte) {
		types := append([]gguf.Type{gguf.TypeQ8_1, gguf.TypeQ8_K}, weightTypes...)
		typ := types[int(which)%len(types)]
		fm, _ := formatOf(typ)
		x := make([]float32, fm.blockSize*max(1, (len(raw)/4+fm.blockSize-1)/fm.blockSize))
		moderate := true
		for i := 0; i+4 <= len(raw); i += 4 {
			x[i/4] = math.Float32frombits(binary.LittleEndian.Uint32(raw[i:]))
			if a := math.Abs(float64(x[i/4])); !(a < 1e4) || (a != 0 && a < 1e-4) {
				moderate = false
			}
		}
		q := make([]byte, fm.rowBytes(len(x)))
		if err := Quantize(q, typ, x); err != nil {
			t.Fatal(err)
		}
		y := make([]float32, len(x))
		if err := Dequantize(y, typ, q); err != nil {
			t.Fatal(err)
		}
		if !moderate || typ == gguf.TypeF32 {
			return
		}
		for b := 0; b < len(x)/fm.blockSize; b++ {
			var amax float64
			for _, v := range x[b*fm.blockSize : (b+1)*fm.blockSize] {
				amax = math.Max(amax, math.Abs(float64(v)))
			}
			for i := b * fm.blockSize; i < (b+1)*fm.blockSize; i++ {
				// Even 2-bit levels stay within the block's range.
				if d := math.Abs(float64(y[i]) - float64(x[i])); !(d <= 1.1*amax+1e-6) {
					t.Fatalf("%s: element %d = %g decodes to %g (block amax %g)", typ, i, x[i], y[i], amax)
				}
			}
		}
	})
}
