package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model/synth"
)

// runSynth writes a random-weight GGUF model.
func runSynth(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(s.err)
	out := fs.String("o", "", "output GGUF `file` (required)")
	preset := fs.String("preset", "", "shape preset: "+strings.Join(synth.Presets(), ", "))
	typ := fs.String("type", "F32", "weight `type`: "+strings.Join(synth.Types(), ", "))
	vocab := fs.String("vocab-from", "", "GGUF `file` whose tokenizer.* metadata (and vocabulary size) is copied")
	seed := fs.Uint64("seed", 1, "random seed")
	threads := fs.Int("t", 0, "`threads` drawing and quantizing (0: all CPUs)")
	var sh synth.Shape
	fs.StringVar(&sh.Arch, "arch", "", "architecture: llama or qwen2")
	fs.IntVar(&sh.Hidden, "hidden", 0, "embedding length")
	fs.IntVar(&sh.Layers, "layers", 0, "transformer blocks")
	fs.IntVar(&sh.Heads, "heads", 0, "attention heads")
	fs.IntVar(&sh.KVHeads, "kv-heads", 0, "key/value heads")
	fs.IntVar(&sh.FFN, "ffn", 0, "feed-forward width")
	fs.IntVar(&sh.Vocab, "vocab", 0, "vocabulary size (without --vocab-from)")
	fs.IntVar(&sh.Context, "ctx", 0, "context length")
	ropeBase := fs.Float64("rope-base", 0, "rope.freq_base")
	eps := fs.Float64("eps", 0, "RMSNorm epsilon")
	tied := fs.Bool("tied", false, "tie the output head to token_embd")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run synth -o FILE [--preset NAME] [--type TYPE] [--vocab-from FILE] [--seed N] [shape flags]")
		fmt.Fprintln(s.err, "Writes a random-weight llama/qwen2 GGUF; shape flags override the preset's values.")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *out == "" || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	shape := synth.Shape{Arch: "llama", RopeBase: 10000, NormEps: 1e-5, Context: 2048}
	if *preset != "" {
		var err error
		if shape, err = synth.Preset(*preset); err != nil {
			return err
		}
	}
	// Flags given explicitly override the preset.
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "arch":
			shape.Arch = sh.Arch
		case "hidden":
			shape.Hidden = sh.Hidden
		case "layers":
			shape.Layers = sh.Layers
		case "heads":
			shape.Heads = sh.Heads
		case "kv-heads":
			shape.KVHeads = sh.KVHeads
		case "ffn":
			shape.FFN = sh.FFN
		case "vocab":
			shape.Vocab = sh.Vocab
		case "ctx":
			shape.Context = sh.Context
		case "rope-base":
			shape.RopeBase = *ropeBase
		case "eps":
			shape.NormEps = float32(*eps)
		case "tied":
			shape.TiedOutput = *tied
		}
	})
	if shape.KVHeads == 0 {
		shape.KVHeads = shape.Heads
	}
	opts := synth.Options{Shape: shape, Type: *typ, Seed: *seed, Threads: *threads}
	if *vocab != "" {
		vf, err := gguf.Open(*vocab)
		if err != nil {
			return err
		}
		defer vf.Close()
		opts.Vocab = vf
	}
	start := time.Now()
	if err := synth.WriteFile(ctx, *out, opts); err != nil {
		return err
	}
	fmt.Fprintf(s.err, "wrote %s (%s, %s) in %.1fs\n", *out, shape.Arch, strings.ToUpper(*typ), time.Since(start).Seconds())
	return nil
}
