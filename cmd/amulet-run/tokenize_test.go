package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// cliGolden is tokenizer/testdata/golden/cli-stories260k.json, llama-ref's output made by
// tokenizer/testdata/make-cli-golden.py.
type cliGolden struct {
	Tokenize []struct {
		Text   string   `json:"text"`
		Flags  []string `json:"flags"`
		IDs    []int32  `json:"ids"`
		Pieces []string `json:"pieces"`
	} `json:"tokenize"`
	Detokenize []struct {
		IDs   []int32  `json:"ids"`
		Flags []string `json:"flags"`
		Text  string   `json:"text"`
	} `json:"detokenize"`
}

func storiesModel(t *testing.T) string {
	t.Helper()
	p := filepath.Join(sharedtest.Dir(t), "models", "stories260k-f32.gguf")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared model not found: %v", err)
	}
	return p
}

func readCLIGolden(t *testing.T) *cliGolden {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "tokenizer", "testdata", "golden", "cli-stories260k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g cliGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return &g
}

func runCmd(t *testing.T, fn commandFunc, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := fn(context.Background(), args, streams{strings.NewReader(""), &out, &errOut})
	return out.String(), err
}

func TestTokenizeMatchesLlamaCpp(t *testing.T) {
	model := storiesModel(t)
	g := readCLIGolden(t)
	for _, c := range g.Tokenize {
		args := append([]string{"-m", model, "--json"}, c.Flags...)
		out, err := runCmd(t, runTokenize, append(args, c.Text)...)
		if err != nil {
			t.Fatalf("tokenize %q %v: %v", c.Text, c.Flags, err)
		}
		var ids []int32
		if err := json.Unmarshal([]byte(out), &ids); err != nil || strings.Count(out, "\n") != 1 {
			t.Fatalf("tokenize --json printed %q: want one JSON array (%v)", out, err)
		}
		if !slices.Equal(ids, c.IDs) {
			t.Errorf("tokenize %q %v = %v, want %v", c.Text, c.Flags, ids, c.IDs)
		}

		out, err = runCmd(t, runTokenize, append(append(args, "--pieces"), c.Text)...)
		if err != nil {
			t.Fatal(err)
		}
		var pieces []tokenPiece
		if err := json.Unmarshal([]byte(out), &pieces); err != nil {
			t.Fatalf("tokenize --json --pieces printed %q: %v", out, err)
		}
		if len(pieces) != len(c.IDs) {
			t.Fatalf("tokenize --pieces %q: %d entries, want %d", c.Text, len(pieces), len(c.IDs))
		}
		for i, p := range pieces {
			if p.ID != c.IDs[i] || p.Piece != c.Pieces[i] {
				t.Errorf("tokenize --pieces %q [%d] = %+v, want {%d %q}", c.Text, i, p, c.IDs[i], c.Pieces[i])
			}
		}
	}
}

func TestTokenizeTextOutput(t *testing.T) {
	model := storiesModel(t)
	out, err := runCmd(t, runTokenize, "-m", model, "Once upon a time")
	if err != nil {
		t.Fatal(err)
	}
	if out != "1 403 407 261 378\n" {
		t.Errorf("tokenize printed %q", out)
	}
	out, err = runCmd(t, runTokenize, "--pieces", "-m", model, "Once upon")
	if err != nil {
		t.Fatal(err)
	}
	want := "     1 -> \"<s>\"\n   403 -> \" Once\"\n   407 -> \" upon\"\n"
	if out != want {
		t.Errorf("tokenize --pieces printed %q, want %q", out, want)
	}
}

func TestDetokenizeMatchesLlamaCpp(t *testing.T) {
	model := storiesModel(t)
	g := readCLIGolden(t)
	for _, c := range g.Detokenize {
		ids := make([]string, len(c.IDs))
		for i, id := range c.IDs {
			ids[i] = strconv.Itoa(int(id))
		}
		for _, form := range [][]string{{strings.Join(ids, ",")}, ids, {"[" + strings.Join(ids, ",\n\t") + "]\n"}} {
			args := append(append([]string{"-m", model}, c.Flags...), form...)
			out, err := runCmd(t, runDetokenize, args...)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(out, "\n"); got != c.Text {
				t.Errorf("detokenize %v %v = %q, want %q", c.IDs, c.Flags, got, c.Text)
			}
		}
	}
}

func TestTokenizeErrors(t *testing.T) {
	model := storiesModel(t)
	if _, err := runCmd(t, runTokenize, "Once"); !errors.Is(err, errUsage) {
		t.Errorf("tokenize without -m: %v, want usage error", err)
	}
	if _, err := runCmd(t, runDetokenize, "-m", model, "1", "99999"); err == nil || !strings.Contains(err.Error(), "99999") {
		t.Errorf("detokenize of an out-of-range id: %v", err)
	}
	if _, err := runCmd(t, runDetokenize, "-m", model, "x"); err == nil {
		t.Error("detokenize of a non-number succeeded")
	}
	if _, err := runCmd(t, runTokenize, "-m", filepath.Join(t.TempDir(), "missing.gguf"), "x"); err == nil {
		t.Error("tokenize with a missing file succeeded")
	}
}

// TestTokenizeReadAtMost: standard input past the limit is an error, never a silent cut.
func TestTokenizeReadAtMost(t *testing.T) {
	for _, c := range []struct {
		in      string
		wantErr bool
	}{{"", false}, {"abcd", false}, {"abcde", true}} {
		b, err := readAtMost(strings.NewReader(c.in), 4)
		if (err != nil) != c.wantErr || err == nil && string(b) != c.in {
			t.Errorf("readAtMost(%q, 4) = %q, %v; want error %v", c.in, b, err, c.wantErr)
		}
	}
}
