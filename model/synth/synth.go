// Package synth writes random-weight GGUF models of any llama or qwen2 shape, for tests and
// benchmarks: the weights are drawn like ../shared/models/make_synth256.py (token_embd N(0,1),
// projections N(0,1/fan_in), the output head scaled so that the logits have a standard
// deviation of about 4, norms 1), deterministically from a seed, and stored in any weight
// type the kernels package can quantize to, or in llama.cpp's Q4_K_M mixture.
package synth

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// Shape is a model's architecture and size.
type Shape struct {
	Arch       string  // "llama" or "qwen2" (qwen2 adds q/k/v biases and uses NeoX RoPE)
	Hidden     int     // embedding length
	Layers     int     // transformer blocks
	Heads      int     // query heads
	KVHeads    int     // key/value heads
	FFN        int     // SwiGLU hidden width
	Vocab      int     // vocabulary size when no vocabulary file is given
	Context    int     // context length written to the metadata
	RopeBase   float64 // rope.freq_base (> 1); 0: 10000
	NormEps    float32 // RMSNorm epsilon (in (0, 1)); 0: 1e-5
	TiedOutput bool    // no output.weight: the head is token_embd
}

var presets = map[string]Shape{
	// TinyLlama-1.1B's shape.
	"tinyllama-1.1b": {Arch: "llama", Hidden: 2048, Layers: 22, Heads: 32, KVHeads: 4, FFN: 5632, Vocab: 32000,
		Context: 2048, RopeBase: 10000, NormEps: 1e-5},
	// ../shared/models/synth256: every row a multiple of 256.
	"synth256": {Arch: "llama", Hidden: 256, Layers: 2, Heads: 4, KVHeads: 2, FFN: 768, Vocab: 512,
		Context: 256, RopeBase: 10000, NormEps: 1e-5},
	// A qwen2 of synth256's size with a tied output head.
	"qwen2-256": {Arch: "qwen2", Hidden: 256, Layers: 2, Heads: 4, KVHeads: 2, FFN: 768, Vocab: 512,
		Context: 256, RopeBase: 1000000, NormEps: 1e-6, TiedOutput: true},
}

// Presets lists the preset names.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Preset returns a named shape.
func Preset(name string) (Shape, error) {
	s, ok := presets[name]
	if !ok {
		return Shape{}, fmt.Errorf("synth: unknown preset %q (presets: %s)", name, strings.Join(Presets(), ", "))
	}
	return s, nil
}

// Types lists the accepted Options.Type values.
func Types() []string {
	return []string{"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q4_K_M"}
}

// Options configures Build.
type Options struct {
	Shape Shape
	// Type is the weight type of every matrix ("Q4_K", ...), or "Q4_K_M": Q4_K with Q6_K for the
	// output head and for attn_v and ffn_down in the layers llama.cpp's use_more_bits picks.
	Type string
	Seed uint64
	// Vocab, if not nil, is a GGUF whose tokenizer.* metadata is copied; the vocabulary size is
	// then its token count.
	Vocab    *gguf.File
	Threads  int     // goroutines drawing and quantizing rows; 0: GOMAXPROCS
	LogitStd float64 // standard deviation of the logits; 0: 4
}

// llama.cpp's general.file_type (llama_ftype) for each Type.
var fileTypes = map[string]uint32{"F32": 0, "F16": 1, "Q4_0": 2, "Q4_1": 3, "Q8_0": 7, "Q5_0": 8, "Q5_1": 9,
	"Q2_K": 10, "Q3_K": 11, "Q4_K": 14, "Q4_K_M": 15, "Q5_K": 16, "Q6_K": 18, "BF16": 32}

// useMoreBits is llama.cpp's rule (llama-quant.cpp) for the layers whose attn_v and ffn_down get
// more bits in the _M mixtures: the first and last eighth, and every third layer between.
func useMoreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// tensor is one tensor to write: its shape (ggml order) and how its values are drawn.
type tensor struct {
	name       string
	cols, rows int
	std        float64 // N(0, std²); 0: all ones
	typ        gguf.Type
}

// Bounds of a shape: model.Load reads no dimension above maxDim, and Build holds the whole
// model in memory, so more than maxParams weights is refused rather than allocated.
const (
	maxDim    = 1 << 24
	maxParams = 1 << 34
)

// withDefaults fills the zero RopeBase and NormEps.
func (s Shape) withDefaults() Shape {
	if s.RopeBase == 0 {
		s.RopeBase = 10000
	}
	if s.NormEps == 0 {
		s.NormEps = 1e-5
	}
	return s
}

// params is the number of weights of the shape, in float64 so that no product overflows.
func (s Shape) params() float64 {
	h, f, kv := float64(s.Hidden), float64(s.FFN), float64(s.Hidden/max(s.Heads, 1)*s.KVHeads)
	perLayer := 2*h*h + 2*h*kv + 3*h*f
	return float64(s.Vocab)*h*2 + float64(s.Layers)*perLayer
}

