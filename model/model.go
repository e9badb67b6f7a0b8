// Package model runs decoder-only transformers of the llama family (llama, qwen2) read from
// GGUF files: hyperparameters from the metadata, weights bound by GGUF tensor name and left
// in the memory-mapped file, and a Session holding a KV cache for several sequences with a
// batched forward pass.
//
// The forward pass is the one of Llama 2 (and of llama2.c's run.c), per token:
//
//	x   = token_embd[token]
//	for each layer:
//	    h = rmsnorm(x) * attn_norm
//	    q, k, v = h·Wq (+bq), h·Wk (+bk), h·Wv (+bv)     Wk, Wv have KVHeads heads (GQA)
//	    q, k = rope(q, pos), rope(k, pos)
//	    append k, v to the sequence's cache
//	    a = softmax(q·Kᵀ / sqrt(headDim)) · V         per head, over positions [0, pos]
//	    x = x + a·Wo
//	    h = rmsnorm(x) * ffn_norm
//	    x = x + (silu(h·Wgate) ⊙ h·Wup)·Wdown
//	logits = (rmsnorm(x) * output_norm)·Woutput
//
// Where to read: this pseudocode is cpuBackend.forward in cpu.go, line for line; config.go
// reads the hyperparameters, Load below binds the weights, session.go checks batches and
// holds the per-sequence lengths.
package model

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// Model is a loaded transformer: its configuration and its weights, which alias the GGUF
// file's mapping (the file must stay open while the model is used).
type Model struct {
	Config Config

	tokenEmbd  kernels.Matrix // token_embd.weight: Vocab rows of Hidden
	outputNorm []float32      // output_norm.weight
	output     kernels.Matrix // output.weight, or token_embd.weight when tied
	ropeFreqs  []float32      // rope_freqs.weight (Llama 3 frequency factors), or nil
	layers     []layer
}

// layer holds one transformer block's weights, named after their GGUF tensors blk.N.<name>.
type layer struct {
	attnNorm    []float32      // attn_norm: RMSNorm weight before attention
	attnQ       kernels.Matrix // attn_q: Hidden -> Heads*HeadDim
	attnK       kernels.Matrix // attn_k: Hidden -> KVHeads*HeadDim
	attnV       kernels.Matrix // attn_v: Hidden -> KVHeads*HeadDim
	attnQBias   []float32      // attn_q.bias (qwen2), or nil
	attnKBias   []float32      // attn_k.bias
	attnVBias   []float32      // attn_v.bias
	attnOutput  kernels.Matrix // attn_output: Heads*HeadDim -> Hidden
	attnOutBias []float32      // attn_output.bias, or nil
	ffnNorm     []float32      // ffn_norm: RMSNorm weight before the MLP
	ffnGate     kernels.Matrix // ffn_gate: Hidden -> FFN
	ffnUp       kernels.Matrix // ffn_up: Hidden -> FFN
	ffnDown     kernels.Matrix // ffn_down: FFN -> Hidden
}

// binder binds tensors of one file by name, checking type and shape.
type binder struct{ f *gguf.File }

// matrix binds a 2-D weight of `rows` rows of `cols` elements (GGUF shape [cols, rows]).
func (b binder) matrix(name string, cols, rows int) (kernels.Matrix, error) {
	t, ok := b.f.Tensor(name)
	if !ok {
		return kernels.Matrix{}, fmt.Errorf("model: %w %s", errNoTensor, name)
	}
	if len(t.Shape) != 2 || t.Shape[0] != int64(cols) || t.Shape[1] != int64(rows) {
		return kernels.Matrix{}, fmt.Errorf("model: tensor %s has shape %v, want [%d %d]", name, t.Shape, cols, rows)
	}
	if !kernels.Supported(t.Type) {
		return kernels.Matrix{}, fmt.Errorf("model: tensor %s: %w %s (supported: %s)",
			name, errUnsupportedType, t.Type, supportedTypes())
	}
	data, err := b.f.TensorData(t)
	if err != nil {
		return kernels.Matrix{}, fmt.Errorf("model: tensor %s: %w", name, err)
	}
	m, err := kernels.NewMatrix(t, data)
	if err != nil {
		return kernels.Matrix{}, fmt.Errorf("model: tensor %s: %w", name, err)
	}
	return m, nil
}

