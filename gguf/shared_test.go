package gguf

import (
	"os"
	"path/filepath"
	"testing"
)

// sharedModels returns the ../shared/models directory next to the repository root,
// skipping the test when it is absent.
func sharedModels(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "models")
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("../shared/models not found next to the repository: skipping tests on the real model files")
		}
		dir = parent
	}
}

// modelFiles lists the GGUF files in ../shared/models.
func modelFiles(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(sharedModels(t), "*.gguf"))
	if err != nil || len(m) == 0 {
		t.Skipf("no GGUF files in ../shared/models (%v)", err)
	}
	return m
}
