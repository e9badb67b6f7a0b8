package gguf

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Facts from ../shared/models/README.md and the files' own producers (llama2.c export,
// llama-quantize), not from this package.
func wantTensorCount(base string) int {
	if strings.HasPrefix(base, "stories260k") {
		return 48
	}
	return 21
}

func TestOpenSharedModels(t *testing.T) {
	for _, path := range modelFiles(t) {
		base := filepath.Base(path)
		t.Run(base, func(t *testing.T) {
			f, err := Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			wantVersion := uint32(3)
			if strings.Contains(base, "-v1") {
				wantVersion = 1
			}
			if f.Version != wantVersion {
				t.Errorf("version %d, want %d", f.Version, wantVersion)
			}
			if got := f.Architecture(); got != "llama" {
				t.Errorf("architecture %q, want llama", got)
			}
			if len(f.Tensors) != wantTensorCount(base) {
				t.Errorf("%d tensors, want %d", len(f.Tensors), wantTensorCount(base))
			}
			if f.Alignment != 32 {
				t.Errorf("alignment %d, want 32", f.Alignment)
			}
			// Every tensor's bytes are readable, and the tensors fill the data section up to
			// the end of the file (llama.cpp's writers pad each tensor to the alignment), which
			// checks the block sizes of every type present against the file size.
			end := int64(0)
			for i := range f.Tensors {
				ti := &f.Tensors[i]
				b, err := f.TensorData(ti)
				if err != nil {
					t.Fatal(err)
				}
				if int64(len(b)) != ti.Size {
					t.Fatalf("%s: %d bytes, want %d", ti.Name, len(b), ti.Size)
				}
				end = max(end, alignUp(ti.Offset+ti.Size, f.Alignment))
			}
			if got, want := f.DataOffset+end, fileSize(t, path); got != want {
				t.Errorf("tensors end at %d, file has %d bytes", got, want)
			}
		})
	}
}

func TestStoriesMetadata(t *testing.T) {
	dir := sharedModels(t)
	for _, name := range []string{"stories260k-f32-v1.gguf", "stories260k-f32.gguf"} {
		t.Run(name, func(t *testing.T) {
			f, err := Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if len(f.Metadata) != 18 {
				t.Errorf("%d metadata entries, want 18", len(f.Metadata))
			}
			if f.Metadata[0].Key != KeyArchitecture {
				t.Errorf("first key %q, want general.architecture", f.Metadata[0].Key)
			}
			uints := map[string]uint64{
				"context_length": 512, "embedding_length": 64, "block_count": 5, "feed_forward_length": 172,
				"rope.dimension_count": 8, "attention.head_count": 8, "attention.head_count_kv": 4,
			}
			for k, want := range uints {
				got, err := f.Uint(f.ArchKey(k))
				if err != nil || got != want {
					t.Errorf("%s = %d, %v; want %d", f.ArchKey(k), got, err, want)
				}
			}
			if eps, err := f.Float("llama.attention.layer_norm_rms_epsilon"); err != nil || float32(eps) != 1e-5 {
				t.Errorf("rms eps %v, %v", eps, err)
			}
			if name, err := f.String("general.name"); err != nil || name != "tinyllamas-stories-260k" {
				t.Errorf("general.name %q, %v", name, err)
			}
			toks, err := f.Strings("tokenizer.ggml.tokens")
			if err != nil || len(toks) != 512 {
				t.Fatalf("tokens: %d, %v", len(toks), err)
			}
			if toks[1] != "<s>" || toks[2] != "</s>" {
				t.Errorf("tokens 1, 2 = %q, %q; want <s>, </s>", toks[1], toks[2])
			}
			if s, err := f.Float32s("tokenizer.ggml.scores"); err != nil || len(s) != 512 {
				t.Errorf("scores: %d, %v", len(s), err)
			}
			if tt, err := f.Int32s("tokenizer.ggml.token_type"); err != nil || len(tt) != 512 || tt[1] != 3 {
				t.Errorf("token types: %d, %v", len(tt), err)
			}
			if id, err := f.Int("tokenizer.ggml.bos_token_id"); err != nil || id != 1 {
				t.Errorf("bos %d, %v", id, err)
			}
			emb, ok := f.Tensor("token_embd.weight")
			if !ok {
				t.Fatal("no token_embd.weight")
			}
			if emb.Type != TypeF32 || len(emb.Shape) != 2 || emb.Shape[0] != 64 || emb.Shape[1] != 512 || emb.Elements() != 64*512 || emb.Size != 64*512*4 {
				t.Errorf("token_embd.weight: %+v", *emb)
			}
		})
	}
}

