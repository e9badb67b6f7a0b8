// Command demodata writes the demo model's training data: it trains the vocabulary on
// generated conversations and writes it as vocab.json, then the token ids of the training and
// validation conversations (ChatML, BOS first, little-endian uint16) as train.bin and val.bin.
//
//	go run ./amulet/demo/cmd/demodata -out /tmp/demo-data
package main

import (
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/amulet-llm/amulet/amulet/demo"
)

func main() {
	out := flag.String("out", "demo-data", "output directory")
	seed := flag.Uint64("seed", 1, "generator seed (validation uses seed+1000)")
	vocabSamples := flag.Int("vocab-samples", 20000, "conversations the vocabulary is trained on")
	vocabSize := flag.Int("vocab-size", 1024, "vocabulary size, special and byte tokens included")
	train := flag.Int("train", 200000, "training conversations")
	val := flag.Int("val", 2000, "validation conversations")
	flag.Parse()
	if err := run(*out, *seed, *vocabSamples, *vocabSize, *train, *val); err != nil {
		fmt.Fprintln(os.Stderr, "demodata:", err)
		os.Exit(1)
	}
}

func run(out string, seed uint64, vocabSamples, vocabSize, train, val int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	g := demo.NewGenerator(seed)
	texts := make([]string, vocabSamples)
	for i := range texts {
		s := g.Next()
		texts[i] = demo.RenderChatML(s.SystemPrompt(), s.Text, s.Answer)
	}
	v := demo.TrainVocab(texts, vocabSize)
	vj, err := json.Marshal(map[string]any{"tokens": v.Tokens, "scores": v.Scores, "types": v.Types})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "vocab.json"), vj, 0o644); err != nil {
		return err
	}
	enc := demo.NewEncoder(v)
	write := func(name string, seed uint64, n int) error {
		g := demo.NewGenerator(seed)
		var buf []byte
		total := 0
		for i := 0; i < n; i++ {
			s := g.Next()
			ids := enc.Encode(demo.RenderChatML(s.SystemPrompt(), s.Text, s.Answer), true)
			total += len(ids)
			for _, id := range ids {
				buf = binary.LittleEndian.AppendUint16(buf, uint16(id))
			}
		}
		fmt.Printf("%s: %d conversations, %d tokens (%.1f per conversation)\n", name, n, total, float64(total)/float64(n))
		return os.WriteFile(filepath.Join(out, name), buf, 0o644)
	}
	fmt.Printf("vocab: %d tokens\n", len(v.Tokens))
	if err := write("train.bin", seed, train); err != nil {
		return err
	}
	return write("val.bin", seed+1000, val)
}
