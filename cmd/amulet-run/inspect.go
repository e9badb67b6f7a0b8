package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"unicode"

	"github.com/amulet-llm/amulet/gguf"
)

// inspectArrayItems is how many items of a long metadata array --json shows.
const inspectArrayItems = 8

// runInspect prints a GGUF file's summary and tensor table, or with --json the same as
// one JSON object.
func runInspect(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(s.err)
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run inspect [--json] FILE")
		fmt.Fprintln(s.err, "\nPrints a GGUF file's version, architecture, model shape and tensor table.")
		fs.PrintDefaults()
	}
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if len(files) != 1 {
		fs.Usage()
		return errUsage
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f, err := gguf.Open(files[0])
	if err != nil {
		return err
	}
	defer f.Close()
	r := newInspectReport(files[0], f)
	if *asJSON {
		enc := json.NewEncoder(s.out)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.writeText(s.out)
}

// inspectReport is what inspect prints; its JSON form is the --json output.
type inspectReport struct {
	File          string          `json:"file"`
	Version       uint32          `json:"version"`
	Architecture  string          `json:"architecture"`
	Name          *string         `json:"name"`
	Parameters    uint64          `json:"parameters"`
	FileType      *string         `json:"file_type"`
	ContextLength *uint64         `json:"context_length"`
	EmbeddingSize *uint64         `json:"embedding_length"`
	Layers        *uint64         `json:"block_count"`
	Heads         *uint64         `json:"head_count"`
	KVHeads       *uint64         `json:"head_count_kv"`
	VocabSize     *uint64         `json:"vocab_size"`
	Tokenizer     *string         `json:"tokenizer_model"`
	ChatTemplate  bool            `json:"chat_template"`
	Alignment     int64           `json:"alignment"`
	DataOffset    int64           `json:"data_offset"`
	TensorCount   int             `json:"tensor_count"`
	Metadata      inspectMetadata `json:"metadata"`
	Tensors       []inspectTensor `json:"tensors"`
}

type inspectTensor struct {
	Name   string  `json:"name"`
	Type   string  `json:"type"`
	Shape  []int64 `json:"shape"`
	Offset int64   `json:"offset"`
	Bytes  *int64  `json:"bytes"` // null when the type is unknown
}

func newInspectReport(path string, f *gguf.File) *inspectReport {
	r := &inspectReport{
		File:          path,
		Version:       f.Version,
		Architecture:  f.Architecture(),
		Name:          optString(f, "general.name"),
		ContextLength: optUint(f, f.ArchKey("context_length")),
		EmbeddingSize: optUint(f, f.ArchKey("embedding_length")),
		Layers:        optUint(f, f.ArchKey("block_count")),
		Heads:         optUint(f, f.ArchKey("attention.head_count")),
		KVHeads:       optUint(f, f.ArchKey("attention.head_count_kv")),
		Tokenizer:     optString(f, "tokenizer.ggml.model"),
		Alignment:     f.Alignment,
		DataOffset:    f.DataOffset,
		TensorCount:   len(f.Tensors),
		Metadata:      inspectMetadata(f.Metadata),
		Tensors:       make([]inspectTensor, len(f.Tensors)),
	}
	if ft := optUint(f, gguf.KeyFileType); ft != nil {
		s := fileTypeName(*ft)
		r.FileType = &s
	}
	if v, ok := f.Lookup("tokenizer.ggml.tokens"); ok && v.Type() == gguf.ValueArray {
		n := uint64(v.Len())
		r.VocabSize = &n
	} else {
		r.VocabSize = optUint(f, f.ArchKey("vocab_size"))
	}
	if tmpl, err := f.String("tokenizer.chat_template"); err == nil && tmpl != "" {
		r.ChatTemplate = true
	}
	for i := range f.Tensors {
		t := &f.Tensors[i]
		it := inspectTensor{Name: t.Name, Type: t.Type.String(), Shape: t.Shape, Offset: t.Offset}
		if it.Shape == nil {
			it.Shape = []int64{}
		}
		if t.Size >= 0 {
			size := t.Size
			it.Bytes = &size
		}
		r.Tensors[i] = it
		// The element counts are bounded by the file for known types; saturate for the rest.
		if n := uint64(t.Elements()); r.Parameters > math.MaxUint64-n {
			r.Parameters = math.MaxUint64
		} else {
			r.Parameters += n
		}
	}
	return r
}

func optString(f *gguf.File, key string) *string {
	s, err := f.String(key)
	if err != nil {
		return nil
	}
	return &s
}

func optUint(f *gguf.File, key string) *uint64 {
	u, err := f.Uint(key)
	if err != nil {
		return nil
	}
	return &u
}

func (r *inspectReport) writeText(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	str := func(p *string) string {
		if p == nil {
			return "-"
		}
		return *p
	}
	num := func(p *uint64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	chat := "absent"
	if r.ChatTemplate {
		chat = "present"
	}
	vocab := num(r.VocabSize)
	if r.Tokenizer != nil {
		vocab += " (tokenizer " + *r.Tokenizer + ")"
	}
	arch := r.Architecture
	if arch == "" {
		arch = "-"
	}
	rows := [][2]string{
		{"file", r.File},
		{"GGUF version", fmt.Sprint(r.Version)},
		{"architecture", arch},
		{"name", str(r.Name)},
		{"parameters", fmt.Sprint(r.Parameters)},
		{"file type", str(r.FileType)},
		{"context length", num(r.ContextLength)},
		{"embedding size", num(r.EmbeddingSize)},
		{"layers", num(r.Layers)},
		{"heads", num(r.Heads)},
		{"KV heads", num(r.KVHeads)},
		{"vocabulary", vocab},
		{"chat template", chat},
		{"metadata keys", fmt.Sprint(len(r.Metadata))},
		{"tensors", fmt.Sprint(r.TensorCount)},
	}
	for _, row := range rows {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], oneLine(row[1]))
	}
	fmt.Fprintln(tw)
	fmt.Fprintln(tw, "NAME\tTYPE\tSHAPE\tBYTES")
	for _, t := range r.Tensors {
		bytes := "? (unknown type)"
		if t.Bytes != nil {
			bytes = fmt.Sprint(*t.Bytes)
		}
		fmt.Fprintf(tw, "%s\t%s\t%v\t%s\n", displayName(t.Name), t.Type, t.Shape, bytes)
	}
	return tw.Flush()
}

