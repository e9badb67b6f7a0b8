package kernels

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand"
	"os"
	"strconv"
	"testing"
)

// fmaF32 against an exactly rounded big.Float a*b+c, on random operands and
// on sums that land halfway between float32 values in float64.
func TestFmaF32(t *testing.T) {
	exact := func(a, b, c float32) float32 {
		x := new(big.Float).SetPrec(200).SetFloat64(float64(a))
		x.Mul(x, new(big.Float).SetPrec(200).SetFloat64(float64(b)))
		x.Add(x, new(big.Float).SetPrec(200).SetFloat64(float64(c)))
		f, _ := x.Float32()
		return f
	}
	r := rand.New(rand.NewSource(1))
	check := func(a, b, c float32) {
		if got, want := fmaF32(a, b, c), exact(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("fmaF32(%g, %g, %g) = %g, want %g", a, b, c, got, want)
		}
	}
	for range 200000 {
		a := float32(r.NormFloat64() * math.Exp2(float64(r.Intn(40)-20)))
		b := float32(r.NormFloat64() * math.Exp2(float64(r.Intn(40)-20)))
		c := float32(r.NormFloat64() * math.Exp2(float64(r.Intn(40)-20)))
		check(a, b, c)
	}
	// 1 + 2^-24 (a float32 midpoint) plus a tiny product: float64 rounds to
	// the midpoint, float32 then to even; the exact sum is above or below it.
	for _, s := range []float32{1, -1} {
		check(s*0x1p-12, 0x1p-12+0x1p-35, 1)
		check(s*0x1p-12, 0x1p-12-0x1p-35, 1)
		check(s*(0x1p-12+0x1p-35), 0x1p-12+0x1p-35, -1)
	}
}

func attnRandF32(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// The AVX-512 score and value kernels against their references, bit for bit.
func TestAttnF32KernelsMatchRef(t *testing.T) {
	if !attnLlamaOrder() {
		t.Skip("no AVX-512: attention takes the dispatched dot and axpy (checked by the ops tests)")
	}
	r := rand.New(rand.NewSource(2))
	for _, hd := range []int{8, 16, 48, 64, 72, 96, 128, 200, 256} {
		for _, n := range []int{1, 2, 5, 15, 16, 17, 31, 33, 63, 64, 65, 100, 129, 300} {
			stride := hd + 8*(n%3)
			keys, values := attnRandF32(r, n*stride), attnRandF32(r, n*stride)
			q := attnRandF32(r, hd)
			got, want := make([]float32, n), make([]float32, n)
			attnScoresF32(got, keys, stride, q, 0.125)
			attnScoresRef(want, keys, stride, q, 0.125)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("scores hd=%d n=%d t=%d: %g, want %g", hd, n, i, got[i], want[i])
				}
			}
			p := make([]float32, n)
			for i := range p {
				p[i] = float32(r.Float64())
			}
			var acc [64 * 16]float32
			for _, lanes := range []int{16, 64} {
				o, w := make([]float32, hd), make([]float32, hd)
				attnValuesF32(o, p, values, stride, lanes, &acc)
				attnValuesRef(w, p, values, stride, lanes)
				for i := range o {
					if math.Float32bits(o[i]) != math.Float32bits(w[i]) {
						t.Fatalf("values lanes=%d hd=%d n=%d d=%d: %g, want %g", lanes, hd, n, i, o[i], w[i])
					}
				}
			}
		}
	}
}

// attnValuesRef against transcriptions of what llama.cpp runs on the padded
// row (256 positions, probabilities 0 past n): ggml_vec_dot_f32 (attnDotRef)
// for 64 lanes, tinyBLAS's 16-lane FMA chain and hsum for 16.
func TestAttnValuesRefPadded(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	const hd, pad = 8, 256
	for _, n := range []int{1, 7, 16, 63, 64, 65, 130, 256} {
		values := attnRandF32(r, n*hd)
		p := make([]float32, pad)
		for i := range n {
			p[i] = float32(r.Float64())
		}
		for _, lanes := range []int{16, 64} {
			o := make([]float32, hd)
			attnValuesRef(o, p[:n], values, hd, lanes)
			for d := range hd {
				col := make([]float32, pad)
				for i := range n {
					col[i] = values[i*hd+d]
				}
				var want float32
				if lanes == 64 {
					want = attnDotRef(col, p)
				} else {
					var c [16]float32
					for l := 0; l < pad; l += 16 {
						for j := range c {
							c[j] = fmaF32(col[l+j], p[l+j], c[j])
						}
					}
					want = reduce16(&c)
				}
				if math.Float32bits(o[d]) != math.Float32bits(want) {
					t.Fatalf("lanes=%d n=%d d=%d: %g, want %g", lanes, n, d, o[d], want)
				}
			}
		}
	}
}

