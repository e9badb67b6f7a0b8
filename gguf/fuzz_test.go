package gguf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The fuzz targets check that no input panics, hangs or allocates out of proportion,
// that every error is a one-line *FormatError, and that whatever parses survives
// write-then-read unchanged. Seeds: seedFile below plus testdata/fuzz/<Target>/, made
// from ../shared/models by TestWriteSeedCorpus.

func FuzzFromBytes(f *testing.F) {
	f.Add(seedFile(f))
	f.Add(smallV1(nil))
	f.Add([]byte("GGUF\x03\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := FromBytes("fuzz", data)
		checkParse(t, g, err)
	})
}

func FuzzOpen(f *testing.F) {
	f.Add(seedFile(f))
	f.Add(smallV1(nil))
	path := filepath.Join(f.TempDir(), "fuzz.gguf")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		g, err := Open(path)
		checkParse(t, g, err)
		if g != nil {
			if err := g.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// checkParse checks the outcome of parsing fuzz input.
func checkParse(t *testing.T, f *File, err error) {
	t.Helper()
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("error is not a *FormatError: %v", err)
		}
		if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error spans lines: %q", err)
		}
		return
	}
	exercise(t, f)
	rewritable := true
	for i := range f.Tensors {
		rewritable = rewritable && f.Tensors[i].Type.Known()
	}
	if v, ok := f.Lookup(KeyAlignment); ok && v.Type() != ValueUint32 {
		rewritable = false // the Writer only writes llama.cpp's u32 form
	}
	if !rewritable {
		return
	}
	g, err := FromBytes("rewritten", convertToV3(t, f))
	if err != nil {
		t.Fatalf("reading back a rewritten file: %v", err)
	}
	assertSameContent(t, f, g)
}

// exercise calls every accessor on a parsed file; none may panic.
func exercise(t *testing.T, f *File) {
	t.Helper()
	_ = f.Architecture()
	for _, kv := range f.Metadata {
		_ = kv.Value.Summary(8)
		_, _ = kv.Value.AsInt32s()
		for _, get := range []func(string) error{
			func(k string) error { _, err := f.String(k); return err },
			func(k string) error { _, err := f.Uint(k); return err },
			func(k string) error { _, err := f.Int(k); return err },
			func(k string) error { _, err := f.Float(k); return err },
			func(k string) error { _, err := f.Bool(k); return err },
			func(k string) error { _, err := f.Strings(k); return err },
			func(k string) error { _, err := f.Float32s(k); return err },
			func(k string) error { _, err := f.Int32s(k); return err },
		} {
			_ = get(kv.Key)
		}
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		got, ok := f.Tensor(ti.Name)
		if !ok || got != ti {
			t.Fatalf("Tensor(%q) does not find tensor %d", ti.Name, i)
		}
		d, err := f.TensorData(ti)
		if ti.Type.Known() != (err == nil) {
			t.Fatalf("tensor %q of type %s: TensorData error %v", ti.Name, ti.Type, err)
		}
		if err == nil && int64(len(d)) != ti.Size {
			t.Fatalf("tensor %q: %d bytes, want %d", ti.Name, len(d), ti.Size)
		}
		if ti.Offset%f.Alignment != 0 {
			t.Fatalf("tensor %q offset %d not aligned to %d", ti.Name, ti.Offset, f.Alignment)
		}
	}
}

// seedFile is a small valid file with every value type, nested arrays, and tensors of
// several types.
func seedFile(tb testing.TB) []byte {
	tb.Helper()
	w := NewWriter()
	w.AddString(KeyArchitecture, "llama")
	w.AddUint32(KeyAlignment, 32)
	w.AddUint32("llama.block_count", 1)
	w.AddFloat32("llama.rope.freq_base", 10000)
	w.AddStrings("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>", "▁a"})
	w.AddFloat32s("tokenizer.ggml.scores", []float32{0, 0, 0, -1})
	w.AddInt32s("tokenizer.ggml.token_type", []int32{2, 3, 3, 1})
	w.AddBool("tokenizer.ggml.add_bos_token", true)
	w.AddUint64("u64", 1<<40)
	w.Add("i8s", Of([]int8{-1, 1}))
	w.Add("f64", Of(2.5))
	nested, _ := ArrayOf(Of([]string{"x"}), Of([]uint16{1, 2}))
	w.Add("nested", nested)
	for _, tt := range []struct {
		name  string
		typ   Type
		shape []int64
		size  int
	}{
		{"token_embd.weight", TypeQ4_0, []int64{32, 4}, 4 * 18},
		{"output_norm.weight", TypeF32, []int64{32}, 128},
		{"output.weight", TypeF16, []int64{32, 4}, 256},
		{"blk.0.ffn_down.weight", TypeQ6_K, []int64{256, 1}, 210},
	} {
		if err := w.AddTensor(tt.name, tt.typ, tt.shape, seq(tt.size)); err != nil {
			tb.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// TestWriteSeedCorpus (re)writes testdata/fuzz/*/ from ../shared/models when
// GGUF_WRITE_CORPUS=1. The seeds are the metadata and tensor tables of the real files
// (their tensor data would make the corpus large and the fuzzer slow):
//   - the header of stories260k-q4_0 (v3) and stories260k-f32-v1 (v1) up to the data section,
//     which parse to a range error;
//   - the same headers with the tensor count set to 0, which parse as valid files;
//   - synth256-q4_k's header with its K-quant tensor table.
func TestWriteSeedCorpus(t *testing.T) {
	if os.Getenv("GGUF_WRITE_CORPUS") != "1" {
		t.Skip("set GGUF_WRITE_CORPUS=1 to rewrite the fuzz seed corpus")
	}
	dir := sharedModels(t)
	seeds := map[string][]byte{}
	for _, name := range []string{"stories260k-q4_0.gguf", "stories260k-f32-v1.gguf", "synth256-q4_k.gguf"} {
		data := readFile(t, filepath.Join(dir, name))
		f, err := FromBytes(name, data)
		if err != nil {
			t.Fatal(err)
		}
		hdr := append([]byte(nil), data[:f.DataOffset]...)
		base := strings.TrimSuffix(name, ".gguf")
		seeds["seed-"+base+"-header"] = hdr
		if !strings.HasPrefix(name, "synth") {
			noTensors := append([]byte(nil), hdr...)
			for i := 8; i < 8+4*(1+boolInt(f.Version > 1)); i++ {
				noTensors[i] = 0 // tensor count
			}
			seeds["seed-"+base+"-metadata-only"] = noTensors
		}
	}
	for _, target := range []string{"FuzzFromBytes", "FuzzOpen"} {
		out := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", b)
			if err := os.WriteFile(filepath.Join(out, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
