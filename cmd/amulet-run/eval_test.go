package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/gguf"
)

// A small eval on the embedded demo model reproduces the paper's ordering: realignment
// (amulet) follows the stated preference more often than plain preference prompting (pref),
// which follows it more often than the base context.
func TestEvalDemoOrdering(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	args := []string{"-n", "20", "--seed", "3", "--methods", "base,pref,amulet", "--out", dir, "-q", "--llgain=false"}
	if err := runEval(context.Background(), args, streams{nil, &out, &errOut}); err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut.String())
	}
	var sum evalSummary
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	adh := map[string]float64{}
	for _, m := range sum.Means {
		if m.Adherence == nil || m.WellFormed == nil {
			t.Fatalf("method %s: no adherence / well-formed rate in summary.json", m.Method)
		}
		adh[m.Method] = *m.Adherence
		t.Logf("%s: adherence %.3f, well-formed %.3f, %.1f tokens", m.Method, *m.Adherence, *m.WellFormed, m.MeanTokens)
	}
	am := adh["amulet k=1.5"] // the embedded model's grounded default strength, demo.RecommendedK
	if !(am > adh["pref"] && adh["pref"] > adh["base"]) {
		t.Errorf("adherence amulet %.3f, pref %.3f, base %.3f: want amulet > pref > base", am, adh["pref"], adh["base"])
	}
	if len(sum.Cells) != 3*6 {
		t.Errorf("%d cells, want 18", len(sum.Cells))
	}
	f, err := os.Open(filepath.Join(dir, "answers.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for sc := bufio.NewScanner(f); sc.Scan(); n++ {
		var r evalRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("answers.jsonl line %d: %v", n+1, err)
		}
		if r.Prompt == "" || r.Preference == "" || r.Method == "" || r.Adherent == nil {
			t.Fatalf("answers.jsonl line %d lacks fields: %+v", n+1, r)
		}
	}
	if n != 20*6*3 {
		t.Errorf("answers.jsonl has %d lines, want %d", n, 20*6*3)
	}
	for _, name := range []string{"summary.md", "adherence.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", name, err, len(b))
		}
	}
	if !strings.Contains(out.String(), "| amulet k=1.5 |") {
		t.Errorf("stdout lacks the Markdown table:\n%s", out.String())
	}
}

func TestEvalPromptsFileAndErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "p.jsonl")
	if err := os.WriteFile(p, []byte(`{"id":"a","prompt":"How do I cook rice?"}`+"\n\n"+`{"prompt":"Any tips to clean the oven?"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	args := []string{"--prompts", p, "--preferences", "concise,detailed", "--methods", "pref", "--sweep-k", "0,2", "-q"}
	if err := runEval(context.Background(), args, streams{nil, &out, &errOut}); err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "2 prompts x 2 preferences x 3 methods") || !strings.Contains(out.String(), "| amulet k=2 |") {
		t.Errorf("unexpected summary:\n%s", out.String())
	}
	for _, bad := range [][]string{
		{"--methods", "nope"},
		{"--preferences", "creative"},
		{"--sweep-k", "x"},
		{"--prompts", filepath.Join(dir, "missing.jsonl")},
		{"-n", "-1"},
	} {
		if err := runEval(context.Background(), append(bad, "-q"), streams{nil, &out, &errOut}); err == nil {
			t.Errorf("eval %v: no error", bad)
		}
	}
}

// A chat model without the exact classifier: eval reports length, lexicon rate and the
// log-likelihood gain, and says so. The model is the demo model renamed, so it is not
// recognised as the demo.
func TestEvalOtherModel(t *testing.T) {
	src, err := demo.File()
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	w := gguf.NewWriter()
	for _, kv := range src.Metadata {
		if kv.Key == "general.name" {
			continue
		}
		w.Add(kv.Key, kv.Value)
	}
	w.AddString("general.name", "not-the-demo")
	for i := range src.Tensors {
		ti := &src.Tensors[i]
		data, err := src.TensorData(ti)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, data); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "other.gguf")
	if err := w.WriteFile(modelPath); err != nil {
		t.Fatal(err)
	}
	prompts := filepath.Join(dir, "p.jsonl")
	if err := os.WriteFile(prompts, []byte(`{"prompt":"How do I cook rice?"}`+"\n"+`{"prompt":"Any tips to clean the oven?"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	// Without --preferences there is nothing to measure on a model other than the demo.
	if err := runEval(context.Background(), []string{"-m", modelPath, "--prompts", prompts, "-q"}, streams{nil, &out, &errOut}); err == nil {
		t.Error("no error without --preferences")
	}
	pref := demo.PreferenceSentence(demo.Uplifting)
	args := []string{"-m", modelPath, "--prompts", prompts, "--preferences", "uplifting," + pref,
		"--methods", "base,pref,amulet", "--k", "1.5", "--out", dir, "-q"}
	if err := runEval(context.Background(), args, streams{nil, &out, &errOut}); err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum evalSummary
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Exact {
		t.Error("a renamed model was treated as the demo model")
	}
	for _, c := range sum.Means {
		if c.Adherence != nil || c.WellFormed != nil {
			t.Errorf("%s: adherence reported without an exact classifier", c.Method)
		}
		if c.LLGain == nil || c.LexiconRate == nil {
			t.Errorf("%s: no log-likelihood gain or lexicon rate", c.Method)
		}
	}
	// The full uplifting sentence is what the model was trained on: its answers under amulet
	// are more likely after the preference context than after the base one.
	for _, c := range sum.Cells {
		if c.Preference == pref && c.Method == "amulet k=1.5" && (c.LLGain == nil || *c.LLGain <= 0) {
			t.Errorf("amulet answers for %q: log-likelihood gain %v, want > 0", pref, c.LLGain)
		}
	}
	if !strings.Contains(out.String(), "Lexicon rate") || !strings.Contains(out.String(), "Log-likelihood gain") {
		t.Errorf("summary lacks the measures that apply:\n%s", out.String())
	}
}
