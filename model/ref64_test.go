package model

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
	"github.com/amulet-llm/amulet/model/synth"
)

// A plain float64 transformer written from the equations (llama2.c's run.c, with GQA, biases,
// NeoX RoPE, linear RoPE scaling and RoPE frequency factors), independent of the Session code
// and of the kernels' dot products: weights are dequantized with kernels.Dequantize only.

type ref64 struct {
	f   *gguf.File
	c   Config
	kvK [][][]float64 // [layer][pos] keys
	kvV [][][]float64
	// roundF16 rounds the input of every F16 matrix product to F16 first, as ggml does.
	roundF16 bool
}

// mv multiplies the named matrix by x, rounding x like ggml for an F16 matrix if asked.
func (r *ref64) mv(t testing.TB, name string, x []float64) []float64 {
	ti, _ := r.f.Tensor(name)
	if r.roundF16 && ti != nil && ti.Type == gguf.TypeF16 {
		x32 := make([]float32, len(x))
		for i := range x {
			x32[i] = float32(x[i])
		}
		h := make([]uint16, len(x))
		kernels.F32ToF16(h, x32)
		kernels.F16ToF32(x32, h)
		x = make([]float64, len(x))
		for i := range x {
			x[i] = float64(x32[i])
		}
	}
	return matvec(r.mat(t, name), x)
}

func (r *ref64) mat(t testing.TB, name string) [][]float64 {
	ti, ok := r.f.Tensor(name)
	if !ok {
		t.Fatalf("ref64: no %s", name)
	}
	data, err := r.f.TensorData(ti)
	if err != nil {
		t.Fatal(err)
	}
	flat := make([]float32, ti.Elements())
	if err := kernels.Dequantize(flat, ti.Type, data); err != nil {
		t.Fatal(err)
	}
	cols := int(ti.Shape[0])
	out := make([][]float64, len(flat)/cols)
	for i := range out {
		out[i] = make([]float64, cols)
		for j := range cols {
			out[i][j] = float64(flat[i*cols+j])
		}
	}
	return out
}

func (r *ref64) vec(t testing.TB, name string) []float64 {
	if _, ok := r.f.Tensor(name); !ok {
		return nil
	}
	return r.mat(t, name)[0]
}

func matvec(w [][]float64, x []float64) []float64 {
	out := make([]float64, len(w))
	for i, row := range w {
		for j, v := range row {
			out[i] += v * x[j]
		}
	}
	return out
}

func rmsnorm(x, w []float64, eps float64) []float64 {
	ss := 0.0
	for _, v := range x {
		ss += v * v
	}
	s := 1 / math.Sqrt(ss/float64(len(x))+eps)
	out := make([]float64, len(x))
	for i := range x {
		out[i] = x[i] * s * w[i]
	}
	return out
}

// rope rotates the first c.RopeDims dims of each head by pos·freq_j.
func (r *ref64) rope(t testing.TB, x []float64, heads, pos int) {
	c := r.c
	freqs := r.vec(t, "rope_freqs.weight")
	scale := 1.0
	if c.RopeScaling.Type == "linear" {
		scale = 1 / c.RopeScaling.Factor
	}
	for h := range heads {
		v := x[h*c.HeadDim : (h+1)*c.HeadDim]
		for j := 0; j < c.RopeDims/2; j++ {
			theta := float64(pos) * scale * math.Pow(c.RopeBase, -2*float64(j)/float64(c.RopeDims))
			if freqs != nil {
				theta /= freqs[j]
			}
			a, b := 2*j, 2*j+1
			if c.RopeNeoX {
				a, b = j, j+c.RopeDims/2
			}
			cos, sin := math.Cos(theta), math.Sin(theta)
			v[a], v[b] = v[a]*cos-v[b]*sin, v[a]*sin+v[b]*cos
		}
	}
}

func add(a, b []float64) {
	for i := range b {
		a[i] += b[i]
	}
}

