package model

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/internal/sharedtest"
	"github.com/amulet-llm/amulet/tokenizer"
)

// Tolerances on |Δ log-prob| against llama.cpp (exact mode: no flash attention, F32 KV cache),
// over the reference's top-10 ids at every position of both prompts' runs (prompt + 63 greedy
// steps, teacher-forced with llama.cpp's tokens). The greedy tokens are compared up to the first
// step where llama.cpp's top-2 log-probs are closer than the tolerance.
//
// F32 must be within 1e-3 (the bar; measured 1.0e-5). For the other types the value is
// the measured maximum (model/README.md has the table) times about 1.5. Why they are larger:
// F16/BF16 weights take F16/BF16-rounded activations and the quantized types Q8_0/Q8_1/Q8_K
// quantized activations, exactly like ggml, but our float32 sums run in a different order than
// ggml's SIMD loops, so now and then a value lands on the other side of a rounding boundary and
// moves by one F16 ulp or one Q8 step. Such a flip in a key or value persists for every later
// position. Measured: scaling the norm weights by (1+1e-6) (float32 rounding noise) moves this
// engine's own log-probs by up to 7e-3 (synth256-f16) and 0.2 (synth256-q5_0), the same size
// as the differences to llama.cpp; at the positions before the first flip we agree to ~1e-6
// (see the median column of the table).
var logprobTolerance = map[string]float64{
	"stories260k-f32":  1e-3,
	"stories260k-f16":  1.5e-2,
	"stories260k-q8_0": 0.25,
	"stories260k-q4_0": 0.25,
	"synth256-f32":     1e-3,
	"synth256-f16":     7e-3,
	"synth256-bf16":    5e-2,
	"synth256-q8_0":    0.2,
	"synth256-q6_k":    0.1,
	"synth256-q5_k":    0.17,
	"synth256-q5_1":    0.19,
	"synth256-q5_0":    0.07,
	"synth256-q4_k":    0.13,
	"synth256-q4_1":    0.18,
	"synth256-q4_0":    0.2,
	"synth256-q3_k":    0.23,
	"synth256-q2_k":    0.08,
}

var prompts = []string{"once-upon-a-time", "lily-and-ben-went"}

// TestReferenceStories checks every stories260K file against llama.cpp: log-probs of the top-10
// at every position, and the 64 greedy tokens (up to the first near-tie for non-F32 files).
func TestReferenceStories(t *testing.T) {
	testReference(t, []string{"stories260k-f32", "stories260k-f16", "stories260k-q8_0", "stories260k-q4_0"})
}

// TestReferenceSynth256 checks every synth256 weight type against llama.cpp.
func TestReferenceSynth256(t *testing.T) {
	testReference(t, []string{"synth256-f32", "synth256-f16", "synth256-bf16", "synth256-q8_0",
		"synth256-q6_k", "synth256-q5_k", "synth256-q5_1", "synth256-q5_0", "synth256-q4_k",
		"synth256-q4_1", "synth256-q4_0", "synth256-q3_k", "synth256-q2_k"})
}

func testReference(t *testing.T, names []string) {
	shared := sharedtest.Dir(t)
	var table []string
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m := loadModel(t, filepath.Join(shared, "models", name+".gguf"))
			tol := logprobTolerance[name]
			for _, p := range prompts {
				var ref refRun
				readJSON(t, filepath.Join(shared, "reference", name+"__"+p+".json"), &ref)
				logits := teacherForced(t, m, &ref, gguf.TypeF32)
				c := compare(&ref, logits, tol)
				line := fmt.Sprintf("| %s | %s | %d | %d/%d | %.1e | %.1e | %d | %d/%d | %d |", name, p, c.positions,
					c.argmaxAgree, c.positions, c.maxLogprob, c.medianErr, c.over1e4, c.greedyAgree, len(ref.Greedy.Tokens), c.firstNearTie)
				table = append(table, line)
				if c.maxLogprob > tol {
					t.Errorf("%s %s: max |Δ log-prob| %.3g > tolerance %.3g", name, p, c.maxLogprob, tol)
				}
				if c.firstMiss >= 0 {
					t.Errorf("%s %s: greedy token %d differs from llama.cpp's (reference top-2 gap >= %.3g up to there)",
						name, p, c.firstMiss, tol)
				}
				if strings.HasSuffix(name, "-f32") && c.greedyAgree != len(ref.Greedy.Tokens) {
					t.Errorf("%s %s: %d of %d greedy tokens agree", name, p, c.greedyAgree, len(ref.Greedy.Tokens))
				}
			}
		})
	}
	t.Logf("\n| file | prompt | positions | argmax = llama.cpp | max abs Δ top-10 log-prob | median over positions | positions > 1e-4 | greedy tokens equal (checked) | first near-tie step |\n|---|---|---|---|---|---|---|---|---|\n%s",
		strings.Join(table, "\n"))
}

