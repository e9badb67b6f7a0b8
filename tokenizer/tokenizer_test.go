package tokenizer

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// TestASCIIFlags checks the ASCII fast path against the generated table.
func TestASCIIFlags(t *testing.T) {
	for c := rune(0); c < 0x80; c++ {
		i := sort.Search(len(cptRangeStart), func(i int) bool { return cptRangeStart[i] > uint32(c) }) - 1
		want := uint16(cptRangeFlags[i])
		if isWhitespaceCpt(c) {
			want |= flagWhitespace
		}
		if got := asciiFlags(c); got != want {
			t.Errorf("asciiFlags(%#x) = %#x, table %#x", c, got, want)
		}
	}
}

// TestDecodeCpts checks the UTF-8 reading rules of llama.cpp's unicode_cpts_from_utf8.
func TestDecodeCpts(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []rune
	}{
		{"aé日🦙", []rune{'a', 'é', '日', '🦙'}},
		{"\xc0\x80", []rune{0}},                                      // overlong forms are not rejected
		{"\xed\xa0\x80", []rune{0xd800}},                             // nor surrogates
		{"\xff", []rune{0xfffd}},                                     // a byte that starts nothing
		{"\xe2\x82", []rune{0xfffd, 0xfffd}},                         // a cut sequence: one U+FFFD per byte
		{"\xc3(", []rune{0xfffd, '('}},                               // a lead byte without its continuation
		{"\xf7\xbf\xbf\xbf", []rune{0xfffd, 0xfffd, 0xfffd, 0xfffd}}, // above U+10FFFF
	} {
		if got := decodeCpts(nil, c.in); !slices.Equal(got, c.want) {
			t.Errorf("decodeCpts(%q) = %U, want %U", c.in, got, c.want)
		}
	}
}

