package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/internal/sharedtest"
	"github.com/amulet-llm/amulet/model"
)

// TestSynthCommand writes a small Q4_K_M qwen2 with stories260K's vocabulary and loads it back.
func TestSynthCommand(t *testing.T) {
	shared := sharedtest.Dir(t)
	out := filepath.Join(t.TempDir(), "m.gguf")
	args := []string{"-o", out, "--preset", "synth256", "--arch", "qwen2", "--layers", "8", "--type", "Q4_K_M",
		"--vocab-from", filepath.Join(shared, "models", "stories260k-f32.gguf"), "--seed", "3"}
	var so, se bytes.Buffer
	if err := runSynth(context.Background(), args, streams{out: &so, err: &se}); err != nil {
		t.Fatalf("%v: %s", err, se.String())
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Config; c.Arch != "qwen2" || c.Layers != 8 || c.Vocab != 512 || !c.RopeNeoX {
		t.Errorf("config %+v", c)
	}
	// Q4_K_M: use_more_bits(i, 8) picks layers 0, 3, 6, 7 for Q6_K (llama.cpp's rule).
	for i, want := range []gguf.Type{gguf.TypeQ6_K, gguf.TypeQ4_K, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ4_K, gguf.TypeQ4_K, gguf.TypeQ6_K, gguf.TypeQ6_K} {
		for _, name := range []string{"attn_v.weight", "ffn_down.weight"} {
			ti, _ := f.Tensor("blk." + string(rune('0'+i)) + "." + name)
			if ti == nil || ti.Type != want {
				t.Errorf("blk.%d.%s: %v, want %s", i, name, ti, want)
			}
		}
	}
	if tok, err := f.Strings("tokenizer.ggml.tokens"); err != nil || len(tok) != 512 {
		t.Errorf("tokenizer copied: %d tokens, %v", len(tok), err)
	}
	if err := runSynth(context.Background(), []string{"-o", out, "--type", "Q9"}, streams{out: &so, err: &se}); err == nil ||
		!strings.Contains(err.Error(), "Q4_K_M") {
		t.Errorf("unknown type: %v", err)
	}
}
