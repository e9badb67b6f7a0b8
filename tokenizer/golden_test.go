package tokenizer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// golden is a file written by testdata/make-golden.py from llama.cpp's output (llama-ref).
type golden struct {
	Vocab      string      `json:"vocab"`
	Cases      [][2]string `json:"cases"` // name, text
	IDs        [][]int32   `json:"ids"`
	IDsSpecial [][]int32   `json:"ids_special"`
	Long       struct {
		Bytes  int    `json:"bytes"`
		Count  int    `json:"count"`
		SHA256 string `json:"sha256"`
	} `json:"long"`
	Detok []struct {
		Case    string  `json:"case"`
		IDs     []int32 `json:"ids"`
		Special bool    `json:"special"`
		Text    string  `json:"text"`
	} `json:"detok"`
}

func readGolden(t *testing.T, path string) *golden {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g golden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(g.IDs) != len(g.Cases) || len(g.IDsSpecial) != len(g.Cases) {
		t.Fatalf("%s: %d cases, %d and %d id lists", path, len(g.Cases), len(g.IDs), len(g.IDsSpecial))
	}
	return &g
}

// longText is the 1 MB English and code text of make-golden.py's long_text().
func longText() string {
	const para = "The quick brown fox jumps over the lazy dog; it's 42 degrees. " +
		"func main() { fmt.Println(\"héllo, 世界\") }\n\tif x := 3; x > 2 { return }\n"
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		fmt.Fprintf(&b, "%d. %s", i, para)
	}
	return b.String()
}

// caseInput returns the bytes to tokenize for a golden case: the text itself, or for an
// "invalid:" case the raw (invalid UTF-8) bytes its name spells, whose golden ids are those
// of the text as llama.cpp's BPE reads it (U+FFFD for each bad byte).
func caseInput(t *testing.T, name, text string) string {
	raw, ok := strings.CutPrefix(name, "invalid:")
	if !ok {
		return text
	}
	s, err := strconv.Unquote(`"` + raw + `"`)
	if err != nil {
		t.Fatalf("case %q: %v", name, err)
	}
	return s
}

// TestGolden compares Encode, Decode and the stream decoder with llama.cpp's output on this
// package's own cases: whitespace runs, every code point up to U+00FF, emoji, CJK, special-token
// text with and without parse_special, invalid UTF-8, and a 1 MB text.
func TestGolden(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if len(paths) == 0 {
		t.Fatal("no golden files in testdata/golden")
	}
	for _, p := range paths {
		if strings.HasPrefix(filepath.Base(p), "cli-") {
			continue // cmd/amulet-run's golden output
		}
		g := readGolden(t, p)
		t.Run(g.Vocab, func(t *testing.T) {
			tok := loadVocab(t, g.Vocab)
			for i, c := range g.Cases {
				name, text := c[0], c[1]
				if strings.HasPrefix(name, "invalid:") && tok.kind == kindSPM {
					continue // SentencePiece sees the raw bytes; see TestInvalidUTF8SPM
				}
				in := caseInput(t, name, text)
				if got := tok.Encode(in, false, false); !slices.Equal(got, g.IDs[i]) {
					t.Errorf("case %q: Encode(%q)\n got %v\nwant %v", name, in, got, g.IDs[i])
				}
				if got := tok.Encode(in, false, true); !slices.Equal(got, g.IDsSpecial[i]) {
					t.Errorf("case %q: Encode(%q, parseSpecial)\n got %v\nwant %v", name, in, got, g.IDsSpecial[i])
				}
			}
			if testing.Short() {
				return
			}
			long := longText()
			if len(long) != g.Long.Bytes {
				t.Fatalf("long text has %d bytes, golden %d", len(long), g.Long.Bytes)
			}
			ids := tok.Encode(long, false, false)
			if len(ids) != g.Long.Count || idsHash(ids) != g.Long.SHA256 {
				t.Errorf("1 MB text: %d tokens (hash %s), want %d (%s)", len(ids), idsHash(ids), g.Long.Count, g.Long.SHA256)
			}
			for _, d := range g.Detok {
				if got := tok.Decode(d.IDs, !d.Special); got != d.Text {
					t.Errorf("case %q: Decode(%v, skipSpecial=%v) = %q, want %q", d.Case, d.IDs, !d.Special, got, d.Text)
				}
				sd := tok.NewStreamDecoder(!d.Special)
				var b strings.Builder
				for _, id := range d.IDs {
					b.WriteString(sd.Add(id))
				}
				b.WriteString(sd.Flush())
				if b.String() != d.Text {
					t.Errorf("case %q: stream decode = %q, want %q", d.Case, b.String(), d.Text)
				}
			}
		})
	}
}

func idsHash(ids []int32) string {
	var b []byte
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(id), 10)
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// TestInvalidUTF8SPM checks SentencePiece on invalid UTF-8, where llama.cpp cuts symbols by the
// length a lead byte announces (without checking the continuation bytes) and falls back to
// byte tokens for whatever is not a token. In llama-spm the byte token of b is b+3.
func TestInvalidUTF8SPM(t *testing.T) {
	tok := loadVocab(t, "llama-spm")
	id := func(s string) int32 {
		v, ok := tok.ids[s]
		if !ok {
			t.Fatalf("no token %q", s)
		}
		return v
	}
	for _, c := range []struct {
		in   string
		want []int32
	}{
		// "\xffb" is one 2-byte symbol (0xff announces 4 bytes, 2 remain): both become bytes.
		{"a\xffb", []int32{id("▁a"), 0xff + 3, 'b' + 3}},
		{"\xe2\x82", []int32{id("▁"), 0xe2 + 3, 0x82 + 3}},
		{"\x80", []int32{id("▁"), 0x80 + 3}},
	} {
		if got := tok.Encode(c.in, false, false); !slices.Equal(got, c.want) {
			t.Errorf("Encode(%q) = %v, want %v", c.in, got, c.want)
		}
	}
}
