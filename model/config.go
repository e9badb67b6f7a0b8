package model

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// Config holds a model's hyperparameters, read from the GGUF metadata (keys prefixed by the
// architecture name, e.g. "llama.block_count") and from the tensor shapes.
type Config struct {
	Arch          string  // general.architecture: "llama" or "qwen2"
	Hidden        int     // embedding_length: width of the residual stream
	Layers        int     // block_count
	Heads         int     // attention.head_count: query heads
	KVHeads       int     // attention.head_count_kv: key/value heads (grouped-query attention)
	HeadDim       int     // attention.key_length, else Hidden / Heads
	FFN           int     // feed_forward_length: hidden width of the SwiGLU MLP
	Vocab         int     // rows of the output head (= token_embd rows)
	ContextLength int     // context_length the model was trained with
	RopeDims      int     // rope.dimension_count: leading dims of each head that RoPE rotates
	RopeBase      float64 // rope.freq_base (default 10000)
	// RopeNeoX selects the NeoX layout (pairs i and i+dims/2) instead of adjacent pairs
	// (2i, 2i+1). llama files use adjacent pairs (the converter permutes q/k); qwen2 uses NeoX.
	RopeNeoX    bool
	RopeScaling kernels.RoPEScaling // rope.scaling.*: "none" or "linear" (Llama 3 uses rope_freqs.weight)
	NormEps     float32             // attention.layer_norm_rms_epsilon
	TiedOutput  bool                // no output.weight: the output head is token_embd
}

// architectures maps each supported general.architecture to whether it uses NeoX RoPE.
var architectures = map[string]bool{
	"llama": false,
	"qwen2": true,
}

// SupportedArchitectures lists the values of general.architecture that Load accepts.
func SupportedArchitectures() []string { return []string{"llama", "qwen2"} }

// readConfig reads the hyperparameters of f. The vocabulary size and output tying are filled in
// by Load from the tensors.
func readConfig(f *gguf.File) (Config, error) {
	arch := f.Architecture()
	neox, ok := architectures[arch]
	if !ok {
		if arch == "" {
			return Config{}, fmt.Errorf("model: general.architecture is missing; supported: %s",
				strings.Join(SupportedArchitectures(), ", "))
		}
		return Config{}, fmt.Errorf("model: unsupported architecture %q; supported: %s",
			arch, strings.Join(SupportedArchitectures(), ", "))
	}
	c := Config{Arch: arch, RopeNeoX: neox}
	var err error
	posInt := func(suffix string, dst *int) {
		if err != nil {
			return
		}
		key := f.ArchKey(suffix)
		v, e := f.Uint(key)
		if e != nil {
			err = fmt.Errorf("model: %w", e)
			return
		}
		if v == 0 || v > 1<<24 {
			err = fmt.Errorf("model: %s = %d is out of range", key, v)
			return
		}
		*dst = int(v)
	}
	posInt("context_length", &c.ContextLength)
	posInt("embedding_length", &c.Hidden)
	posInt("block_count", &c.Layers)
	posInt("feed_forward_length", &c.FFN)
	posInt("attention.head_count", &c.Heads)
	if err != nil {
		return Config{}, err
	}
	c.KVHeads = c.Heads
	if _, ok := f.Lookup(f.ArchKey("attention.head_count_kv")); ok {
		posInt("attention.head_count_kv", &c.KVHeads)
	}
	c.HeadDim = c.Hidden / c.Heads
	if c.HeadDim == 0 && err == nil {
		err = fmt.Errorf("model: %s = %d is smaller than %s = %d (head dimension 0)",
			f.ArchKey("embedding_length"), c.Hidden, f.ArchKey("attention.head_count"), c.Heads)
	}
	if _, ok := f.Lookup(f.ArchKey("attention.key_length")); ok {
		posInt("attention.key_length", &c.HeadDim)
	}
	if _, ok := f.Lookup(f.ArchKey("attention.value_length")); ok {
		var vl int
		posInt("attention.value_length", &vl)
		if err == nil && vl != c.HeadDim {
			err = fmt.Errorf("model: %s = %d differs from the key length %d (unsupported)",
				f.ArchKey("attention.value_length"), vl, c.HeadDim)
		}
	}
	c.RopeDims = c.HeadDim
	if _, ok := f.Lookup(f.ArchKey("rope.dimension_count")); ok {
		posInt("rope.dimension_count", &c.RopeDims)
	}
	if err != nil {
		return Config{}, err
	}
	switch {
	case c.Heads%c.KVHeads != 0:
		return Config{}, fmt.Errorf("model: head_count %d is not a multiple of head_count_kv %d", c.Heads, c.KVHeads)
	case c.RopeDims > c.HeadDim || c.RopeDims%2 != 0:
		return Config{}, fmt.Errorf("model: %s = %d does not fit head dimension %d",
			f.ArchKey("rope.dimension_count"), c.RopeDims, c.HeadDim)
	}

	eps, err := f.Float(f.ArchKey("attention.layer_norm_rms_epsilon"))
	if err != nil {
		return Config{}, fmt.Errorf("model: %w", err)
	}
	if !(eps > 0 && eps < 1) {
		return Config{}, fmt.Errorf("model: %s = %g is out of range", f.ArchKey("attention.layer_norm_rms_epsilon"), eps)
	}
	c.NormEps = float32(eps)

	c.RopeBase = 10000
	if _, ok := f.Lookup(f.ArchKey("rope.freq_base")); ok {
		if c.RopeBase, err = f.Float(f.ArchKey("rope.freq_base")); err != nil {
			return Config{}, fmt.Errorf("model: %w", err)
		}
		if !(c.RopeBase > 1) || math.IsInf(c.RopeBase, 0) {
			return Config{}, fmt.Errorf("model: %s = %g is out of range", f.ArchKey("rope.freq_base"), c.RopeBase)
		}
	}
	c.RopeScaling, err = readRopeScaling(f)
	if err != nil {
		return Config{}, err
	}
	return c, nil
}

