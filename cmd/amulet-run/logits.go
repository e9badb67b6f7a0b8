package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

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
	Pos int         `json:"pos"`
	Top []logitsTop `json:"top"`
}

type logitsTop struct {
	ID      int32   `json:"id"`
	Logprob float64 `json:"logprob"`
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
	asJSON := fs.Bool("json", false, `print JSON {"tokens":[...],"positions":[{"pos":0,"top":[{"id":..,"logprob":..}]}]}`)
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run logits -m FILE (-p TEXT | --tokens IDS) [--top K] [-t THREADS] [--json]")
		fmt.Fprintln(s.err, "Prints, for every prompt position, the top-K next tokens and their log-probabilities.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if *path == "" || (*prompt == "") == (*ids == "") || fs.NArg() != 0 || *top < 1 {
		fs.Usage()
		return errUsage
	}

	f, err := gguf.Open(*path)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := model.Load(f)
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
	out := logitsOutput{Tokens: tokens}
	var idx []int32
	for i := range n {
		lg := s.Logits(i)
		mx := math.Inf(-1)
		for _, v := range lg {
			mx = math.Max(mx, float64(v))
		}
		sum := 0.0
		for _, v := range lg {
			sum += math.Exp(float64(v) - mx)
		}
		lse := mx + math.Log(sum)
		idx = idx[:0]
		for id := range lg {
			idx = append(idx, int32(id))
		}
		// Sorted by logit, ties by id, like llama-ref.
		sort.Slice(idx, func(a, b int) bool {
			if lg[idx[a]] != lg[idx[b]] {
				return lg[idx[a]] > lg[idx[b]]
			}
			return idx[a] < idx[b]
		})
		e := logitsEntry{Pos: i}
		for _, id := range idx[:min(k, len(idx))] {
			e.Top = append(e.Top, logitsTop{ID: id, Logprob: float64(lg[id]) - lse})
		}
		out.Positions = append(out.Positions, e)
	}
	return out, nil
}
