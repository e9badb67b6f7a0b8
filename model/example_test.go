package model_test

import (
	"context"
	"fmt"
	"log"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
)

// Load a GGUF model, open a session, prefill a prompt as one batch and read the logits of its
// last position; then decode one more token.
func Example() {
	f, err := gguf.Open("../../shared/models/stories260k-f32.gguf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		log.Fatal(err)
	}
	c := m.Config
	fmt.Printf("%s: %d layers, %d heads (%d KV), vocab %d\n", c.Arch, c.Layers, c.Heads, c.KVHeads, c.Vocab)

	s, err := m.NewSession(model.SessionOptions{Threads: 2, ContextLength: 64})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	prompt := []int32{1, 403, 407, 261, 378} // <s> Once upon a time
	b := model.Batch{
		Tokens:    prompt,
		Positions: []int32{0, 1, 2, 3, 4},
		Seqs:      []int32{0, 0, 0, 0, 0},
		Logits:    []bool{false, false, false, false, true}, // only the last row's logits
	}
	if err := s.Forward(context.Background(), b); err != nil {
		log.Fatal(err)
	}
	next := argmax(s.Logits(4))
	fmt.Println("next token:", next)

	// Decode: one row, at the next position of sequence 0.
	if err := s.Forward(context.Background(), model.Batch{Tokens: []int32{next}, Positions: []int32{5}, Seqs: []int32{0}}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("then:", argmax(s.Logits(0)), "sequence length:", s.SeqLen(0))
	// Output:
	// llama: 5 layers, 8 heads (4 KV), vocab 512
	// next token: 432
	// then: 383 sequence length: 6
}

func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

// Two sequences share a prompt prefix: sequence 1 starts as a copy of sequence 0's first
// positions (no recomputation), then both are decoded in one batch of two rows.
func ExampleSession_CopyPrefix() {
	f, err := gguf.Open("../../shared/models/stories260k-f32.gguf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f)
	if err != nil {
		log.Fatal(err)
	}
	s, err := m.NewSession(model.SessionOptions{Threads: 2, ContextLength: 64, MaxSequences: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	prompt := []int32{1, 403, 407, 261, 378} // <s> Once upon a time
	if err := s.Forward(ctx, model.Batch{Tokens: prompt, Positions: []int32{0, 1, 2, 3, 4},
		Seqs: []int32{0, 0, 0, 0, 0}, Logits: []bool{false, false, false, false, false}}); err != nil {
		log.Fatal(err)
	}
	if err := s.CopyPrefix(1, 0, 4); err != nil { // <s> Once upon a
		log.Fatal(err)
	}
	// Row 0 continues sequence 0 with ","; row 1 gives sequence 1 another 4th token.
	b := model.Batch{Tokens: []int32{432, 403}, Positions: []int32{5, 4}, Seqs: []int32{0, 1}}
	if err := s.Forward(ctx, b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.SeqLen(0), s.SeqLen(1), argmax(s.Logits(0)))
	// Output:
	// 6 5 383
}

// LoadWith with NoRepack keeps every weight in the file's layout (as llama.cpp's --no-repack);
// Load repacks quantized matrices where the CPU has kernels for that (kernels.Repack). Both give the same model.
func ExampleLoadWith() {
	f, err := gguf.Open("../../shared/models/stories260k-q8_0.gguf")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	m, err := model.LoadWith(f, model.LoadOptions{NoRepack: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Config.Arch, m.Config.Layers, m.Config.Hidden)
	// Output: llama 5 64
}