// readRopeScaling reads rope.scaling.type / factor / original_context_length, and the older
// rope.scale_linear key.
func readRopeScaling(f *gguf.File) (kernels.RoPEScaling, error) {
	s := kernels.RoPEScaling{Type: "none", Factor: 1}
	factor := func(key string) (float64, error) {
		v, err := f.Float(key)
		if err != nil {
			return 0, fmt.Errorf("model: %w", err)
		}
		if !(v > 0) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("model: %s = %g is out of range", key, v)
		}
		return v, nil
	}
	if _, ok := f.Lookup(f.ArchKey("rope.scale_linear")); ok {
		v, err := factor(f.ArchKey("rope.scale_linear"))
		if err != nil {
			return s, err
		}
		if v != 1 {
			s.Type, s.Factor = "linear", v
		}
	}
	typeKey := f.ArchKey("rope.scaling.type")
	if _, ok := f.Lookup(typeKey); !ok {
		return s, nil
	}
	t, err := f.String(typeKey)
	if err != nil {
		return s, fmt.Errorf("model: %w", err)
	}
	switch t {
	case "none":
		return kernels.RoPEScaling{Type: "none", Factor: 1}, nil
	case "linear":
		s.Type = "linear"
		if _, ok := f.Lookup(f.ArchKey("rope.scaling.factor")); ok {
			if s.Factor, err = factor(f.ArchKey("rope.scaling.factor")); err != nil {
				return s, err
			}
		}
		if _, ok := f.Lookup(f.ArchKey("rope.scaling.original_context_length")); ok {
			v, err := f.Uint(f.ArchKey("rope.scaling.original_context_length"))
			if err != nil {
				return s, fmt.Errorf("model: %w", err)
			}
			s.OrigContext = int(min(v, 1<<24))
		}
		if s.Factor == 1 {
			s.Type = "none"
		}
		return s, nil
	default:
		return s, fmt.Errorf("model: %s = %q is not supported (supported: none, linear; Llama 3 scaling comes from rope_freqs.weight)", typeKey, t)
	}
}

// errNoTensor is wrapped by every "missing tensor" error of Load.
var errNoTensor = errors.New("missing tensor")

// errUnsupportedType is wrapped by Load's error for a weight type the kernels cannot compute.
var errUnsupportedType = errors.New("unsupported weight type")
