package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// inspectModels lists the GGUF files in ../shared/models, skipping when absent.
func inspectModels(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(sharedtest.Dir(t), "models", "*.gguf"))
	if err != nil || len(m) == 0 {
		t.Skipf("no GGUF files in ../shared/models (%v)", err)
	}
	return m
}

// runInspectCLI runs the CLI as main does and returns status, stdout and stderr.
func runInspectCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"inspect"}, args...), streams{strings.NewReader(""), &out, &errOut})
	return code, out.String(), errOut.String()
}

// Expected values from ../shared/models/README.md.
func TestInspectJSONSharedModels(t *testing.T) {
	for _, path := range inspectModels(t) {
		base := filepath.Base(path)
		t.Run(base, func(t *testing.T) {
			code, out, errOut := runInspectCLI("--json", path)
			if code != 0 || errOut != "" {
				t.Fatalf("status %d, stderr %q", code, errOut)
			}
			var r struct {
				Version      int            `json:"version"`
				Architecture string         `json:"architecture"`
				TensorCount  int            `json:"tensor_count"`
				Metadata     map[string]any `json:"metadata"`
				Tensors      []struct {
					Name   string  `json:"name"`
					Type   string  `json:"type"`
					Shape  []int64 `json:"shape"`
					Offset int64   `json:"offset"`
					Bytes  int64   `json:"bytes"`
				} `json:"tensors"`
			}
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("not one JSON object: %v", err)
			}
			wantVersion, wantTensors := 3, 21
			if strings.Contains(base, "-v1") {
				wantVersion = 1
			}
			if strings.HasPrefix(base, "stories260k") {
				wantTensors = 48
			}
			if r.Version != wantVersion || r.Architecture != "llama" || r.TensorCount != wantTensors || len(r.Tensors) != wantTensors {
				t.Errorf("version %d arch %q tensor_count %d (%d listed); want %d llama %d",
					r.Version, r.Architecture, r.TensorCount, len(r.Tensors), wantVersion, wantTensors)
			}
			if r.Metadata["general.architecture"] != "llama" {
				t.Errorf("metadata general.architecture = %v", r.Metadata["general.architecture"])
			}
			tokens, _ := r.Metadata["tokenizer.ggml.tokens"].(map[string]any)
			if tokens["count"] != 512.0 || len(tokens["first"].([]any)) != 8 {
				t.Errorf("tokens not shortened to 8 items plus a count of 512: %v", tokens)
			}
			for _, ti := range r.Tensors {
				if ti.Name == "token_embd.weight" && (len(ti.Shape) != 2 || ti.Shape[0] != map[bool]int64{true: 64, false: 256}[wantTensors == 48] || ti.Shape[1] != 512) {
					t.Errorf("token_embd.weight shape %v", ti.Shape)
				}
				if ti.Bytes <= 0 || ti.Type == "" {
					t.Errorf("tensor %+v", ti)
				}
			}
		})
	}
}

func TestInspectText(t *testing.T) {
	var path string
	for _, p := range inspectModels(t) {
		if filepath.Base(p) == "stories260k-q4_0.gguf" {
			path = p
		}
	}
	if path == "" {
		t.Skip("stories260k-q4_0.gguf not found")
	}
	code, out, errOut := runInspectCLI(path)
	if code != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	for _, want := range []string{
		"GGUF version:    3", "architecture:    llama", "name:            tinyllamas-stories-260k",
		"file type:       Q4_0 (2)", "context length:  512", "embedding size:  64", "layers:          5",
		"heads:           8", "KV heads:        4", "vocabulary:      512 (tokenizer llama)",
		"chat template:   absent", "tensors:         48", "NAME", "output.weight             Q8_0  [64 512]  34816",
		"blk.0.ffn_down.weight     F16   [172 64]  22016",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Flags after the file name work too.
	if code, out2, _ := runInspectCLI(path, "--json"); code != 0 || !strings.HasPrefix(out2, "{") {
		t.Errorf("FILE --json: status %d, output %.40q", code, out2)
	}
}

// Broken files give status 1, one line on stderr, nothing on stdout, and no panic.
func TestInspectBadFiles(t *testing.T) {
	var src []byte
	for _, p := range inspectModels(t) {
		if filepath.Base(p) == "stories260k-q4_0.gguf" {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			src = b
		}
	}
	if src == nil {
		t.Skip("stories260k-q4_0.gguf not found")
	}
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), src...)) }
	dir := t.TempDir()
	cases := map[string][]byte{
		"empty":             {},
		"wrong-magic":       edit(func(b []byte) []byte { copy(b, "GGML"); return b }),
		"truncated-header":  src[:1000],
		"truncated-data":    src[:len(src)-100],
		"truncated-4bytes":  src[:4],
		"oversized-tensors": edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[8:], 1<<60); return b }),
		"oversized-kvs":     edit(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<40); return b }),
		"bit-flip-version":  edit(func(b []byte) []byte { b[4] ^= 0x40; return b }),
		"bit-flip-count":    edit(func(b []byte) []byte { b[15] ^= 0x80; return b }),
		"bit-flip-keylen":   edit(func(b []byte) []byte { b[24+7] ^= 0x10; return b }),
		"bit-flip-offset":   edit(func(b []byte) []byte { b[len(src)/40] ^= 0x01; return b }),
	}
	// A flip in a tensor's offset moves its data past the end of the file.
	name := "blk.4.ffn_up.weight"
	at := bytes.LastIndex(src, []byte(name))
	if at < 0 {
		t.Fatalf("%s not found", name)
	}
	cases["bit-flip-tensor-offset"] = edit(func(b []byte) []byte {
		b[at+len(name)+4+16+4+2] ^= 0x40 // name, n_dims, 2 dims, type, then byte 2 of the offset
		return b
	})
	for name, data := range cases {
		path := filepath.Join(dir, name+".gguf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"missing"}
	for name := range cases {
		names = append(names, name)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name+".gguf")
			for _, args := range [][]string{{path}, {"--json", path}} {
				code, out, errOut := runInspectCLI(args...)
				if code != 1 {
					t.Errorf("%v: status %d, want 1 (stdout %.60q)", args, code, out)
				}
				if out != "" {
					t.Errorf("%v: stdout %.60q, want nothing", args, out)
				}
				if !strings.HasPrefix(errOut, "amulet-run inspect: ") || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
					t.Errorf("%v: stderr %q, want one line", args, errOut)
				}
				if strings.Contains(errOut, "panic") || strings.Contains(errOut, "goroutine") {
					t.Errorf("%v: stderr %q", args, errOut)
				}
			}
		})
	}
}

func TestInspectUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"a.gguf", "b.gguf"}, {"--bogus", "a.gguf"}} {
		code, out, errOut := runInspectCLI(args...)
		if code != 2 || out != "" || !strings.Contains(errOut, "usage: amulet-run inspect") {
			t.Errorf("%v: status %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
}