// vector reads a 1-D tensor of n elements as float32 (a small copy: norms and biases).
// A missing optional vector gives nil.
func (b binder) vector(name string, n int, optional bool) ([]float32, error) {
	t, ok := b.f.Tensor(name)
	if !ok {
		if optional {
			return nil, nil
		}
		return nil, fmt.Errorf("model: %w %s", errNoTensor, name)
	}
	if t.Elements() != int64(n) || len(t.Shape) != 1 {
		return nil, fmt.Errorf("model: tensor %s has shape %v, want [%d]", name, t.Shape, n)
	}
	data, err := b.f.TensorData(t)
	if err != nil {
		return nil, fmt.Errorf("model: tensor %s: %w", name, err)
	}
	v := make([]float32, n)
	if err := kernels.Dequantize(v, t.Type, data); err != nil {
		return nil, fmt.Errorf("model: tensor %s: %w", name, err)
	}
	return v, nil
}

func supportedTypes() string {
	var names []string
	for _, t := range []gguf.Type{gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0, gguf.TypeQ4_0,
		gguf.TypeQ4_1, gguf.TypeQ5_0, gguf.TypeQ5_1, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K,
		gguf.TypeQ5_K, gguf.TypeQ6_K} {
		if kernels.Supported(t) {
			names = append(names, t.String())
		}
	}
	return strings.Join(names, ", ")
}

// LoadOptions change how LoadWith binds the weights; the zero value is Load's behaviour.
type LoadOptions struct {
	// NoRepack keeps every weight matrix in the file's layout. By default, where the CPU
	// has kernels for it (kernels.CanRepack: Q8_0, Q4_0, Q4_K and Q6_K with AVX-512 VNNI), matrices
	// are copied at load into interleaved 16-row tiles (kernels.Repack): decoding then
	// streams each weight once through the widest dot instructions however many sequences
	// share the batch, and the file pages of those matrices are released, so resident
	// memory stays about the file's size (llama.cpp's CPU "repack" buffers do the same;
	// its --no-repack is this).
	NoRepack bool
}

// Load reads the configuration of f and binds its weights (LoadWith with the default
// options). The weight matrices alias f's mapping: keep f open while the model is in use.
// An unsupported architecture or a missing or mis-shaped tensor is an error naming it
// (and, for the architecture, listing the supported ones).
func Load(f *gguf.File) (*Model, error) {
	return LoadWith(f, LoadOptions{})
}

