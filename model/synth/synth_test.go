package synth

import (
	"bytes"
	"context"
	"math"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
	"github.com/amulet-llm/amulet/model"
)

func build(t *testing.T, o Options) []byte {
	t.Helper()
	w, err := Build(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The same seed gives the same file at any thread count; another seed another file.
func TestDeterministic(t *testing.T) {
	s, _ := Preset("synth256")
	a := build(t, Options{Shape: s, Type: "Q4_K", Seed: 5, Threads: 1})
	b := build(t, Options{Shape: s, Type: "Q4_K", Seed: 5, Threads: 3})
	c := build(t, Options{Shape: s, Type: "Q4_K", Seed: 6, Threads: 3})
	if !bytes.Equal(a, b) {
		t.Error("same seed, different thread count: files differ")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds: same file")
	}
}

// The weights have the distributions of make_synth256.py: token_embd N(0,1), projections
// N(0,1/fan_in), output N(0,(4/sqrt(hidden))²), norms 1.
func TestDistributions(t *testing.T) {
	s, _ := Preset("synth256")
	f, err := gguf.FromBytes("synth", build(t, Options{Shape: s, Type: "F32", Seed: 1}))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]float64{
		"token_embd.weight": 1, "blk.0.attn_q.weight": 1 / 16.0, "blk.1.ffn_down.weight": 1 / math.Sqrt(768),
		"output.weight": 4 / 16.0, "blk.0.attn_norm.weight": 0,
	} {
		ti, ok := f.Tensor(name)
		if !ok {
			t.Fatalf("no %s", name)
		}
		data, _ := f.TensorData(ti)
		v := make([]float32, ti.Elements())
		if err := kernels.Dequantize(v, ti.Type, data); err != nil {
			t.Fatal(err)
		}
		var sum, sq float64
		for _, x := range v {
			sum += float64(x)
			sq += float64(x) * float64(x)
		}
		mean := sum / float64(len(v))
		std := math.Sqrt(sq/float64(len(v)) - mean*mean)
		if want == 0 { // norm: all ones
			if mean != 1 || std != 0 {
				t.Errorf("%s: mean %g std %g, want all ones", name, mean, std)
			}
			continue
		}
		if math.Abs(std/want-1) > 0.05 || math.Abs(mean) > 0.05*want {
			t.Errorf("%s: mean %.3g std %.4g, want 0 and %.4g", name, mean, std, want)
		}
	}
}

// Zero RopeBase and NormEps take the defaults, and the file loads (model.Load rejects 0 for both).
func TestShapeDefaults(t *testing.T) {
	f, err := gguf.FromBytes("synth", build(t, Options{Shape: Shape{Arch: "llama", Hidden: 32, Layers: 1, Heads: 2, KVHeads: 1, FFN: 64, Vocab: 16, Context: 8}}))
	if err != nil {
		t.Fatal(err)
	}
	base, err1 := f.Float("llama.rope.freq_base")
	eps, err2 := f.Float("llama.attention.layer_norm_rms_epsilon")
	if err1 != nil || err2 != nil || base != 10000 || math.Abs(eps-1e-5) > 1e-12 {
		t.Fatalf("rope base %v (%v), eps %v (%v); want 10000 and 1e-5", base, err1, eps, err2)
	}
	if _, err := model.Load(f); err != nil {
		t.Fatal(err)
	}
}

func TestErrors(t *testing.T) {
	s, _ := Preset("synth256")
	for _, o := range []Options{
		{Shape: s, Type: "Q9"},
		{Shape: Shape{Arch: "gpt2", Hidden: 256, Layers: 1, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 10, Context: 8}},
		{Shape: Shape{Arch: "llama", Hidden: 96, Layers: 1, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 10, Context: 8}, Type: "Q4_K"},
		// absurd sizes are refused before anything is allocated
		{Shape: Shape{Arch: "llama", Hidden: 1 << 25, Layers: 1, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 10, Context: 8}},
		{Shape: Shape{Arch: "llama", Hidden: 1 << 16, Layers: 1 << 10, Heads: 4, KVHeads: 4, FFN: 1 << 16, Vocab: 10, Context: 8}},
		{Shape: Shape{Arch: "llama", Hidden: 256, Layers: 1, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 10, Context: 8, RopeBase: -1}},
		{Shape: Shape{Arch: "llama", Hidden: 256, Layers: 1, Heads: 4, KVHeads: 4, FFN: 256, Vocab: 10, Context: 8, NormEps: 2}},
	} {
		if _, err := Build(context.Background(), o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}
