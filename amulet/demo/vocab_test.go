package demo

import (
	"reflect"
	"strings"
	"testing"
)

// testdata/vocab.json (the demo model's vocabulary) is what TrainVocab makes from the
// generator's first 20,000 conversations with seed 1, as cmd/demodata does.
func TestTrainVocabReproducesCommittedVocab(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a vocabulary (about a second)")
	}
	g := NewGenerator(1)
	texts := make([]string, 20000)
	for i := range texts {
		s := g.Next()
		texts[i] = RenderChatML(s.SystemPrompt(), s.Text, s.Answer)
	}
	v := TrainVocab(texts, 1024)
	want := testVocab(t)
	if !reflect.DeepEqual(v.Tokens, want.Tokens) || !reflect.DeepEqual(v.Scores, want.Scores) || !reflect.DeepEqual(v.Types, want.Types) {
		t.Fatal("TrainVocab does not reproduce testdata/vocab.json")
	}
}

// Tokenizing word by word (what Encoder does, with a cache) equals running SentencePiece's
// merge over each whole fragment, because no vocabulary token spans a word boundary.
func TestEncoderWordSplitIsExact(t *testing.T) {
	v := testVocab(t)
	for i, tok := range v.Tokens {
		if v.Types[i] == TokenNormal && (strings.Contains(tok[1:], spaceMark) || strings.Contains(tok, "\n")) {
			t.Fatalf("token %d %q spans a word boundary", i, tok)
		}
	}
	enc := NewEncoder(v)
	g := NewGenerator(5)
	for i := 0; i < 200; i++ {
		s := g.Next()
		text := RenderChatML(s.SystemPrompt(), s.Text, s.Answer)
		want := []int32{BOSID}
		for _, f := range v.fragments(text) {
			if f.id >= 0 {
				want = append(want, f.id)
				continue
			}
			want = append(want, v.spm(strings.ReplaceAll(" "+f.text, " ", spaceMark))...)
		}
		if got := enc.Encode(text, true); !reflect.DeepEqual(got, want) {
			t.Fatalf("sample %d:\n got %v\nwant %v", i, got, want)
		}
		if dec := v.Decode(enc.Encode(s.Answer, false)); dec != s.Answer {
			t.Fatalf("sample %d: Decode(Encode(answer)) = %q, want %q", i, dec, s.Answer)
		}
	}
}

func TestNewVocabRejectsMismatchedLengths(t *testing.T) {
	if _, err := NewVocab([]string{"a", "b"}, []float32{0}, []int32{1, 1}); err == nil {
		t.Error("no error")
	}
}
