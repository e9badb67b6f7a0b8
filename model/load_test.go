package model

import (
	"bytes"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// tinyFile writes a GGUF with llama metadata for arch and the given F32 tensors.
func tinyFile(t *testing.T, arch string, tensors map[string][]int64) *gguf.File {
	return tinyFileHeads(t, arch, 2, tensors)
}

// tinyFileHeads is tinyFile with `heads` attention heads over an embedding of 8.
func tinyFileHeads(t *testing.T, arch string, heads uint32, tensors map[string][]int64) *gguf.File {
	t.Helper()
	w := gguf.NewWriter()
	w.AddString("general.architecture", arch)
	for k, v := range map[string]uint32{"context_length": 8, "embedding_length": 8, "block_count": 1,
		"feed_forward_length": 16, "attention.head_count": heads} {
		w.AddUint32(arch+"."+k, v)
	}
	w.AddFloat32(arch+".attention.layer_norm_rms_epsilon", 1e-5)
	for name, shape := range tensors {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		if err := w.AddTensor(name, gguf.TypeF32, shape, make([]byte, 4*n)); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.FromBytes("tiny", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		arch    string
		tensors map[string][]int64
		want    []string
	}{
		{"gpt2", nil, []string{`unsupported architecture "gpt2"`, "llama, qwen2"}},
		{"llama", nil, []string{"missing tensor token_embd.weight"}},
		{"llama", map[string][]int64{"token_embd.weight": {8, 10}}, []string{"missing tensor output_norm.weight"}},
		{"llama", map[string][]int64{"token_embd.weight": {8, 10}, "output_norm.weight": {8}, "output.weight": {8, 11}},
			[]string{"output.weight has shape [8 11], want [8 10]"}},
		{"llama", map[string][]int64{"token_embd.weight": {8, 10}, "output_norm.weight": {8}},
			[]string{"missing tensor blk.0.attn_norm.weight"}},
		{"qwen2", map[string][]int64{"token_embd.weight": {8, 10}, "output_norm.weight": {8}, "blk.0.attn_norm.weight": {8},
			"blk.0.attn_q.weight": {8, 8}, "blk.0.attn_k.weight": {8, 8}, "blk.0.attn_v.weight": {8, 8}},
			[]string{"missing tensor blk.0.attn_q.bias"}},
	}
	for _, c := range cases {
		_, err := Load(tinyFile(t, c.arch, c.tensors))
		if err == nil {
			t.Errorf("%s %v: no error", c.arch, c.tensors)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q does not contain %q", err, w)
			}
		}
	}
}

// More heads than embedding dimensions leave no dimension per head: an error naming both keys,
// not a load that fails later on a tensor shape (or a model with an infinite attention scale).
func TestLoadHeadDimZero(t *testing.T) {
	_, err := Load(tinyFileHeads(t, "llama", 16, map[string][]int64{"token_embd.weight": {8, 10}}))
	if err == nil || !strings.Contains(err.Error(), "llama.embedding_length = 8") || !strings.Contains(err.Error(), "llama.attention.head_count = 16") {
		t.Fatalf("error %v", err)
	}
}
