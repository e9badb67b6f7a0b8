package gguf

import (
	"path/filepath"
	"testing"

	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// sharedModels returns the ../shared/models directory next to the repository root,
// skipping the test when it is absent.
func sharedModels(t testing.TB) string {
	t.Helper()
	return filepath.Join(sharedtest.Dir(t), "models")
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
