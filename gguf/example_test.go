package gguf_test

import (
	"bytes"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/amulet-llm/amulet/gguf"
)

// Build a small GGUF file in memory, then read it back.
func ExampleWriter() {
	w := gguf.NewWriter()
	w.AddString("general.architecture", "llama")
	w.AddUint32("llama.block_count", 2)
	w.AddStrings("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>"})
	weights := make([]byte, 4*2*4) // 2 rows of 4 F32 values
	if err := w.AddTensor("output.weight", gguf.TypeF32, []int64{4, 2}, weights); err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}

	f, err := gguf.FromBytes("example.gguf", buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	n, _ := f.Uint(f.ArchKey("block_count"))
	t, _ := f.Tensor("output.weight")
	fmt.Println(f.Version, f.Architecture(), n, t.Type, t.Shape, t.Size)
	// Output: 3 llama 2 F32 [4 2] 32
}

func ExampleFromBytes() {
	w := gguf.NewWriter()
	w.AddFloat32("llama.rope.freq_base", 10000)
	var buf bytes.Buffer
	w.WriteTo(&buf)

	f, err := gguf.FromBytes("mem.gguf", buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	base, _ := f.Float("llama.rope.freq_base")
	_, err = f.Uint("llama.block_count")
	fmt.Println(base)
	fmt.Println(err)
	// Output:
	// 10000
	// gguf: mem.gguf: key "llama.block_count": missing
}

func ExampleOpen() {
	// Write a small file to open; a real model file opens the same way.
	w := gguf.NewWriter()
	w.AddString("general.architecture", "llama")
	if err := w.AddTensor("output_norm.weight", gguf.TypeF32, []int64{4}, make([]byte, 16)); err != nil {
		log.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "gguf-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "tiny.gguf")
	if err := w.WriteFile(path); err != nil {
		log.Fatal(err)
	}

	f, err := gguf.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	t, _ := f.Tensor("output_norm.weight")
	data, err := f.TensorData(t) // a zero-copy view of the mapped file, valid until Close
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Architecture(), len(f.Tensors), t.Type, t.Shape, len(data), f.DataOffset%f.Alignment)
	// Output: llama 1 F32 [4] 16 0
}

// Metadata values: scalars, arrays, and arrays of arrays.
func ExampleOf() {
	scores := gguf.Of([]float32{0, -1.5, 2})
	pairs, err := gguf.ArrayOf(gguf.Of([]string{"a", "b"}), gguf.Of([]int32{7}))
	if err != nil {
		log.Fatal(err)
	}
	et, _ := scores.ElemType()
	fmt.Println(gguf.Of(uint32(8)).Type(), gguf.Of("llama"))
	fmt.Println(scores.Type(), et, scores.Len(), scores.Summary(2))
	fmt.Println(pairs)
	// Output:
	// u32 "llama"
	// array f32 3 [0, -1.5, ... (3 items)]
	// [["a", "b"], [7]]
}

// Name a model file's general.file_type as llama.cpp prints it.
func ExampleFileTypeName() {
	for _, ft := range []uint64{2, 15, 4} {
		name, ok := gguf.FileTypeName(ft)
		fmt.Printf("%d: %q %v\n", ft, name, ok)
	}
	// Output:
	// 2: "Q4_0" true
	// 15: "Q4_K - Medium" true
	// 4: "" false
}