func BenchmarkAttentionF32(b *testing.B) {
	r := rand.New(rand.NewSource(4))
	const nHead, hd = 2, 64
	for _, n := range []int{16, 64, 512, 2048} {
		keys, values := attnRandF32(r, n*hd), attnRandF32(r, n*hd)
		q := attnRandF32(r, nHead*hd)
		out, scratch := make([]float32, nHead*hd), make([]float32, n+16)
		b.Run("decode/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				AttentionF32(out, q, keys, values, n, nHead, 1, hd, 0.125, scratch)
			}
		})
		b.Run("batch/n="+strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				AttentionBatchF32(out, q, keys, values, n, nHead, 1, hd, 0.125, 8, scratch)
			}
		})
	}
}

// testdata/attn_f32_llama.bin holds llama.cpp's (node-llama-cpp 3.22.1,
// AVX-512 build, F32 cache, no flash attention) layer-0 attention tensors of
// synth256-f32.gguf for 40 tokens, KV head 0 and its query heads 0 and 1:
// once fed one token per llama_decode, once as one batch of 40. Each part
// holds the keys and values [40][64], the roped queries [40][128], kq (the
// unscaled q·k) and kq_soft_max rows [token][head][0..token], and kqv_out
// [40][128]. "ATF1" comes first.
func TestAttentionF32LlamaCpp(t *testing.T) {
	if !attnLlamaOrder() {
		t.Skip("no AVX-512: llama.cpp's build for this CPU sums in another order")
	}
	raw, err := os.ReadFile("testdata/attn_f32_llama.bin")
	if err != nil {
		t.Fatal(err)
	}
	const n, hd, scale = 40, 64, float32(0.125)
	if string(raw[:4]) != "ATF1" {
		t.Fatal("bad magic")
	}
	off := 4
	next := func(m int) []float32 {
		x := make([]float32, m)
		for i := range x {
			x[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[off+4*i:]))
		}
		off += 4 * m
		return x
	}
	tri := 2 * n * (n + 1) / 2
	for _, mode := range []struct {
		name string
		rows int
	}{{"decode", 1}, {"batch", n}} {
		keys, values, q := next(n*hd), next(n*hd), next(n*2*hd)
		kq, prob, want := next(tri), next(tri), next(n*2*hd)
		lanes := attnLanes(hd, mode.rows)
		var acc [64 * 16]float32
		softmaxSame, k := true, 0
		for i := range n {
			for h := range 2 {
				qh := q[(2*i+h)*hd : (2*i+h+1)*hd]
				p := make([]float32, i+1)
				attnScoresF32(p, keys, hd, qh, 1)
				sm := make([]float32, i+1)
				for tt := range p {
					if math.Float32bits(p[tt]) != math.Float32bits(kq[k+tt]) {
						t.Fatalf("%s: kq token %d head %d pos %d: %g, llama.cpp %g", mode.name, i, h, tt, p[tt], kq[k+tt])
					}
					sm[tt] = kq[k+tt] * scale
				}
				Softmax(sm)
				for tt := range sm {
					softmaxSame = softmaxSame && math.Float32bits(sm[tt]) == math.Float32bits(prob[k+tt])
				}
				o := make([]float32, hd)
				attnValuesF32(o, prob[k:k+i+1], values, hd, lanes, &acc)
				for d := range o {
					if w := want[(2*i+h)*hd+d]; math.Float32bits(o[d]) != math.Float32bits(w) {
						t.Fatalf("%s: kqv from llama.cpp's probabilities, token %d head %d dim %d: %g, llama.cpp %g", mode.name, i, h, d, o[d], w)
					}
				}
				k += i + 1
			}
		}
		// The whole attention equals llama.cpp's where Softmax does.
		if !softmaxSame {
			t.Logf("%s: Softmax differs from llama.cpp's soft_max here; end-to-end check skipped", mode.name)
			continue
		}
		out, scratch := make([]float32, 2*hd), make([]float32, n+16)
		for i := range n {
			AttentionBatchF32(out, q[2*i*hd:2*(i+1)*hd], keys, values, i+1, 2, 1, hd, scale, mode.rows, scratch)
			for d := range out {
				if w := want[2*i*hd+d]; math.Float32bits(out[d]) != math.Float32bits(w) {
					t.Fatalf("%s: attention token %d element %d: %g, llama.cpp %g", mode.name, i, d, out[d], w)
				}
			}
		}
	}
}
