package demo

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// npy writes a float32 .npy file the way numpy.save does (format version 1.0).
func npy(shape []int, data []float32) []byte {
	dims := ""
	for _, d := range shape {
		dims += fmt.Sprintf("%d, ", d)
	}
	if len(shape) > 1 {
		dims = dims[:len(dims)-2]
	}
	h := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }", dims)
	for (10+len(h)+1)%64 != 0 {
		h += " "
	}
	h += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(h)), byte(len(h)>>8))
	b = append(b, h...)
	for _, x := range data {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
	}
	return b
}

func TestParseNPY(t *testing.T) {
	x, err := ParseNPY("a.npy", npy([]int{2, 3}, []float32{1, 2, 3, 4, 5, -6}))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(x.Shape, x.Data) != "[2 3] [1 2 3 4 5 -6]" {
		t.Errorf("got %v %v", x.Shape, x.Data)
	}
	v, err := ParseNPY("v.npy", npy([]int{3}, []float32{1, 2, 3}))
	if err != nil || fmt.Sprint(v.Shape) != "[3]" {
		t.Errorf("1-D: %v %v", v.Shape, err)
	}
	good := npy([]int{2}, []float32{1, 2})
	for name, b := range map[string][]byte{
		"empty":     nil,
		"magic":     append([]byte("XNUMPY"), good[6:]...),
		"truncated": good[:len(good)-1],
		"f8":        []byte(string(good[:10]) + "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }\n"),
		"header":    append(good[:8:8], 0xff, 0xff),
		// (2^24)^4 wraps a 64-bit product to 0, which the empty data section would match
		"overflow": npy([]int{1 << 24, 1 << 24, 1 << 24, 1 << 24}, nil),
	} {
		if _, err := ParseNPY(name, b); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// BuildGGUF writes a file the project's reader parses back: llama metadata, vocabulary,
// template, and every tensor with the right ggml shape; F32 data exact, Q8_0 data equal to the
// reference quantizer's.
func TestBuildGGUF(t *testing.T) {
	v := newBaseVocab()
	for _, c := range []string{"a", "b", spaceMark} {
		v.add(c, 0, TokenNormal)
	}
	for len(v.Tokens) < 288 {
		v.add(fmt.Sprintf("t%d", len(v.Tokens)), -float32(len(v.Tokens)), TokenNormal)
	}
	c := Config{Hidden: 64, Layers: 2, Heads: 2, KVHeads: 1, FFN: 96, ContextLength: 128, RopeBase: 10000, NormEps: 1e-5}
	r := rand.New(rand.NewPCG(1, 2))
	w := map[string]Tensor{}
	add := func(name string, shape ...int) {
		n := 1
		for _, d := range shape {
			n *= d
		}
		x := Tensor{Shape: shape, Data: make([]float32, n)}
		for i := range x.Data {
			x.Data[i] = float32(r.NormFloat64())
		}
		w[name] = x
	}
	V, hd := len(v.Tokens), c.Hidden/c.Heads
	add("token_embd.weight", V, c.Hidden)
	add("output_norm.weight", c.Hidden)
	add("output.weight", V, c.Hidden)
	for l := 0; l < c.Layers; l++ {
		p := fmt.Sprintf("blk.%d.", l)
		add(p+"attn_norm.weight", c.Hidden)
		add(p+"ffn_norm.weight", c.Hidden)
		add(p+"attn_q.weight", c.Heads*hd, c.Hidden)
		add(p+"attn_k.weight", c.KVHeads*hd, c.Hidden)
		add(p+"attn_v.weight", c.KVHeads*hd, c.Hidden)
		add(p+"attn_output.weight", c.Hidden, c.Heads*hd)
		add(p+"ffn_gate.weight", c.FFN, c.Hidden)
		add(p+"ffn_up.weight", c.FFN, c.Hidden)
		add(p+"ffn_down.weight", c.Hidden, c.FFN)
	}
	for _, typ := range []gguf.Type{gguf.TypeF32, gguf.TypeQ8_0} {
		data, err := BuildGGUF(w, v, c, typ)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gguf.FromBytes("built", data)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.Uint("llama.attention.head_count_kv"); err != nil || n != 1 {
			t.Errorf("%s: head_count_kv %d %v", typ, n, err)
		}
		if s, err := f.String("tokenizer.chat_template"); err != nil || s != ChatTemplate {
			t.Errorf("%s: chat template %q %v", typ, s, err)
		}
		if toks, err := f.Strings("tokenizer.ggml.tokens"); err != nil || len(toks) != V || toks[ImEndID] != "<|im_end|>" {
			t.Errorf("%s: tokens %d %v", typ, len(toks), err)
		}
		if !IsDemo(f) {
			t.Errorf("%s: not marked as the demo model", typ)
		}
		ti, ok := f.Tensor("blk.1.ffn_down.weight")
		if !ok || fmt.Sprint(ti.Shape) != fmt.Sprint([]int64{int64(c.FFN), int64(c.Hidden)}) || ti.Type != typ {
			t.Fatalf("%s: ffn_down %+v", typ, ti)
		}
		got, err := f.TensorData(ti)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, len(got))
		if err := kernels.Quantize(want, typ, w["blk.1.ffn_down.weight"].Data); err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: ffn_down data differs from the reference encoding", typ)
		}
		if norm, _ := f.Tensor("output_norm.weight"); norm.Type != gguf.TypeF32 {
			t.Errorf("%s: norm weight stored as %s", typ, norm.Type)
		}
	}
	delete(w, "output.weight")
	if _, err := BuildGGUF(w, v, c, gguf.TypeF32); err == nil {
		t.Error("missing tensor accepted")
	}
	if _, err := BuildGGUF(w, v, c, gguf.TypeQ4_0); err == nil {
		t.Error("Q4_0 accepted")
	}
}
