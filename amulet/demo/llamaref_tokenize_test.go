package demo

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"
)

// testVocab rebuilds the demo model's vocabulary the way cmd/demodata does.
func testVocab(t *testing.T) *Vocab {
	t.Helper()
	data, err := os.ReadFile("testdata/vocab.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Tokens []string
		Scores []float32
		Types  []int32
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	voc, err := NewVocab(v.Tokens, v.Scores, v.Types)
	if err != nil {
		t.Fatal(err)
	}
	return voc
}

// The encoder tokenizes like llama.cpp: testdata/llama-tokenize.json holds llama.cpp's ids
// (node llama-ref.mjs VOCAB.gguf --tokenize-json strings.json --special) for the strings in
// testdata/tokenize-strings.json, made with the vocabulary in testdata/vocab.json.
func TestEncodeMatchesLlamaCpp(t *testing.T) {
	var strs []string
	data, err := os.ReadFile("testdata/tokenize-strings.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &strs); err != nil {
		t.Fatal(err)
	}
	var ref struct{ IDs [][]int32 }
	data, err = os.ReadFile("testdata/llama-tokenize.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.IDs) != len(strs) {
		t.Fatalf("%d reference rows for %d strings", len(ref.IDs), len(strs))
	}
	enc := NewEncoder(testVocab(t))
	for i, s := range strs {
		if got := enc.Encode(s, true); !reflect.DeepEqual(got, ref.IDs[i]) {
			t.Errorf("string %d %q:\n got %v\nwant %v", i, s, got, ref.IDs[i])
		}
	}
}
