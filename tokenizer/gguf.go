package tokenizer

import (
	"errors"
	"fmt"

	"github.com/amulet-llm/amulet/gguf"
)

// FromGGUF builds the tokenizer described by a GGUF file's tokenizer.* metadata. It supports
// tokenizer.ggml.model "llama" (SentencePiece), "gpt2" (byte-level BPE) and "gemma4" (BPE on
// SentencePiece-style text) with the pre-tokenizers listed in the package documentation;
// anything else is an error naming it. Errors name the file and the key.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	m, err := readMetadata(f)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err) // gguf's errors name the file and key
	}
	t, err := newTokenizer(m)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, f.Name())
	}
	return t, nil
}

// optional drops the error of a missing key, which then keeps its default.
func optional(err error) error {
	if errors.Is(err, gguf.ErrMissing) {
		return nil
	}
	return err
}

// readMetadata reads the keys a tokenizer is built from.
func readMetadata(f *gguf.File) (*metadata, error) {
	m := &metadata{ids: map[string]uint32{}, bools: map[string]bool{}}
	var err error
	if m.model, err = f.String("tokenizer.ggml.model"); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		key string
		dst *string
	}{
		{"tokenizer.ggml.pre", &m.pre}, {"general.name", &m.name},
		{"general.architecture", &m.arch}, {"tokenizer.chat_template", &m.chatTemplate},
	} {
		if *s.dst, err = f.String(s.key); optional(err) != nil {
			return nil, err
		}
	}
	if m.tokens, err = f.Strings("tokenizer.ggml.tokens"); err != nil {
		return nil, err
	}
	if v, ok := f.Lookup("tokenizer.ggml.scores"); ok {
		if et, _ := v.ElemType(); et == gguf.ValueInt32 {
			ints, err := f.Int32s("tokenizer.ggml.scores")
			if err != nil {
				return nil, err
			}
			m.scores = make([]float32, len(ints))
			for i, x := range ints {
				m.scores[i] = float32(x)
			}
		} else if m.scores, err = f.Float32s("tokenizer.ggml.scores"); err != nil {
			return nil, err
		}
	}
	if m.types, err = f.Int32s("tokenizer.ggml.token_type"); optional(err) != nil {
		return nil, err
	}
	if m.merges, err = f.Strings("tokenizer.ggml.merges"); err != nil {
		if m.model == "gpt2" || m.model == "gemma4" {
			return nil, fmt.Errorf("%w (needed by a %s tokenizer)", err, m.model)
		}
		if optional(err) != nil {
			return nil, err
		}
	}
	for _, k := range []string{"bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask",
		"fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep", "prefix", "suffix", "middle"} {
		u, err := f.Uint("tokenizer.ggml." + k + "_token_id")
		if err != nil {
			if optional(err) != nil {
				return nil, err
			}
			continue
		}
		if u <= 1<<32-1 {
			m.ids[k] = uint32(u)
		}
	}
	for _, k := range []string{"add_bos_token", "add_eos_token", "add_space_prefix"} {
		b, err := f.Bool("tokenizer.ggml." + k)
		if err != nil {
			if optional(err) != nil {
				return nil, err
			}
			continue
		}
		m.bools[k] = b
	}
	return m, nil
}

// BOS returns the beginning-of-sequence token, or -1 if none.
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS returns the end-of-sequence token, or -1 if none.
func (t *Tokenizer) EOS() int32 { return t.eos }

// EOT returns the end-of-turn token (from metadata, else found by its text such as
// "<|eot_id|>" or "<|im_end|>"), or -1 if none.
func (t *Tokenizer) EOT() int32 { return t.eot }

// VocabSize returns the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.tokens) }

// AddBOS reports whether the vocabulary asks for BOS at the start of a prompt.
func (t *Tokenizer) AddBOS() bool { return t.addBOS && t.bos >= 0 }

// AddEOS reports whether the vocabulary asks for EOS at the end of a prompt.
func (t *Tokenizer) AddEOS() bool { return t.addEOS && t.eos >= 0 }

// IsEOG reports whether generation ends at this token: EOS, EOT, EOM and the other tokens
// llama.cpp counts as end of generation.
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// ChatTemplate returns tokenizer.chat_template, or "" if the file has none.
func (t *Tokenizer) ChatTemplate() string { return t.chatTemplate }

// Model returns tokenizer.ggml.model ("llama", "gpt2" or "gemma4").
func (t *Tokenizer) Model() string { return t.model }

// Pre returns tokenizer.ggml.pre ("" if absent).
func (t *Tokenizer) Pre() string { return t.pre }
