package amulet

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/amulet/sample"
	"github.com/amulet-llm/amulet/internal/sharedtest"
)

func openStories(t testing.TB) *Engine {
	t.Helper()
	path := filepath.Join(sharedtest.Dir(t), "models", "stories260k-f32.gguf")
	e, err := Open(path, Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

type realignCase struct {
	Name   string `json:"name"`
	Method struct {
		K float64 `json:"k"`
	} `json:"method"`
	BasePrompt string  `json:"base_prompt"`
	PrefPrompt string  `json:"pref_prompt"`
	BaseTokens []int32 `json:"base_tokens"`
	PrefTokens []int32 `json:"pref_tokens"`
	N          int     `json:"n_requested"`
	Tokens     []int32 `json:"tokens"`
}

// Greedy realignment reproduces llama.cpp's float64 realigned decoding token for token.
func TestReferenceRealignedGreedy(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedtest.Dir(t), "reference", "amulet-stories260k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []realignCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) != 5 {
		t.Fatalf("%d cases, want 5", len(ref.Cases))
	}
	e := openStories(t)
	for _, c := range ref.Cases {
		t.Run(c.Name, func(t *testing.T) {
			if got := e.Tokenizer().Encode(c.BasePrompt, true, false); !slices.Equal(got, c.BaseTokens) {
				t.Fatalf("base tokens %v, want %v", got, c.BaseTokens)
			}
			if got := e.Tokenizer().Encode(c.PrefPrompt, true, false); !slices.Equal(got, c.PrefTokens) {
				t.Fatalf("pref tokens %v, want %v", got, c.PrefTokens)
			}
			req := Request{
				BaseContext: c.BasePrompt,
				Preferences: []Preference{{Context: c.PrefPrompt}},
				Method:      MethodAmulet,
				MaxTokens:   c.N,
			}
			if c.Method.K != Coefficient(2, 2, 10, 60) {
				k := c.Method.K
				req.Params.K = &k
			}
			for _, literal := range []bool{false, true} {
				if literal && req.Params.K != nil {
					continue // the literal loop derives k from the FTRL parameters
				}
				req.Params.Literal = literal
				res, err := e.Generate(context.Background(), req, nil)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(res.K-c.Method.K) > 1e-12 {
					t.Errorf("k = %v, want %v", res.K, c.Method.K)
				}
				if !slices.Equal(res.Tokens, c.Tokens) {
					t.Fatalf("literal=%v tokens\n%v\nwant\n%v", literal, res.Tokens, c.Tokens)
				}
			}
		})
	}
}

// On stories260K, a preference context that mentions a ball makes "ball" more frequent in
// sampled continuations: amulet more than pref, pref more than base.
func TestPreferenceOrderingBall(t *testing.T) {
	if testing.Short() {
		t.Skip("300 sampled generations")
	}
	e := openStories(t)
	base := "Once upon a time, there was a little girl named Lily."
	pref := base + " She had a big red ball."
	counts := map[Method][2]int{}
	for _, m := range []Method{MethodBase, MethodPref, MethodAmulet} {
		occ, samples := 0, 0
		for seed := range uint64(100) {
			req := Request{
				BaseContext: base, Preferences: []Preference{{Context: pref}}, Method: m,
				MaxTokens: 40, Seed: seed, Sampling: sample.Params{Temperature: 1},
			}
			res, err := e.Generate(context.Background(), req, nil)
			if err != nil {
				t.Fatal(err)
			}
			n := strings.Count(strings.ToLower(res.Text), "ball")
			occ += n
			if n > 0 {
				samples++
			}
		}
		counts[m] = [2]int{occ, samples}
	}
	t.Logf(`"ball" over 100 samples (occurrences, samples containing it): base %v, pref %v, amulet %v`,
		counts[MethodBase], counts[MethodPref], counts[MethodAmulet])
	if !(counts[MethodAmulet][0] > counts[MethodPref][0] && counts[MethodPref][0] > counts[MethodBase][0]) {
		t.Fatalf("occurrences not ordered amulet > pref > base: %v", counts)
	}
}

// Same seed, same request: byte-identical output, with sampling.
func TestDeterministicOnModel(t *testing.T) {
	e := openStories(t)
	req := Request{
		BaseContext: "Tom had a dog.", Preferences: []Preference{{Context: "Tom had a dog. The dog loved to sing."}},
		MaxTokens: 50, Seed: 7, Sampling: sample.Params{Temperature: 0.9, TopK: 40, TopP: 0.95, RepeatPenalty: 1.1},
		Logprobs: 3,
	}
	a, err := e.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text || !slices.Equal(a.Tokens, b.Tokens) {
		t.Fatalf("two runs differ:\n%q\n%q", a.Text, b.Text)
	}
}

// Generate is safe to call from several goroutines on one Engine (a server's case): each
// request gets its own session, and the results equal those of sequential calls.
func TestConcurrentGenerate(t *testing.T) {
	e := openStories(t)
	reqs := make([]Request, 4)
	want := make([]Result, len(reqs))
	for i := range reqs {
		reqs[i] = Request{
			BaseContext: "Lily saw a bird.", Preferences: []Preference{{Context: "Lily saw a bird. It was blue."}},
			MaxTokens: 30, Seed: uint64(i), Sampling: sample.Params{Temperature: 1},
		}
		var err error
		if want[i], err = e.Generate(context.Background(), reqs[i], nil); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]Result, len(reqs))
	errs := make(chan error, len(reqs))
	done := make(chan struct{})
	for i := range reqs {
		go func() {
			var err error
			got[i], err = e.Generate(context.Background(), reqs[i], nil)
			errs <- err
		}()
	}
	go func() {
		for range reqs {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		close(done)
	}()
	<-done
	for i := range reqs {
		if got[i].Text != want[i].Text {
			t.Errorf("request %d: concurrent %q, sequential %q", i, got[i].Text, want[i].Text)
		}
	}
}
