package synth_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
	"github.com/amulet-llm/amulet/model/synth"
)

// Write a small random qwen2 model in llama.cpp's Q4_K_M mixture and load it.
func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "synth")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	shape, _ := synth.Preset("qwen2-256")
	path := filepath.Join(dir, "qwen2-q4_k_m.gguf")
	if err := synth.WriteFile(context.Background(), path, synth.Options{Shape: shape, Type: "Q4_K_M", Seed: 1}); err != nil {
		log.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		log.Fatal(err)
	}
	v0, _ := f.Tensor("blk.0.attn_v.weight")
	v1, _ := f.Tensor("blk.1.attn_v.weight")
	q, _ := f.Tensor("blk.0.attn_q.weight")
	fmt.Println(m.Config.Arch, m.Config.Layers, "layers, tied output:", m.Config.TiedOutput)
	fmt.Println("attn_q", q.Type, "attn_v", v0.Type, v1.Type) // use_more_bits picks the last layer
	// Output:
	// qwen2 2 layers, tied output: true
	// attn_q Q4_K attn_v Q4_K Q6_K
}
