package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// requiredVocabs must be supported and pass llama.cpp's vectors exactly.
var requiredVocabs = []string{"llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2"}

// readVectors reads a .inp/.out pair the way llama.cpp's tests/test-tokenizer-0.cpp does.
func readVectors(t *testing.T, base string) (inputs []string, want [][]int32) {
	t.Helper()
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	// Inputs are separated (and the last one ended) by the separator; as in the C++ reader, no
	// empty input follows the last separator.
	inputs = strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	if n := len(inputs); n > 0 && inputs[n-1] == "" {
		inputs = inputs[:n-1]
	}
	lines := strings.Split(string(out), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	if len(lines) != len(inputs) {
		t.Fatalf("%s: %d inputs but %d outputs", base, len(inputs), len(lines))
	}
	for _, l := range lines {
		var ids []int32
		for _, f := range strings.Fields(l) {
			v, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s.out: %v", base, err)
			}
			ids = append(ids, int32(v))
		}
		want = append(want, ids)
	}
	return inputs, want
}

// TestLlamaCppVectors runs llama.cpp's tokenizer test vectors (models/ggml-vocab-*.gguf with
// .inp/.out) with add_special = false and parse_special = false, as test-tokenizer-0 does.
func TestLlamaCppVectors(t *testing.T) {
	dir := vocabDir(t)
	paths, _ := filepath.Glob(filepath.Join(dir, "ggml-vocab-*.gguf.inp"))
	if len(paths) == 0 {
		t.Fatalf("no test vectors in %s", dir)
	}
	var passed, unsupported []string
	for _, p := range paths {
		base := strings.TrimSuffix(p, ".inp")
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(base), "ggml-vocab-"), ".gguf")
		t.Run(name, func(t *testing.T) {
			f, err := gguf.Open(base)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			tok, err := FromGGUF(f)
			if err != nil {
				if slices.Contains(requiredVocabs, name) {
					t.Fatal(err)
				}
				unsupported = append(unsupported, name)
				t.Skipf("not supported: %v", err)
			}
			inputs, want := readVectors(t, base)
			fails := 0
			for i, in := range inputs {
				got := tok.Encode(in, false, false)
				if !slices.Equal(got, want[i]) {
					fails++
					if fails <= 5 {
						t.Errorf("input %q:\n got %v\nwant %v", in, got, want[i])
					}
				}
			}
			if fails > 0 {
				t.Errorf("%d of %d vectors differ", fails, len(inputs))
				return
			}
			passed = append(passed, name)
		})
	}
	t.Logf("pass: %v; unsupported: %v", passed, unsupported)
}
