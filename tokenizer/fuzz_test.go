package tokenizer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// roundTripVocabs are the vocabularies FuzzRoundTrip checks: every supported one with
// llama.cpp test vectors.
var roundTripVocabs = []string{"llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "qwen35", "mpt", "falcon",
	"starcoder", "refact", "command-r", "deepseek-llm", "deepseek-coder", "gemma-4"}

// FuzzRoundTrip checks that decoding the tokens of a valid UTF-8 text gives the text back, on
// every supported vocabulary: the pieces concatenate to the text exactly (after the one space
// SentencePiece puts in front), and Decode returns the text (with llama.cpp's clean-up of
// spaces before punctuation for the vocabularies that have it). Texts that contain a
// user-defined token's text are skipped: llama.cpp always matches those, puts SentencePiece's
// space in front of the text after them and strips whitespace around some (Phi-3). So is
// U+2581 for vocabularies that write spaces as U+2581: it decodes as a space. And a byte
// without a byte-level token (falcon has none for some control bytes) is dropped, as in llama.cpp.
func FuzzRoundTrip(f *testing.F) {
	dir := vocabDir(f)
	type vocab struct {
		name string
		tok  *Tokenizer
	}
	var vocabs []vocab
	for _, name := range roundTripVocabs {
		if _, err := os.Stat(filepath.Join(dir, "ggml-vocab-"+name+".gguf")); err == nil {
			vocabs = append(vocabs, vocab{name, loadVocab(f, name)})
		}
	}
	for _, s := range []string{"", " ", "Hello world", "  two  spaces ", "\n\n\tindent", "a , b ! c ? d 's 're",
		"🦙🚀 日本語 한국어", "e\u0301\u00a0x\u3000y", "I'm WE'RE 123456", "<s> </s> <|im_end|>", "\x00\x7f\u0085"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || len(s) > 4096 {
			t.Skip()
		}
		for _, v := range vocabs {
			if v.tok.containsUserDefined(s) || (v.tok.kind == kindSPM || v.tok.escapeSpaces) && strings.Contains(s, spaceMark) ||
				!v.tok.hasByteTokens(s) {
				continue
			}
			ids := v.tok.Encode(s, false, false)
			var raw strings.Builder
			for _, id := range ids {
				raw.WriteString(v.tok.Piece(id))
			}
			want := s
			if v.tok.kind == kindSPM && s != "" {
				want = " " + s
			}
			if raw.String() != want {
				t.Fatalf("%s: pieces of %q join to %q", v.name, s, raw.String())
			}
			want = s
			if v.tok.cleanSpaces {
				want = string(cleanSpaces([]byte(s)))
			}
			if got := v.tok.Decode(ids, false); got != want {
				t.Fatalf("%s: Decode(Encode(%q)) = %q, want %q", v.name, s, got, want)
			}
		}
	})
}

// hasByteTokens reports whether every byte of s has its byte-level BPE token (always true for
// other vocabularies).
func (t *Tokenizer) hasByteTokens(s string) bool {
	if t.bytes == nil {
		return true
	}
	for i := 0; i < len(s); i++ {
		if _, ok := t.ids[t.bytes.enc[s[i]]]; !ok {
			return false
		}
	}
	return true
}

// containsUserDefined reports whether s contains the text of a token that Encode matches even
// without parseSpecial.
func (t *Tokenizer) containsUserDefined(s string) bool {
	for _, f := range t.partition(s, false) {
		if f.tok >= 0 {
			return true
		}
	}
	return false
}
