// Package sharedtest finds the project's shared test data: the directory "shared" next to the
// repository root (models, llama.cpp reference outputs, tools; see its README.md). Tests of
// every package use it instead of a copy of the search, and skip when the data is absent.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared data directory, the sibling "shared" of the directory holding go.mod
// (searched upwards from the working directory), or skips the test when it or its models and
// reference subdirectories are absent.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			s := filepath.Join(filepath.Dir(dir), "shared")
			for _, sub := range []string{"models", "reference"} {
				if _, err := os.Stat(filepath.Join(s, sub)); err != nil {
					t.Skipf("shared data not found at %s (needs ../shared next to the repository)", s)
				}
			}
			return s
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root (go.mod) not found; cannot locate ../shared")
		}
		dir = parent
	}
}