func (s Shape) check() error {
	dims := []int{s.Hidden, s.Layers, s.Heads, s.KVHeads, s.FFN, s.Vocab, s.Context}
	switch {
	case s.Arch != "llama" && s.Arch != "qwen2":
		return fmt.Errorf("synth: architecture %q not supported (llama, qwen2)", s.Arch)
	case slices.Min(dims) <= 0:
		return fmt.Errorf("synth: every dimension must be positive: %+v", s)
	case slices.Max(dims) > maxDim:
		return fmt.Errorf("synth: a dimension is above %d: %+v", maxDim, s)
	case s.params() > maxParams:
		return fmt.Errorf("synth: %.3g weights is more than the %d this builder holds in memory", s.params(), int64(maxParams))
	case !(s.RopeBase > 1) || math.IsInf(s.RopeBase, 0):
		return fmt.Errorf("synth: rope base %g: want a finite value > 1", s.RopeBase)
	case !(s.NormEps > 0 && s.NormEps < 1):
		return fmt.Errorf("synth: norm epsilon %g: want a value in (0, 1)", s.NormEps)
	case s.Hidden%s.Heads != 0 || s.Heads%s.KVHeads != 0:
		return fmt.Errorf("synth: hidden %d, heads %d and KV heads %d do not divide", s.Hidden, s.Heads, s.KVHeads)
	case (s.Hidden/s.Heads)%2 != 0:
		return fmt.Errorf("synth: head dimension %d is odd", s.Hidden/s.Heads)
	}
	return nil
}

// plan lists the tensors in file order with their types.
func plan(s Shape, typ string) ([]tensor, error) {
	base := typ
	if typ == "Q4_K_M" {
		base = "Q4_K"
	}
	bt, err := parseType(base)
	if err != nil {
		return nil, err
	}
	q6 := bt
	if typ == "Q4_K_M" {
		q6 = gguf.TypeQ6_K
	}
	H, F, kv := s.Hidden, s.FFN, s.Hidden/s.Heads*s.KVHeads
	embType := bt
	if s.TiedOutput {
		embType = q6
	}
	ts := []tensor{{name: "token_embd.weight", cols: H, rows: s.Vocab, std: 1, typ: embType}}
	for i := range s.Layers {
		p := fmt.Sprintf("blk.%d.", i)
		vType, downType := bt, bt
		if useMoreBits(i, s.Layers) {
			vType, downType = q6, q6
		}
		ts = append(ts,
			tensor{name: p + "attn_norm.weight", cols: H, rows: 1, typ: gguf.TypeF32},
			tensor{name: p + "attn_q.weight", cols: H, rows: H, std: 1 / math.Sqrt(float64(H)), typ: bt},
			tensor{name: p + "attn_k.weight", cols: H, rows: kv, std: 1 / math.Sqrt(float64(H)), typ: bt},
			tensor{name: p + "attn_v.weight", cols: H, rows: kv, std: 1 / math.Sqrt(float64(H)), typ: vType},
		)
		if s.Arch == "qwen2" {
			ts = append(ts,
				tensor{name: p + "attn_q.bias", cols: H, rows: 1, std: 0.5, typ: gguf.TypeF32},
				tensor{name: p + "attn_k.bias", cols: kv, rows: 1, std: 0.5, typ: gguf.TypeF32},
				tensor{name: p + "attn_v.bias", cols: kv, rows: 1, std: 0.5, typ: gguf.TypeF32})
		}
		ts = append(ts,
			tensor{name: p + "attn_output.weight", cols: H, rows: H, std: 1 / math.Sqrt(float64(H)), typ: bt},
			tensor{name: p + "ffn_norm.weight", cols: H, rows: 1, typ: gguf.TypeF32},
			tensor{name: p + "ffn_gate.weight", cols: H, rows: F, std: 1 / math.Sqrt(float64(H)), typ: bt},
			tensor{name: p + "ffn_up.weight", cols: H, rows: F, std: 1 / math.Sqrt(float64(H)), typ: bt},
			tensor{name: p + "ffn_down.weight", cols: F, rows: H, std: 1 / math.Sqrt(float64(F)), typ: downType},
		)
	}
	ts = append(ts, tensor{name: "output_norm.weight", cols: H, rows: 1, typ: gguf.TypeF32})
	if !s.TiedOutput {
		ts = append(ts, tensor{name: "output.weight", cols: H, rows: s.Vocab, typ: q6})
	}
	for _, t := range ts {
		if bs := int(t.typ.BlockSize()); t.cols%bs != 0 {
			return nil, fmt.Errorf("synth: tensor %s: rows of %d elements are not a multiple of %s's block of %d",
				t.name, t.cols, t.typ, bs)
		}
	}
	return ts, nil
}

func parseType(name string) (gguf.Type, error) {
	for _, t := range []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1,
		gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K} {
		if strings.EqualFold(t.String(), name) {
			return t, nil
		}
	}
	return 0, fmt.Errorf("synth: unknown weight type %q (types: %s)", name, strings.Join(Types(), ", "))
}

