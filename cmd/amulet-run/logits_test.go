package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// TestLogitsJSON: `logits -p "Once upon a time" --json` on stories260k-f32 gives llama.cpp's
// prompt tokens and top-10 log-probs (reference/stories260k-f32__once-upon-a-time.json).
func TestLogitsJSON(t *testing.T) {
	shared := sharedtest.Dir(t)
	var ref struct {
		PromptTokens []int32 `json:"prompt_tokens"`
		Positions    []struct {
			Topk []struct {
				ID      int32   `json:"id"`
				Logprob float64 `json:"logprob"`
			} `json:"topk"`
		} `json:"positions"`
	}
	b, err := os.ReadFile(filepath.Join(shared, "reference", "stories260k-f32__once-upon-a-time.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	for _, args := range [][]string{
		{"-m", model, "-p", "Once upon a time", "--top", "10", "-t", "1", "--json"},
		{"-m", model, "--tokens", "1,403,407,261,378", "--json"},
	} {
		var out, errb bytes.Buffer
		if err := runLogits(context.Background(), args, streams{out: &out, err: &errb}); err != nil {
			t.Fatalf("%v: %v %s", args, err, errb.String())
		}
		var got logitsOutput
		if err := json.Unmarshal(out.Bytes(), &got); err != nil {
			t.Fatalf("output is not JSON: %v\n%s", err, out.String())
		}
		if len(got.Tokens) != len(ref.PromptTokens) {
			t.Fatalf("tokens %v, want %v", got.Tokens, ref.PromptTokens)
		}
		for i := range got.Tokens {
			if got.Tokens[i] != ref.PromptTokens[i] {
				t.Fatalf("tokens %v, want %v", got.Tokens, ref.PromptTokens)
			}
		}
		for i, p := range got.Positions {
			if p.Pos != i || len(p.Top) != 10 {
				t.Fatalf("position %d: %+v", i, p)
			}
			for j, e := range p.Top {
				r := ref.Positions[i].Topk[j]
				if e.ID != r.ID || math.Abs(e.Logprob-r.Logprob) > 1e-3 {
					t.Errorf("pos %d rank %d: got %d %.6f, llama.cpp %d %.6f", i, j, e.ID, e.Logprob, r.ID, r.Logprob)
				}
			}
		}
	}
}

func TestLogitsUsage(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{{}, {"-m", "x.gguf"}, {"-m", "x.gguf", "-p", "a", "--tokens", "1"}} {
		if err := runLogits(context.Background(), args, streams{out: &out, err: &errb}); err != errUsage {
			t.Errorf("%v: error %v, want usage", args, err)
		}
	}
}

// A bad --top is an error naming the flag (checked before the model is opened).
func TestLogitsBadTop(t *testing.T) {
	var out, errb bytes.Buffer
	err := runLogits(context.Background(), []string{"-m", "x.gguf", "-p", "a", "--top", "0"}, streams{out: &out, err: &errb})
	if err == nil || !strings.Contains(err.Error(), "--top 0") {
		t.Fatalf("error %v, want one naming --top 0", err)
	}
}
