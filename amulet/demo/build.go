package demo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// Config holds the hyper-parameters of a demo model written by BuildGGUF.
type Config struct {
	Hidden, Layers, Heads, KVHeads, FFN, ContextLength int
	RopeBase                                           float64
	NormEps                                            float32
}

// Tensor is a float32 tensor in row-major order; Shape is outermost first (numpy/torch order,
// so a torch Linear weight is {out, in}).
type Tensor struct {
	Shape []int
	Data  []float32
}

// npyShape finds the shape tuple in a .npy header.
var npyShape = regexp.MustCompile(`'shape': \(([0-9, ]*)\)`)

// ParseNPY reads a little-endian float32, C-order .npy file (what train.py writes).
func ParseNPY(name string, b []byte) (Tensor, error) {
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		return Tensor{}, fmt.Errorf("%s: not a .npy file", name)
	}
	var hlen, off int
	switch b[6] {
	case 1:
		hlen, off = int(binary.LittleEndian.Uint16(b[8:])), 10
	case 2, 3:
		if len(b) < 12 {
			return Tensor{}, fmt.Errorf("%s: truncated header", name)
		}
		hlen, off = int(binary.LittleEndian.Uint32(b[8:])), 12
	default:
		return Tensor{}, fmt.Errorf("%s: .npy version %d", name, b[6])
	}
	if off+hlen > len(b) {
		return Tensor{}, fmt.Errorf("%s: header of %d bytes past the end of the file", name, hlen)
	}
	h := string(b[off : off+hlen])
	if !strings.Contains(h, "'descr': '<f4'") || !strings.Contains(h, "'fortran_order': False") {
		return Tensor{}, fmt.Errorf("%s: want little-endian float32 in C order, header %q", name, h)
	}
	m := npyShape.FindStringSubmatch(h)
	if m == nil {
		return Tensor{}, fmt.Errorf("%s: no shape in header %q", name, h)
	}
	var t Tensor
	n := 1
	for _, f := range strings.Split(m[1], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := strconv.Atoi(f)
		if err != nil || d <= 0 || d > 1<<24 {
			return Tensor{}, fmt.Errorf("%s: bad dimension %q", name, f)
		}
		t.Shape = append(t.Shape, d)
		n *= d
		if n > len(b)/4 { // also keeps the product from overflowing
			return Tensor{}, fmt.Errorf("%s: shape %s needs more data than the file's %d bytes", name, m[1], len(b))
		}
	}
	data := b[off+hlen:]
	if len(data) != 4*n {
		return Tensor{}, fmt.Errorf("%s: %d data bytes for shape %v, want %d", name, len(data), t.Shape, 4*n)
	}
	t.Data = make([]float32, n)
	for i := range t.Data {
		t.Data[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return t, nil
}

// BuildGGUF writes a llama-architecture GGUF file from the trained weights (keyed by GGUF
// tensor name), the vocabulary and the configuration. Matrices are stored as typ (F32 or
// Q8_0); norm weights stay F32. The ChatML template and ImEndID as end-of-sequence go into
// the tokenizer metadata.
func BuildGGUF(weights map[string]Tensor, v *Vocab, c Config, typ gguf.Type) ([]byte, error) {
	if typ != gguf.TypeF32 && typ != gguf.TypeQ8_0 {
		return nil, fmt.Errorf("demo: weight type %s: want F32 or Q8_0", typ)
	}
	w := gguf.NewWriter()
	w.AddString("general.architecture", "llama")
	w.AddString("general.name", "amulet-demo")
	w.AddString("general.description", "amulet's synthetic preference-following demo chat model (amulet/demo)")
	w.AddString("general.license", "MIT")
	fileType := uint32(0)
	if typ == gguf.TypeQ8_0 {
		fileType = 7
	}
	w.AddUint32("general.file_type", fileType)
	w.AddUint32("llama.context_length", uint32(c.ContextLength))
	w.AddUint32("llama.embedding_length", uint32(c.Hidden))
	w.AddUint32("llama.block_count", uint32(c.Layers))
	w.AddUint32("llama.feed_forward_length", uint32(c.FFN))
	w.AddUint32("llama.attention.head_count", uint32(c.Heads))
	w.AddUint32("llama.attention.head_count_kv", uint32(c.KVHeads))
	w.AddUint32("llama.rope.dimension_count", uint32(c.Hidden/c.Heads))
	w.AddFloat32("llama.rope.freq_base", float32(c.RopeBase))
	w.AddFloat32("llama.attention.layer_norm_rms_epsilon", c.NormEps)
	w.AddUint32("llama.vocab_size", uint32(len(v.Tokens)))
	w.AddString("tokenizer.ggml.model", "llama")
	w.AddStrings("tokenizer.ggml.tokens", v.Tokens)
	w.AddFloat32s("tokenizer.ggml.scores", v.Scores)
	w.AddInt32s("tokenizer.ggml.token_type", v.Types)
	w.AddUint32("tokenizer.ggml.bos_token_id", uint32(BOSID))
	w.AddUint32("tokenizer.ggml.eos_token_id", uint32(ImEndID))
	w.AddUint32("tokenizer.ggml.unknown_token_id", uint32(UnkID))
	w.AddBool("tokenizer.ggml.add_bos_token", true)
	w.AddBool("tokenizer.ggml.add_eos_token", false)
	w.AddString("tokenizer.chat_template", ChatTemplate)

	hd := c.Hidden / c.Heads
	type spec struct {
		name  string
		shape []int // torch order
	}
	specs := []spec{{"token_embd.weight", []int{len(v.Tokens), c.Hidden}}}
	for i := 0; i < c.Layers; i++ {
		p := fmt.Sprintf("blk.%d.", i)
		specs = append(specs,
			spec{p + "attn_norm.weight", []int{c.Hidden}},
			spec{p + "attn_q.weight", []int{c.Heads * hd, c.Hidden}},
			spec{p + "attn_k.weight", []int{c.KVHeads * hd, c.Hidden}},
			spec{p + "attn_v.weight", []int{c.KVHeads * hd, c.Hidden}},
			spec{p + "attn_output.weight", []int{c.Hidden, c.Heads * hd}},
			spec{p + "ffn_norm.weight", []int{c.Hidden}},
			spec{p + "ffn_gate.weight", []int{c.FFN, c.Hidden}},
			spec{p + "ffn_up.weight", []int{c.FFN, c.Hidden}},
			spec{p + "ffn_down.weight", []int{c.Hidden, c.FFN}})
	}
	specs = append(specs, spec{"output_norm.weight", []int{c.Hidden}}, spec{"output.weight", []int{len(v.Tokens), c.Hidden}})
	for _, s := range specs {
		t, ok := weights[s.name]
		if !ok {
			return nil, fmt.Errorf("demo: missing weight %s", s.name)
		}
		if fmt.Sprint(t.Shape) != fmt.Sprint(s.shape) {
			return nil, fmt.Errorf("demo: weight %s has shape %v, want %v", s.name, t.Shape, s.shape)
		}
		shape := make([]int64, len(s.shape)) // ggml order: innermost first
		for i, d := range s.shape {
			shape[len(s.shape)-1-i] = int64(d)
		}
		tt := typ
		if len(s.shape) == 1 {
			tt = gguf.TypeF32
		}
		size, err := tt.RowBytes(int64(len(t.Data)))
		if err != nil {
			return nil, fmt.Errorf("demo: weight %s: %w", s.name, err)
		}
		data := make([]byte, size)
		if err := kernels.Quantize(data, tt, t.Data); err != nil {
			return nil, fmt.Errorf("demo: weight %s: %w", s.name, err)
		}
		if err := w.AddTensor(s.name, tt, shape, data); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