// writeVocab builds an in-memory GGUF with the given tokenizer keys.
func writeVocab(t *testing.T, model, pre string) *gguf.File {
	t.Helper()
	w := gguf.NewWriter()
	w.AddString("tokenizer.ggml.model", model)
	if pre != "" {
		w.AddString("tokenizer.ggml.pre", pre)
	}
	w.AddStrings("tokenizer.ggml.tokens", []string{"a", "b", "ab"})
	w.AddStrings("tokenizer.ggml.merges", []string{"a b"})
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.FromBytes("test.gguf", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestUnsupportedNamed(t *testing.T) {
	for _, c := range []struct{ model, pre, name string }{
		{"bert", "", `"bert"`},
		{"t5", "", `"t5"`},
		{"gpt2", "tekken", `"tekken"`},
		{"gpt2", "no-such-pre", `"no-such-pre"`},
	} {
		_, err := FromGGUF(writeVocab(t, c.model, c.pre))
		if err == nil || !strings.Contains(err.Error(), c.name) {
			t.Errorf("model %q pre %q: error %v, want one naming %s", c.model, c.pre, err, c.name)
		}
	}
	if _, err := FromGGUF(writeVocab(t, "gpt2", "gpt-2")); err != nil {
		t.Errorf("tiny gpt-2 vocabulary: %v", err)
	}
}

// TestStreamDecoderUTF8 feeds the byte tokens of multi-byte characters one at a time.
func TestStreamDecoderUTF8(t *testing.T) {
	tok := loadVocab(t, "llama-spm")
	text := "x🦙é日 y"
	ids := tok.Encode(text, false, false)
	d := tok.NewStreamDecoder(true)
	var got strings.Builder
	for _, id := range ids {
		s := d.Add(id)
		if strings.ContainsRune(s, 0xfffd) {
			t.Fatalf("Add(%d) returned a broken sequence %q", id, s)
		}
		got.WriteString(s)
	}
	got.WriteString(d.Flush())
	if got.String() != text {
		t.Errorf("stream decode = %q, want %q", got.String(), text)
	}
}

// TestStreamDecoderCleanSpaces checks that a vocabulary with space clean-up streams the same
// text as Decode, token by token, on text full of the patterns the clean-up changes.
func TestStreamDecoderCleanSpaces(t *testing.T) {
	tok := loadVocab(t, "llama-bpe")
	if !tok.cleanSpaces {
		t.Fatal("llama-bpe should clean up spaces")
	}
	for _, text := range []string{
		"Hello , world ! It 's a ' quoted ' word . They 're here , aren 't they ? I 'm sure 've ' s",
		"1 2 3 , 4 ' 5 ' 6 's 7 're x ' y 'm z 've . ' ' ' , ,",
		"' 're 've ' s 'm 'd ' t ? ! . , 'll",
	} {
		ids := tok.Encode(text, false, false)
		want := tok.Decode(ids, false)
		d := tok.NewStreamDecoder(false)
		var got strings.Builder
		early := 0
		for _, id := range ids {
			s := d.Add(id)
			early += len(s)
			got.WriteString(s)
		}
		got.WriteString(d.Flush())
		if got.String() != want {
			t.Errorf("stream = %q\nDecode = %q", got.String(), want)
		}
		if early < len(want)/2 {
			t.Errorf("%q: only %d of %d bytes streamed before Flush", text, early, len(want))
		}
	}
}

// TestAccessors checks the metadata-derived token ids of known vocabularies.
func TestAccessors(t *testing.T) {
	spm := loadVocab(t, "llama-spm")
	if spm.BOS() != 1 || spm.EOS() != 2 || !spm.AddBOS() || spm.AddEOS() || spm.VocabSize() != 32000 {
		t.Errorf("llama-spm: bos %d eos %d addBOS %v addEOS %v size %d", spm.BOS(), spm.EOS(), spm.AddBOS(), spm.AddEOS(), spm.VocabSize())
	}
	if !spm.IsEOG(2) || spm.IsEOG(1) || spm.TokenText(1) != "<s>" || spm.Piece(1) != "<s>" {
		t.Error("llama-spm: wrong EOG or token text")
	}
	qwen := loadVocab(t, "qwen2")
	imEnd := qwen.ids["<|im_end|>"]
	if qwen.EOT() != imEnd || !qwen.IsEOG(imEnd) || !qwen.IsEOG(qwen.EOS()) || qwen.AddBOS() {
		t.Errorf("qwen2: eot %d (<|im_end|> is %d), addBOS %v", qwen.EOT(), imEnd, qwen.AddBOS())
	}
	l3 := loadVocab(t, "llama-bpe")
	if !l3.AddBOS() || l3.BOS() != 128000 || l3.EOT() != l3.ids["<|eot_id|>"] {
		t.Errorf("llama-bpe: addBOS %v bos %d eot %d", l3.AddBOS(), l3.BOS(), l3.EOT())
	}
	if got := l3.Encode("hi", true, false); !slices.Equal(got, []int32{128000, 6151}) {
		t.Errorf("llama-bpe Encode(hi, addSpecial) = %v", got)
	}
}

// TestEveryByte encodes each byte 0x80-0xFF alone (invalid UTF-8; the bytes below 0x80 are in
// the golden cases). SentencePiece falls back to the byte token (<0xXX> is id b+3 in
// llama-spm) after the prefix space; byte-level BPE reads the byte as U+FFFD, whose tokens the
// golden "invalid:" cases check against llama.cpp.
func TestEveryByte(t *testing.T) {
	spm := loadVocab(t, "llama-spm")
	bpe := loadVocab(t, "llama-bpe")
	replacement := bpe.Encode("\ufffd", false, false)
	for b := 0x80; b <= 0xff; b++ {
		s := string([]byte{byte(b)})
		if got, want := spm.Encode(s, false, false), []int32{29871, int32(b + 3)}; !slices.Equal(got, want) {
			t.Errorf("llama-spm Encode(%q) = %v, want %v", s, got, want)
		}
		if got := bpe.Encode(s, false, false); !slices.Equal(got, replacement) {
			t.Errorf("llama-bpe Encode(%q) = %v, want %v (U+FFFD)", s, got, replacement)
		}
	}
}

// TestStreamDecoderCleanSpacesRandom streams random sequences of the tokens that the space
// clean-up reacts to and compares with Decode of the whole sequence.
func TestStreamDecoderCleanSpacesRandom(t *testing.T) {
	tok := loadVocab(t, "llama-bpe")
	var alphabet []int32
	for _, s := range []string{" ", "'", "s", "re", "ve", "m", "t", "ll", "d", ",", ".", "?", "!", "x", " '", " ,", "Ġ'", "é"} {
		alphabet = append(alphabet, tok.Encode(s, false, false)...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		ids := make([]int32, 1+r.IntN(12))
		for i := range ids {
			ids[i] = alphabet[r.IntN(len(alphabet))]
		}
		d := tok.NewStreamDecoder(false)
		var got strings.Builder
		for _, id := range ids {
			got.WriteString(d.Add(id))
		}
		got.WriteString(d.Flush())
		if want := tok.Decode(ids, false); got.String() != want {
			t.Fatalf("ids %v: stream %q, Decode %q", ids, got.String(), want)
		}
	}
}

// TestConcurrentUse encodes and decodes from several goroutines at once (run with -race).
func TestConcurrentUse(t *testing.T) {
	tok := loadVocab(t, "qwen2")
	text := longText()[:20000]
	want := tok.Encode(text, false, false)
	done := make(chan []int32)
	for range 4 {
		go func() { done <- tok.Encode(text, false, false) }()
	}
	for range 4 {
		if got := <-done; !slices.Equal(got, want) {
			t.Fatal("concurrent Encode differs")
		}
	}
	if tok.Decode(want, false) != text {
		t.Fatal("Decode differs")
	}
}

// TestMetadataErrorsNameFileAndKey: a missing or mistyped tokenizer key is reported with the
// file's name and the key.
func TestMetadataErrorsNameFileAndKey(t *testing.T) {
	for _, c := range []struct {
		name string
		add  func(w *gguf.Writer)
		key  string
	}{
		{"no model", func(w *gguf.Writer) {}, "tokenizer.ggml.model"},
		{"gpt2 without merges", func(w *gguf.Writer) { w.AddString("tokenizer.ggml.model", "gpt2") }, "tokenizer.ggml.merges"},
		{"bos id not an integer", func(w *gguf.Writer) {
			w.AddString("tokenizer.ggml.model", "llama")
			w.AddString("tokenizer.ggml.bos_token_id", "1")
		}, "tokenizer.ggml.bos_token_id"},
	} {
		w := gguf.NewWriter()
		w.AddStrings("tokenizer.ggml.tokens", []string{"a", "b"})
		c.add(w)
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		f, err := gguf.FromBytes("vocab-test.gguf", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		_, err = FromGGUF(f)
		if err == nil || !strings.Contains(err.Error(), "vocab-test.gguf") || !strings.Contains(err.Error(), c.key) {
			t.Errorf("%s: error %v, want one naming vocab-test.gguf and %s", c.name, err, c.key)
		}
	}
}

// TestWideClass checks the table and binary-search lookup of a bracket expression against a
// plain scan of its ranges (overlapping and unordered, as deepseek's CJK class is), for every
// code point.
func TestWideClass(t *testing.T) {
	for _, class := range []string{deepseekLetters, deepseekPunct, deepseekCJK, "a-cb-eX\u00e0-\u00ff\u3000"} {
		ranges := parseClass(class)
		in := wideClass(ranges)
		for c := rune(0); c <= 0x10ffff+1; c++ {
			want := false
			if c < 0x80 || !isWhitespaceCpt(c) {
				for _, r := range ranges {
					want = want || c >= r[0] && c <= r[1]
				}
			}
			if got := in(c); got != want {
				t.Fatalf("class %.20q: %U: got %v, want %v", class, c, got, want)
			}
		}
	}
}
