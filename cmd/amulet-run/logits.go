package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/amulet-llm/amulet/amulet/sample"
	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
	"github.com/amulet-llm/amulet/tokenizer"
)

// logitsOutput is the JSON printed by `logits --json`.
type logitsOutput struct {
	Tokens    []int32       `json:"tokens"`
	Positions []logitsEntry `json:"positions"`
}

type logitsEntry struct {
	Pos int              `json:"pos"`
	Top []sample.Logprob `json:"top"` // {"id":..,"logprob":..}, best first
}

// runLogits prints the top-K next tokens with their log-probabilities at every prompt position.
func runLogits(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("logits", flag.ContinueOnError)
	fs.SetOutput(s.err)
	path := fs.String("m", "", "GGUF model `file` (required)")
	prompt := fs.String("p", "", "prompt `text` (BOS added as the model's metadata says)")
	ids := fs.String("tokens", "", "comma-separated token `ids` instead of -p (no BOS added)")
	top := fs.Int("top", 10, "entries per position")
	threads := fs.Int("t", 0, "`threads` (0: all CPUs)")
	noRepack := fs.Bool("no-repack", false, "keep the weights in the file's layout (no repacking at load)")
	asJSON := fs.Bool("json", false, `print JSON {"tokens":[...],"positions":[{"pos":0,"top":[{"id":..,"logprob":..}]}]}`)
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run logits -m FILE (-p TEXT | --tokens IDS) [--top K] [-t THREADS] [--json]")
		fmt.Fprintln(s.err, "Prints, for every prompt position, the top-K next tokens and their log-probabilities.")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if *path == "" || (*prompt == "") == (*ids == "") || fs.NArg() != 0 {
		fs.Usage()
		return errUsage
	}
	if *top < 1 {
		return fmt.Errorf("--top %d: want >= 1", *top)
	}

	f, err := gguf.Open(*path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := model.LoadWith(f, model.LoadOptions{NoRepack: *noRepack})
	if err != nil {
		return err
	}
	var tokens []int32
	if *ids != "" {
		if tokens, err = parseTokenIDs(*ids); err != nil {
			return err
		}
	} else {
		tok, err := tokenizer.FromGGUF(f)
		if err != nil {
			return err
		}
		tokens = tok.Encode(*prompt, true, false)
	}
	if len(tokens) == 0 {
		return fmt.Errorf("the prompt has no tokens")
	}
	sess, err := m.NewSession(model.SessionOptions{Threads: *threads, ContextLength: len(tokens)})
	if err != nil {
		return err
	}
	defer sess.Close()
	out, err := topLogprobs(ctx, sess, tokens, *top)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(s.out)
		return enc.Encode(out)
	}
	for _, p := range out.Positions {
		fmt.Fprintf(s.out, "pos %d (input %d):", p.Pos, tokens[p.Pos])
		for _, e := range p.Top {
			fmt.Fprintf(s.out, " %d:%.4f", e.ID, e.Logprob)
		}
		fmt.Fprintln(s.out)
	}
	return nil
}

// parseTokenIDs parses "1,2,3".
func parseTokenIDs(s string) ([]int32, error) {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseInt(strings.TrimSpace(f), 10, 32)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("--tokens: %q is not a token id", f)
		}
		out = append(out, int32(v))
	}
	return out, nil
}

// topLogprobs runs the prompt as one batch and returns the k most likely next tokens at every
// position, with log-probabilities computed in float64 (log-softmax over the whole vocabulary).
func topLogprobs(ctx context.Context, s *model.Session, tokens []int32, k int) (logitsOutput, error) {
	n := len(tokens)
	b := model.Batch{Tokens: tokens, Positions: make([]int32, n), Seqs: make([]int32, n)}
	for i := range n {
		b.Positions[i] = int32(i)
	}
	if err := s.Forward(ctx, b); err != nil {
		return logitsOutput{}, err
	}
	lp, err := sample.New(s.Model().Config.Vocab, sample.Params{}, 0)
	if err != nil {
		return logitsOutput{}, err
	}
	out := logitsOutput{Tokens: tokens}
	for i := range n {
		// Best first, ties by lower id, like llama-ref.
		_, top := lp.TopLogprobs(s.Logits(i), -1, k)
		out.Positions = append(out.Positions, logitsEntry{Pos: i, Top: slices.Clone(top)})
	}
	return out, nil
}