// The v3 file was made from the v1 file by an independent converter
// (../shared/models/gguf_v1_to_v3.py): metadata and tensor bytes must read the same.
func TestV1MatchesV3(t *testing.T) {
	dir := sharedModels(t)
	v1, err := Open(filepath.Join(dir, "stories260k-f32-v1.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v1.Close()
	v3, err := Open(filepath.Join(dir, "stories260k-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v3.Close()
	assertSameContent(t, v1, v3)
}

// assertSameContent checks that two files hold the same metadata and tensors.
func assertSameContent(t *testing.T, a, b *File) {
	t.Helper()
	if len(a.Metadata) != len(b.Metadata) {
		t.Fatalf("%d vs %d metadata entries", len(a.Metadata), len(b.Metadata))
	}
	for i, kv := range a.Metadata {
		if kv.Key != b.Metadata[i].Key || !kv.Value.Equal(b.Metadata[i].Value) {
			t.Errorf("metadata %d: %s = %s vs %s = %s", i, kv.Key, kv.Value.Summary(4), b.Metadata[i].Key, b.Metadata[i].Value.Summary(4))
		}
	}
	if len(a.Tensors) != len(b.Tensors) {
		t.Fatalf("%d vs %d tensors", len(a.Tensors), len(b.Tensors))
	}
	for i := range a.Tensors {
		x, y := &a.Tensors[i], &b.Tensors[i]
		if x.Name != y.Name || x.Type != y.Type || x.Size != y.Size || !equalShape(x.Shape, y.Shape) {
			t.Errorf("tensor %d: %+v vs %+v", i, *x, *y)
			continue
		}
		dx, err := a.TensorData(x)
		if err != nil {
			t.Fatal(err)
		}
		dy, err := b.TensorData(y)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dx, dy) {
			t.Errorf("tensor %s: data differs", x.Name)
		}
	}
}

func equalShape(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestGetterErrors(t *testing.T) {
	f, err := Open(filepath.Join(sharedModels(t), "stories260k-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Uint("llama.nope"); !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), `"llama.nope"`) {
		t.Errorf("missing key: %v", err)
	}
	if _, err := f.Uint("general.name"); err == nil || !strings.Contains(err.Error(), "has type string, want unsigned integer") {
		t.Errorf("wrong type: %v", err)
	}
	if _, err := f.Strings("tokenizer.ggml.scores"); err == nil || !strings.Contains(err.Error(), "has type array of f32, want array of string") {
		t.Errorf("wrong array type: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.TensorData(&f.Tensors[0]); err == nil {
		t.Error("TensorData after Close: no error")
	}
}

func TestFromBytesMatchesOpen(t *testing.T) {
	path := filepath.Join(sharedModels(t), "stories260k-q4_0.gguf")
	data := readFile(t, path)
	a, err := FromBytes("q4_0", data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	assertSameContent(t, a, b)
	// Types per ../shared/models/README.md: Q4_0 x31, Q8_0 x1 (output), F16 x5 (ffn_down), F32 x11.
	counts := map[Type]int{}
	for _, ti := range a.Tensors {
		counts[ti.Type]++
	}
	if counts[TypeQ4_0] != 31 || counts[TypeQ8_0] != 1 || counts[TypeF16] != 5 || counts[TypeF32] != 11 {
		t.Errorf("type counts %v", counts)
	}
	if out, _ := a.Tensor("output.weight"); out.Type != TypeQ8_0 {
		t.Errorf("output.weight type %s, want Q8_0", out.Type)
	}
}