// step feeds one token at position len(cache) and returns the logits.
func (r *ref64) step(t testing.TB, tok int32) []float64 {
	c := r.c
	pos := len(r.kvK[0])
	eps := float64(c.NormEps)
	x := append([]float64(nil), r.mat(t, "token_embd.weight")[tok]...)
	for l := range c.Layers {
		p := fmt.Sprintf("blk.%d.", l)
		h := rmsnorm(x, r.vec(t, p+"attn_norm.weight"), eps)
		q, k, v := r.mv(t, p+"attn_q.weight", h), r.mv(t, p+"attn_k.weight", h), r.mv(t, p+"attn_v.weight", h)
		if b := r.vec(t, p+"attn_q.bias"); b != nil {
			add(q, b)
			add(k, r.vec(t, p+"attn_k.bias"))
			add(v, r.vec(t, p+"attn_v.bias"))
		}
		r.rope(t, q, c.Heads, pos)
		r.rope(t, k, c.KVHeads, pos)
		r.kvK[l] = append(r.kvK[l], k)
		r.kvV[l] = append(r.kvV[l], v)
		att := make([]float64, len(q))
		group := c.Heads / c.KVHeads
		for hd := range c.Heads {
			kh := hd / group
			qh := q[hd*c.HeadDim : (hd+1)*c.HeadDim]
			scores := make([]float64, pos+1)
			mx := math.Inf(-1)
			for s := range pos + 1 {
				ks := r.kvK[l][s][kh*c.HeadDim : (kh+1)*c.HeadDim]
				for d := range qh {
					scores[s] += qh[d] * ks[d]
				}
				scores[s] /= math.Sqrt(float64(c.HeadDim))
				mx = math.Max(mx, scores[s])
			}
			sum := 0.0
			for s := range scores {
				scores[s] = math.Exp(scores[s] - mx)
				sum += scores[s]
			}
			for s := range scores {
				vs := r.kvV[l][s][kh*c.HeadDim : (kh+1)*c.HeadDim]
				for d := range c.HeadDim {
					att[hd*c.HeadDim+d] += scores[s] / sum * vs[d]
				}
			}
		}
		add(x, r.mv(t, p+"attn_output.weight", att))
		h = rmsnorm(x, r.vec(t, p+"ffn_norm.weight"), eps)
		g, u := r.mv(t, p+"ffn_gate.weight", h), r.mv(t, p+"ffn_up.weight", h)
		for i := range g {
			g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
		}
		add(x, r.mv(t, p+"ffn_down.weight", g))
	}
	h := rmsnorm(x, r.vec(t, "output_norm.weight"), eps)
	head := "output.weight"
	if c.TiedOutput {
		head = "token_embd.weight"
	}
	return r.mv(t, head, h)
}

// synthFile builds a small F32 model in memory, with optional extra metadata and tensors.
func synthFile(t testing.TB, shape synth.Shape, typ string, extra func(w *gguf.Writer)) *gguf.File {
	t.Helper()
	w, err := synth.Build(context.Background(), synth.Options{Shape: shape, Type: typ, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if extra != nil {
		extra(w)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.FromBytes("synth", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestFloat64Reference compares the session's logits with the float64 forward on small
// synthetic llama and qwen2 models (GQA, untied and tied heads, biases, NeoX RoPE, linear
// RoPE scaling, rope_freqs), prefilled in one batch.
func TestFloat64Reference(t *testing.T) {
	small := synth.Shape{Arch: "llama", Hidden: 64, Layers: 2, Heads: 4, KVHeads: 2, FFN: 96, Vocab: 50,
		Context: 32, RopeBase: 10000, NormEps: 1e-5}
	qwen := small
	qwen.Arch, qwen.TiedOutput, qwen.RopeBase, qwen.NormEps = "qwen2", true, 1e6, 1e-6
	mha := small
	mha.KVHeads = 4
	cases := []struct {
		name  string
		shape synth.Shape
		extra func(w *gguf.Writer)
	}{
		{"llama-gqa", small, nil},
		{"qwen2-tied-bias", qwen, nil},
		{"llama-mha-linear", mha, func(w *gguf.Writer) {
			w.AddString("llama.rope.scaling.type", "linear")
			w.AddFloat32("llama.rope.scaling.factor", 4)
		}},
		{"llama-rope-freqs", small, func(w *gguf.Writer) {
			ff := make([]float32, 8) // head dim 16 -> 8 pairs
			for i := range ff {
				ff[i] = 1 + float32(i)/2
			}
			raw := make([]byte, 4*len(ff))
			if err := kernels.Quantize(raw, gguf.TypeF32, ff); err != nil {
				t.Fatal(err)
			}
			if err := w.AddTensor("rope_freqs.weight", gguf.TypeF32, []int64{8}, raw); err != nil {
				t.Fatal(err)
			}
		}},
	}
	tokens := []int32{1, 7, 42, 3, 3, 19, 0, 49, 12, 5}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := synthFile(t, tc.shape, "F32", tc.extra)
			m, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			r := &ref64{f: f, c: m.Config, kvK: make([][][]float64, m.Config.Layers), kvV: make([][][]float64, m.Config.Layers)}
			s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 16})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			got := prefill(t, s, 0, 0, tokens)
			worst := 0.0
			for i, tok := range tokens {
				want := r.step(t, tok)
				for j := range want {
					worst = math.Max(worst, math.Abs(float64(got[i][j])-want[j]))
				}
			}
			t.Logf("%s: max |Δ logit| vs float64 forward: %.2e", tc.name, worst)
			if worst > 1e-4 {
				t.Errorf("%s: logits differ from the float64 forward by %.3g", tc.name, worst)
			}
		})
	}
}
