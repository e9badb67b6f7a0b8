package model

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"sort"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// refTop is one entry of a reference top-k list.
type refTop struct {
	ID      int32   `json:"id"`
	Logit   float64 `json:"logit"`
	Logprob float64 `json:"logprob"`
}

// refPos is llama.cpp's next-token distribution at one position.
type refPos struct {
	Pos        int      `json:"pos"`
	InputToken int32    `json:"input_token"`
	GreedyNext int32    `json:"greedy_next"`
	Logsumexp  float64  `json:"logsumexp"`
	Topk       []refTop `json:"topk"`
}

// refRun is a reference/<model>__<prompt>.json file.
type refRun struct {
	Prompt       string   `json:"prompt"`
	PromptTokens []int32  `json:"prompt_tokens"`
	Positions    []refPos `json:"positions"`
	Greedy       struct {
		Tokens []int32  `json:"tokens"`
		Text   string   `json:"text"`
		Steps  []refPos `json:"steps"`
	} `json:"greedy"`
}

// refLogits is a reference/*.logits.json file.
type refLogits struct {
	VocabSize int `json:"vocab_size"`
	Positions []struct {
		Pos        int       `json:"pos"`
		InputToken int32     `json:"input_token"`
		Logits     []float64 `json:"logits"`
	} `json:"positions"`
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// loadModel opens and loads a GGUF file, closing it at the end of the test.
func loadModel(t testing.TB, path string) *Model {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	m, err := Load(f)
	if errors.Is(err, errUnsupportedType) {
		t.Skipf("%s: %v (kernels may add weight types one by one)", path, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// greedy decodes n tokens after prompt, feeding back its own argmax (EOS included).
func greedy(t testing.TB, m *Model, prompt []int32, n int) []int32 {
	t.Helper()
	s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: len(prompt) + n})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	b := Batch{Tokens: prompt, Positions: make([]int32, len(prompt)), Seqs: make([]int32, len(prompt)),
		Logits: make([]bool, len(prompt))}
	for i := range prompt {
		b.Positions[i] = int32(i)
	}
	b.Logits[len(prompt)-1] = true
	if err := s.Forward(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	out := []int32{argmax(s.Logits(len(prompt) - 1))}
	for len(out) < n {
		pos := int32(len(prompt) + len(out) - 1)
		if err := s.Forward(context.Background(), Batch{Tokens: out[len(out)-1:], Positions: []int32{pos}, Seqs: []int32{0}}); err != nil {
			t.Fatal(err)
		}
		out = append(out, argmax(s.Logits(0)))
	}
	return out
}

// logSumExp is computed in float64, as the reference files do.
func logSumExp(logits []float32) float64 {
	mx := math.Inf(-1)
	for _, v := range logits {
		mx = math.Max(mx, float64(v))
	}
	s := 0.0
	for _, v := range logits {
		s += math.Exp(float64(v) - mx)
	}
	return mx + math.Log(s)
}

// argmax returns the first index of the largest value (llama.cpp's greedy tie-break).
func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

// teacherForced runs the reference's token sequence through a fresh session exactly as
// llama-ref did: the prompt as one batch with logits at every position, then each greedy token
// alone. It returns the logits at every position, in the order of positions + greedy.steps
// (plus the last greedy token's own position, which the reference does not have).
func teacherForced(t testing.TB, m *Model, ref *refRun, kv gguf.Type) [][]float32 {
	t.Helper()
	s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 256, KVType: kv})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	np := len(ref.PromptTokens)
	b := Batch{Tokens: ref.PromptTokens, Positions: make([]int32, np), Seqs: make([]int32, np)}
	for i := range np {
		b.Positions[i] = int32(i)
	}
	if err := s.Forward(ctx, b); err != nil {
		t.Fatal(err)
	}
	var out [][]float32
	for i := range np {
		out = append(out, append([]float32(nil), s.Logits(i)...))
	}
	for j, tok := range ref.Greedy.Tokens[:len(ref.Greedy.Tokens)-1] {
		err := s.Forward(ctx, Batch{Tokens: []int32{tok}, Positions: []int32{int32(np + j)}, Seqs: []int32{0}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]float32(nil), s.Logits(0)...))
	}
	return out
}

// comparison summarizes one model run against a reference file.
type comparison struct {
	positions    int     // positions compared
	maxLogprob   float64 // max |Δ log-prob| over the reference's top-k ids at every position
	argmaxAgree  int     // positions where our argmax is llama.cpp's greedy_next
	greedyAgree  int     // greedy steps (from the last prompt position) agreeing before the first near-tie or miss
	greedyTotal  int     // greedy steps checked
	firstNearTie int     // index (in greedy steps) of the first step whose reference top-2 gap < tie, or -1
	firstMiss    int     // index of the first greedy step whose argmax differs, or -1
	medianErr    float64 // median over positions of the per-position max |Δ log-prob|
	over1e4      int     // positions whose max |Δ log-prob| exceeds 1e-4
}

// compare measures our logits (from teacherForced) against the reference. tie is the log-prob
// gap under which a reference top-2 is treated as a near-tie.
func compare(ref *refRun, logits [][]float32, tie float64) comparison {
	all := append(append([]refPos(nil), ref.Positions...), ref.Greedy.Steps...)
	c := comparison{firstNearTie: -1, firstMiss: -1}
	np := len(ref.Positions)
	var perPos []float64
	for i, rp := range all {
		lg := logits[i]
		lse := logSumExp(lg)
		worst := 0.0
		for _, e := range rp.Topk {
			worst = math.Max(worst, math.Abs(float64(lg[e.ID])-lse-e.Logprob))
		}
		c.maxLogprob = math.Max(c.maxLogprob, worst)
		perPos = append(perPos, worst)
		if worst > 1e-4 {
			c.over1e4++
		}
		c.positions++
		am := argmax(lg)
		if am == rp.GreedyNext {
			c.argmaxAgree++
		}
		if i < np-1 {
			continue
		}
		step := i - (np - 1) // greedy step: predicts Greedy.Tokens[step]
		if c.firstNearTie < 0 && len(rp.Topk) > 1 && rp.Topk[0].Logprob-rp.Topk[1].Logprob < tie {
			c.firstNearTie = step
		}
		if c.firstNearTie >= 0 || c.firstMiss >= 0 {
			continue
		}
		c.greedyTotal++
		if am == ref.Greedy.Tokens[step] {
			c.greedyAgree++
		} else {
			c.firstMiss = step
		}
	}
	sort.Float64s(perPos)
	c.medianErr = perPos[len(perPos)/2]
	return c
}
