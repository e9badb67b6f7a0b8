package tokenizer

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// repoRoot returns the directory holding go.mod, walking up from the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// vocabDir returns .cache/llama-models, skipping the test when it has not been fetched.
func vocabDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), ".cache", "llama-models")
	if _, err := os.Stat(filepath.Join(dir, "ggml-vocab-llama-spm.gguf")); err != nil {
		t.Skipf("llama.cpp vocabularies not found in %s: run `make vocab` (tokenizer/testdata/fetch-vocab.sh)", dir)
	}
	return dir
}

// loadVocab opens a llama.cpp test vocabulary by name ("llama-spm").
func loadVocab(t testing.TB, name string) *Tokenizer {
	t.Helper()
	return loadFile(t, filepath.Join(vocabDir(t), "ggml-vocab-"+name+".gguf"))
}

func loadFile(t testing.TB, path string) *Tokenizer {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
