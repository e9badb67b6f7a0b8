package demo

import (
	"context"
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/tokenizer"
)

func TestEmbeddedModelLoads(t *testing.T) {
	f, err := File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !IsDemo(f) {
		t.Error("embedded model is not marked as the demo model")
	}
	eng, err := Open(amulet.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	c := eng.Model().Config
	if c.Arch != "llama" || c.Hidden != 128 || c.Layers != 4 || c.Heads != 4 || c.KVHeads != 2 || c.Vocab != 1024 {
		t.Errorf("config %+v", c)
	}
	if eng.Template() == nil || eng.Template().Name != "chatml" {
		t.Errorf("chat template %+v, want chatml", eng.Template())
	}
	if tok := eng.Tokenizer(); tok.EOS() != ImEndID || !tok.IsEOG(ImEndID) || tok.BOS() != BOSID {
		t.Errorf("bos %d eos %d", tok.BOS(), tok.EOS())
	}
}

// The project's tokenizer reads the embedded vocabulary and tokenizes like llama.cpp
// (testdata/llama-tokenize.json, see TestEncodeMatchesLlamaCpp).
func TestTokenizerPackageMatchesLlamaCpp(t *testing.T) {
	f, err := File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	var strs []string
	var ref struct{ IDs [][]int32 }
	for name, v := range map[string]any{"testdata/tokenize-strings.json": &strs, "testdata/llama-tokenize.json": &ref} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, v); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range strs {
		if got := tok.Encode(s, true, true); !reflect.DeepEqual(got, ref.IDs[i]) {
			t.Errorf("string %d %q:\n got %v\nwant %v", i, s, got, ref.IDs[i])
		}
	}
}

// Same seed, same answer; greedy answers equal llama.cpp's greedy continuation of the same
// prompt (testdata/llama-greedy.json, made with llama-ref on demo-q8_0.gguf).
func TestDemoAnswers(t *testing.T) {
	eng, err := Open(amulet.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	ctx := context.Background()
	req := amulet.Request{
		Messages:    []amulet.Message{{Role: "user", Content: "How do I keep a fern alive?"}},
		System:      SystemPrompt(),
		Preferences: []amulet.Preference{{Text: PreferenceSentence(Uplifting)}},
		Method:      amulet.MethodAmulet,
		Seed:        7,
		MaxTokens:   96,
	}
	req.Sampling.Temperature = 0.8
	a, err := eng.Generate(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.Generate(ctx, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Text != b.Text || !reflect.DeepEqual(a.Tokens, b.Tokens) {
		t.Errorf("same seed, different answers:\n%q\n%q", a.Text, b.Text)
	}

	var cases []struct {
		Question, Preference string
		Tokens               []int32
	}
	data, err := os.ReadFile("testdata/llama-greedy.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		req := amulet.Request{
			Messages:    []amulet.Message{{Role: "user", Content: c.Question}},
			System:      SystemPrompt(),
			Preferences: []amulet.Preference{{Text: c.Preference}},
			Method:      amulet.MethodPref,
			MaxTokens:   96,
		}
		res, err := eng.Generate(ctx, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res.Tokens, c.Tokens) {
			t.Errorf("%q + %q:\n got %v\nwant %v (llama.cpp)", c.Question, c.Preference, res.Tokens, c.Tokens)
		}
	}
}