// TestReferenceFullLogits compares every logit of the F32 files' full-logits references.
func TestReferenceFullLogits(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, name := range []string{"stories260k-f32", "synth256-f32", "stories260k-f32-v1"} {
		t.Run(name, func(t *testing.T) {
			refName := strings.TrimSuffix(name, "-v1")
			m := loadModel(t, filepath.Join(shared, "models", name+".gguf"))
			var ref refRun
			readJSON(t, filepath.Join(shared, "reference", refName+"__once-upon-a-time.json"), &ref)
			var full refLogits
			readJSON(t, filepath.Join(shared, "reference", refName+"__once-upon-a-time.logits.json"), &full)
			logits := teacherForced(t, m, &ref, gguf.TypeF32)
			maxLogit, maxLogprob := 0.0, 0.0
			for i, rp := range full.Positions {
				got := logits[i]
				if len(rp.Logits) != len(got) {
					t.Fatalf("position %d: %d reference logits, model has %d", i, len(rp.Logits), len(got))
				}
				lse := logSumExp(got)
				rl := make([]float32, len(rp.Logits))
				for j, v := range rp.Logits {
					rl[j] = float32(v)
				}
				rlse := logSumExp(rl)
				for j, v := range rp.Logits {
					maxLogit = math.Max(maxLogit, math.Abs(float64(got[j])-v))
					maxLogprob = math.Max(maxLogprob, math.Abs((float64(got[j])-lse)-(v-rlse)))
				}
			}
			t.Logf("%s: %d positions x %d logits: max |Δ logit| %.2e, max |Δ log-prob| %.2e",
				name, len(full.Positions), full.VocabSize, maxLogit, maxLogprob)
			if maxLogprob > 1e-3 {
				t.Errorf("max |Δ log-prob| %.3g > 1e-3", maxLogprob)
			}
		})
	}
}

// TestStoriesGreedyStory decodes "Once upon a time" freely (feeding our own argmax) from every
// stories260K file and checks the tokens against llama.cpp's greedy run of the same file, up to
// the first near-tie, and for the F32 files the known story text.
func TestStoriesGreedyStory(t *testing.T) {
	shared := sharedtest.Dir(t)
	for _, name := range []string{"stories260k-f32-v1", "stories260k-f32", "stories260k-f16", "stories260k-q8_0", "stories260k-q4_0"} {
		t.Run(name, func(t *testing.T) {
			refName := strings.TrimSuffix(name, "-v1")
			m := loadModel(t, filepath.Join(shared, "models", name+".gguf"))
			var ref refRun
			readJSON(t, filepath.Join(shared, "reference", refName+"__once-upon-a-time.json"), &ref)
			got := greedy(t, m, ref.PromptTokens, len(ref.Greedy.Tokens))
			tol := logprobTolerance[refName]
			steps := append([]refPos{ref.Positions[len(ref.Positions)-1]}, ref.Greedy.Steps...)
			for j, tok := range ref.Greedy.Tokens {
				if top := steps[j].Topk; top[0].Logprob-top[1].Logprob < tol {
					t.Logf("%s: stop comparing at step %d (llama.cpp's top-2 gap %.2g < %.2g)", name, j, top[0].Logprob-top[1].Logprob, tol)
					break
				}
				if got[j] != tok {
					t.Fatalf("%s: greedy token %d = %d, llama.cpp %d\n got  %v\n want %v", name, j, got[j], tok, got, ref.Greedy.Tokens)
				}
			}
			if strings.Contains(name, "f32") {
				// llama2.c's documented continuation, decoded from our own tokens.
				const story = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball."
				f, err := gguf.Open(filepath.Join(shared, "models", name+".gguf"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				tok, err := tokenizer.FromGGUF(f)
				if err != nil {
					t.Fatal(err)
				}
				text := tok.Decode(append(append([]int32(nil), ref.PromptTokens[1:]...), got...), true) // without BOS
				if !strings.HasPrefix(text, story) {
					t.Fatalf("greedy text %q does not start with the known story %q", text, story)
				}
			}
		})
	}
}
