package tokenizer

import (
	"slices"
	"testing"
)

// FuzzSPMCuts checks that cutting a SentencePiece text where no token joins two characters
// gives the same tokens as merging the whole text at once, as llama.cpp does.
func FuzzSPMCuts(f *testing.F) {
	var toks []*Tokenizer
	for _, name := range []string{"llama-spm", "phi-3"} {
		toks = append(toks, loadVocab(f, name))
	}
	for _, s := range []string{"Hello world", "▁▁  x", "\xff\xfe abc", "日本語 の テキスト", longText()[:5000],
		"    def f():\n\treturn 1\n", "a\u0301\u00a0b\u3000c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 8192 {
			t.Skip()
		}
		for _, tok := range toks {
			text := appendEscaped([]byte(spaceMark), s)
			var e encoder
			got := e.spm(tok, text, nil)
			want := e.spmPiece(tok, text, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("%q: cut %v, whole %v", s, got, want)
			}
		}
	})
}
