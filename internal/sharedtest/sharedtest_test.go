package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// From internal/sharedtest the shared data is ../../../shared: Dir finds it through go.mod,
// from any package directory.
func TestDir(t *testing.T) {
	got := Dir(t)
	want, err := filepath.Abs(filepath.Join("..", "..", "..", "shared"))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("Dir = %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(got, "models")); err != nil {
		t.Fatal(err)
	}
}