// Build draws the weights and returns a gguf.Writer holding the whole model, ready to write.
func Build(ctx context.Context, o Options) (*gguf.Writer, error) {
	typ := strings.ToUpper(o.Type)
	if typ == "" {
		typ = "F32"
	}
	if _, ok := fileTypes[typ]; !ok {
		return nil, fmt.Errorf("synth: unknown weight type %q (types: %s)", o.Type, strings.Join(Types(), ", "))
	}
	s := o.Shape.withDefaults()
	var tokens []string
	if o.Vocab != nil {
		var err error
		if tokens, err = o.Vocab.Strings("tokenizer.ggml.tokens"); err != nil {
			return nil, fmt.Errorf("synth: vocabulary file: %w", err)
		}
		s.Vocab = len(tokens)
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	ts, err := plan(s, typ)
	if err != nil {
		return nil, err
	}
	if o.Threads <= 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.LogitStd == 0 {
		o.LogitStd = 4
	}
	// After the final RMSNorm the hidden vector has norm sqrt(Hidden), so a logit is a sum of
	// Hidden unit-variance terms times the output weights: std(logit) = sqrt(Hidden)*std(w).
	outStd := o.LogitStd / math.Sqrt(float64(s.Hidden))
	for i := range ts {
		if ts[i].name == "output.weight" || (s.TiedOutput && ts[i].name == "token_embd.weight") {
			ts[i].std = outStd
		}
	}

	w := gguf.NewWriter()
	a := s.Arch
	w.AddString("general.architecture", a)
	w.AddString("general.name", fmt.Sprintf("synth-%s-%s", a, typ))
	w.AddString("general.description", fmt.Sprintf("random weights (seed %d), not trained", o.Seed))
	w.AddUint32("general.file_type", fileTypes[typ])
	w.AddUint32(a+".context_length", uint32(s.Context))
	w.AddUint32(a+".embedding_length", uint32(s.Hidden))
	w.AddUint32(a+".block_count", uint32(s.Layers))
	w.AddUint32(a+".feed_forward_length", uint32(s.FFN))
	w.AddUint32(a+".attention.head_count", uint32(s.Heads))
	w.AddUint32(a+".attention.head_count_kv", uint32(s.KVHeads))
	w.AddUint32(a+".rope.dimension_count", uint32(s.Hidden/s.Heads))
	w.AddFloat32(a+".rope.freq_base", float32(s.RopeBase))
	w.AddFloat32(a+".attention.layer_norm_rms_epsilon", s.NormEps)
	if o.Vocab != nil {
		for _, kv := range o.Vocab.Metadata {
			if strings.HasPrefix(kv.Key, "tokenizer.") {
				w.Add(kv.Key, kv.Value)
			}
		}
	}
	for i, t := range ts {
		data, err := draw(ctx, t, o.Seed, uint64(i), o.Threads)
		if err != nil {
			return nil, err
		}
		shape := []int64{int64(t.cols), int64(t.rows)}
		if t.rows == 1 {
			shape = shape[:1]
		}
		if err := w.AddTensor(t.name, t.typ, shape, data); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	return w, nil
}

// WriteFile builds the model and writes it to path.
func WriteFile(ctx context.Context, path string, o Options) error {
	w, err := Build(ctx, o)
	if err != nil {
		return err
	}
	if err := w.WriteFile(path); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// rowsPerChunk is the unit of work (and of random streams): chunk c of tensor i always draws
// from the stream (seed, i<<32|c), so the weights do not depend on the thread count.
const rowsPerChunk = 32

// draw returns the encoded bytes of one tensor, drawing and quantizing chunks of rows in parallel.
func draw(ctx context.Context, t tensor, seed, index uint64, threads int) ([]byte, error) {
	rowBytes, err := t.typ.RowBytes(int64(t.cols))
	if err != nil {
		return nil, fmt.Errorf("synth: tensor %s: %w", t.name, err)
	}
	data := make([]byte, int(rowBytes)*t.rows)
	chunks := (t.rows + rowsPerChunk - 1) / rowsPerChunk
	next := make(chan int)
	errs := make(chan error, threads)
	var wg sync.WaitGroup
	for range min(threads, chunks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]float32, rowsPerChunk*t.cols)
			for c := range next {
				lo, hi := c*rowsPerChunk, min((c+1)*rowsPerChunk, t.rows)
				vals := buf[:(hi-lo)*t.cols]
				rng := rand.New(rand.NewPCG(seed, index<<32|uint64(c)))
				for j := range vals {
					if t.std == 0 {
						vals[j] = 1
					} else {
						vals[j] = float32(rng.NormFloat64() * t.std)
					}
				}
				if err := kernels.Quantize(data[lo*int(rowBytes):hi*int(rowBytes)], t.typ, vals); err != nil {
					errs <- fmt.Errorf("synth: tensor %s: %w", t.name, err)
					return
				}
			}
		}()
	}
	var err2 error
feed:
	for c := range chunks {
		select {
		case next <- c:
		case err2 = <-errs:
			break feed
		case <-ctx.Done():
			err2 = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err2 == nil {
		select {
		case err2 = <-errs:
		default:
		}
	}
	return data, err2
}
