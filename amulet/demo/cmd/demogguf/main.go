// Command demogguf converts the demo model trained by amulet/demo/train/train.py into GGUF
// files with the project's own writer: F32 and Q8_0, with the vocabulary and chat template.
//
//	go run ./amulet/demo/cmd/demogguf -run /tmp/demo-run1 -vocab amulet/demo/testdata/vocab.json -out amulet/demo
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/gguf"
)

func main() {
	run := flag.String("run", "", "training output directory (config.json, weights/*.npy)")
	vocabPath := flag.String("vocab", "", "vocab.json written by demodata")
	out := flag.String("out", ".", "directory for demo-f32.gguf and demo-q8_0.gguf")
	flag.Parse()
	if err := convert(*run, *vocabPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "demogguf:", err)
		os.Exit(1)
	}
}

func convert(run, vocabPath, out string) error {
	var cfg struct {
		Dim, Layers, Heads, FFN, Seq int
		KVHeads                      int `json:"kv_heads"`
	}
	b, err := os.ReadFile(filepath.Join(run, "config.json"))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		return fmt.Errorf("config.json: %w", err)
	}
	b, err = os.ReadFile(vocabPath)
	if err != nil {
		return err
	}
	var vj struct {
		Tokens []string
		Scores []float32
		Types  []int32
	}
	if err := json.Unmarshal(b, &vj); err != nil {
		return fmt.Errorf("%s: %w", vocabPath, err)
	}
	v, err := demo.NewVocab(vj.Tokens, vj.Scores, vj.Types)
	if err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(run, "weights", "*.npy"))
	if err != nil {
		return err
	}
	weights := map[string]demo.Tensor{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		t, err := demo.ParseNPY(f, b)
		if err != nil {
			return err
		}
		weights[strings.TrimSuffix(filepath.Base(f), ".npy")] = t
	}
	c := demo.Config{Hidden: cfg.Dim, Layers: cfg.Layers, Heads: cfg.Heads, KVHeads: cfg.KVHeads, FFN: cfg.FFN,
		ContextLength: 256, RopeBase: 10000, NormEps: 1e-5}
	for _, x := range []struct {
		name string
		t    gguf.Type
	}{{"demo-f32.gguf", gguf.TypeF32}, {"demo-q8_0.gguf", gguf.TypeQ8_0}} {
		data, err := demo.BuildGGUF(weights, v, c, x.t)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, x.name), data, 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes\n", x.name, len(data))
	}
	return nil
}