// displayName shows a tensor name as is, or quoted if it has spaces or unprintable runes.
func displayName(name string) string {
	for _, r := range name {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return strconv.Quote(name)
		}
	}
	if name == "" {
		return `""`
	}
	return name
}

// inspectMetadata marshals metadata as one JSON object in file order.
type inspectMetadata []gguf.KeyValue

func (m inspectMetadata) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // keep tokens such as "<s>" readable
	b.WriteByte('{')
	for i, kv := range m {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := enc.Encode(kv.Key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := enc.Encode(jsonValue(kv.Value)); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// jsonValue converts a metadata value to something encoding/json can write: floats that
// JSON cannot hold become strings, and arrays longer than inspectArrayItems become
// {"type", "count", "first"}.
func jsonValue(v gguf.Value) any {
	if v.Type() != gguf.ValueArray {
		switch x := v.Interface().(type) {
		case float32:
			return jsonFloat(float64(x), 32)
		case float64:
			return jsonFloat(x, 64)
		}
		return v.Interface()
	}
	n := v.Len()
	shown := min(n, inspectArrayItems)
	items := make([]any, shown)
	for i := range shown {
		items[i] = jsonValue(v.Index(i))
	}
	if n <= inspectArrayItems {
		return items
	}
	et, _ := v.ElemType()
	return struct {
		Type  string `json:"type"`
		Count int    `json:"count"`
		First []any  `json:"first"`
	}{"array of " + et.String(), n, items}
}

// jsonFloat writes x in the shortest form that reads back as the same value at its
// precision (1e-05 for an f32 1e-5), and NaN and infinities as strings.
func jsonFloat(x float64, bits int) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return fmt.Sprint(x)
	}
	return json.Number(strconv.FormatFloat(x, 'g', -1, bits))
}

// fileTypeName names a general.file_type value as llama.cpp's llama_ftype_name does, with its
// number.
func fileTypeName(ft uint64) string {
	if s, ok := gguf.FileTypeName(ft); ok {
		return fmt.Sprintf("%s (%d)", s, ft)
	}
	return fmt.Sprintf("unknown (%d)", ft)
}
