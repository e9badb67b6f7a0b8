package gguf

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The story llama2.c documents for stories260K, as llama.cpp greedy-decodes it from
// "Once upon a time" (../shared/tools/README.md).
const knownStory = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw a big, red ball."

// TestConvertedLoadsInLlamaCpp converts the v1 stories260K file with our Writer and has
// llama.cpp (../shared/tools/llama-ref.mjs) load it and greedy-decode the known story.
// llama.cpp no longer reads v1, so this shows the conversion produced a valid v3 file.
// Skipped without node and an installed llama-ref.
func TestConvertedLoadsInLlamaCpp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the llama.cpp run")
	}
	dir := sharedModels(t)
	script := filepath.Join(dir, "..", "tools", "llama-ref.mjs")
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found: skipping the llama.cpp check")
	}
	refDir := os.Getenv("LLAMA_REF_DIR")
	if refDir == "" {
		home, _ := os.UserHomeDir()
		refDir = filepath.Join(home, ".cache", "llama-ref")
	}
	if _, err := os.Stat(filepath.Join(refDir, "node_modules", "node-llama-cpp")); err != nil {
		t.Skipf("llama-ref not installed in %s (bash ../shared/tools/install-llama-ref.sh): skipping", refDir)
	}
	v1, err := Open(filepath.Join(dir, "stories260k-f32-v1.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v1.Close()
	path := filepath.Join(t.TempDir(), "stories260k-f32-converted.gguf")
	if err := os.WriteFile(path, convertToV3(t, v1), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, path, "--prompt", "Once upon a time", "--n", "64", "--threads", "1", "--no-timing")
	cmd.Env = append(os.Environ(), "LLAMA_REF_DIR="+refDir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("llama-ref failed: %v\n%s", err, out)
	}
	var res struct {
		Engine struct {
			Architecture string `json:"architecture"`
		} `json:"engine"`
		Greedy struct {
			FullText string `json:"full_text"`
		} `json:"greedy"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("llama-ref output: %v\n%s", err, out)
	}
	t.Logf("llama.cpp on our converted file: %q", res.Greedy.FullText)
	if !strings.HasPrefix(res.Greedy.FullText, knownStory) {
		t.Errorf("llama.cpp greedy text %q does not start with the known story %q", res.Greedy.FullText, knownStory)
	}
}