// LoadWith is Load with options.
func LoadWith(f *gguf.File, opts LoadOptions) (*Model, error) {
	c, err := readConfig(f)
	if err != nil {
		return nil, err
	}
	b := binder{f}
	m := &Model{}

	emb, ok := f.Tensor("token_embd.weight")
	if !ok {
		return nil, fmt.Errorf("model: %w token_embd.weight", errNoTensor)
	}
	if len(emb.Shape) != 2 || emb.Shape[1] < 1 || emb.Shape[1] > 1<<24 {
		return nil, fmt.Errorf("model: tensor token_embd.weight has shape %v, want [%d vocab]", emb.Shape, c.Hidden)
	}
	c.Vocab = int(emb.Shape[1])
	if m.tokenEmbd, err = b.matrix("token_embd.weight", c.Hidden, c.Vocab); err != nil {
		return nil, err
	}
	if toks, err := f.Strings("tokenizer.ggml.tokens"); err == nil && len(toks) > c.Vocab {
		return nil, fmt.Errorf("model: tokenizer.ggml.tokens has %d tokens but token_embd.weight only %d rows", len(toks), c.Vocab)
	}
	if m.outputNorm, err = b.vector("output_norm.weight", c.Hidden, false); err != nil {
		return nil, err
	}
	if _, ok := f.Tensor("output.weight"); ok {
		if m.output, err = b.matrix("output.weight", c.Hidden, c.Vocab); err != nil {
			return nil, err
		}
	} else {
		c.TiedOutput = true
		m.output = m.tokenEmbd
	}
	if m.ropeFreqs, err = b.vector("rope_freqs.weight", c.RopeDims/2, true); err != nil {
		return nil, err
	}

	qDim, kvDim := c.Heads*c.HeadDim, c.KVHeads*c.HeadDim
	m.layers = make([]layer, c.Layers)
	for i := range m.layers {
		l := &m.layers[i]
		p := fmt.Sprintf("blk.%d.", i)
		steps := []func() error{
			func() (err error) { l.attnNorm, err = b.vector(p+"attn_norm.weight", c.Hidden, false); return },
			func() (err error) { l.attnQ, err = b.matrix(p+"attn_q.weight", c.Hidden, qDim); return },
			func() (err error) { l.attnK, err = b.matrix(p+"attn_k.weight", c.Hidden, kvDim); return },
			func() (err error) { l.attnV, err = b.matrix(p+"attn_v.weight", c.Hidden, kvDim); return },
			func() (err error) { l.attnQBias, err = b.vector(p+"attn_q.bias", qDim, c.Arch == "llama"); return },
			func() (err error) { l.attnKBias, err = b.vector(p+"attn_k.bias", kvDim, c.Arch == "llama"); return },
			func() (err error) { l.attnVBias, err = b.vector(p+"attn_v.bias", kvDim, c.Arch == "llama"); return },
			func() (err error) { l.attnOutput, err = b.matrix(p+"attn_output.weight", qDim, c.Hidden); return },
			func() (err error) { l.attnOutBias, err = b.vector(p+"attn_output.bias", c.Hidden, true); return },
			func() (err error) { l.ffnNorm, err = b.vector(p+"ffn_norm.weight", c.Hidden, false); return },
			func() (err error) { l.ffnGate, err = b.matrix(p+"ffn_gate.weight", c.Hidden, c.FFN); return },
			func() (err error) { l.ffnUp, err = b.matrix(p+"ffn_up.weight", c.Hidden, c.FFN); return },
			func() (err error) { l.ffnDown, err = b.matrix(p+"ffn_down.weight", c.FFN, c.Hidden); return },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return nil, err
			}
		}
	}
	m.Config = c
	if !opts.NoRepack {
		m.repack(f)
	}
	return m, nil
}

// repack copies the matrices that kernels.Repack supports into its layout, on all CPUs
// (each matrix is independent), and releases the file pages they were copied from.
func (m *Model) repack(f *gguf.File) {
	type job struct {
		w    *kernels.Matrix
		name string
	}
	var jobs []job
	add := func(w *kernels.Matrix, name string) {
		if kernels.CanRepack(*w) {
			jobs = append(jobs, job{w, name})
		}
	}
	outName := "output.weight"
	if m.Config.TiedOutput {
		outName = "token_embd.weight" // m.output gets the copy; lookups keep reading the file
	}
	add(&m.output, outName)
	for i := range m.layers {
		l, p := &m.layers[i], fmt.Sprintf("blk.%d.", i)
		add(&l.attnQ, p+"attn_q.weight")
		add(&l.attnK, p+"attn_k.weight")
		add(&l.attnV, p+"attn_v.weight")
		add(&l.attnOutput, p+"attn_output.weight")
		add(&l.ffnGate, p+"ffn_gate.weight")
		add(&l.ffnUp, p+"ffn_up.weight")
		add(&l.ffnDown, p+"ffn_down.weight")
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(jobs)); i = next.Add(1) - 1 {
				j := jobs[i]
				*j.w = kernels.Repack(*j.w)
				if t, ok := f.Tensor(j.name); ok {
					f.ReleasePages(t)
				}
			}
		})
	}
	wg.Wait()
}
