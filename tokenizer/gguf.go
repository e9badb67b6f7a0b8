package tokenizer

import (
	"errors"
	"fmt"

	"github.com/amulet-llm/amulet/gguf"
)

// FromGGUF builds the tokenizer described by a GGUF file's tokenizer.* metadata. It supports
// tokenizer.ggml.model "llama" (SentencePiece), "gpt2" (byte-level BPE) and "gemma4" (BPE on
// SentencePiece-style text) with the
// pre-tokenizers listed in the package documentation; anything else is an error naming it.
func FromGGUF(f *gguf.File) (*Tokenizer, error) {
	m := &metadata{ids: map[string]uint32{}, bools: map[string]bool{}}
	var err error
	str := func(key string, dst *string) {
		if err != nil {
			return
		}
		if _, ok := f.Lookup(key); ok {
			*dst, err = f.String(key)
		}
	}
	str("tokenizer.ggml.model", &m.model)
	str("tokenizer.ggml.pre", &m.pre)
	str("general.name", &m.name)
	str("general.architecture", &m.arch)
	str("tokenizer.chat_template", &m.chatTemplate)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if m.model == "" {
		return nil, errors.New("tokenizer: tokenizer.ggml.model is missing")
	}
	if m.tokens, err = f.Strings("tokenizer.ggml.tokens"); err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if v, ok := f.Lookup("tokenizer.ggml.scores"); ok {
		if et, _ := v.ElemType(); et == gguf.ValueInt32 {
			ints, err := f.Int32s("tokenizer.ggml.scores")
			if err != nil {
				return nil, fmt.Errorf("tokenizer: %w", err)
			}
			m.scores = make([]float32, len(ints))
			for i, x := range ints {
				m.scores[i] = float32(x)
			}
		} else if m.scores, err = f.Float32s("tokenizer.ggml.scores"); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	if _, ok := f.Lookup("tokenizer.ggml.token_type"); ok {
		if m.types, err = f.Int32s("tokenizer.ggml.token_type"); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	if _, ok := f.Lookup("tokenizer.ggml.merges"); ok {
		if m.merges, err = f.Strings("tokenizer.ggml.merges"); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	} else if m.model == "gpt2" || m.model == "gemma4" {
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.merges is missing (needed by a %s tokenizer)", m.model)
	}
	for _, k := range []string{"bos", "eos", "eot", "eom", "unknown", "seperator", "padding", "mask",
		"fim_pre", "fim_suf", "fim_mid", "fim_pad", "fim_rep", "fim_sep", "prefix", "suffix", "middle"} {
		key := "tokenizer.ggml." + k + "_token_id"
		if _, ok := f.Lookup(key); !ok {
			continue
		}
		u, err := f.Uint(key)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		if u <= 1<<32-1 {
			m.ids[k] = uint32(u)
		}
	}
	for _, k := range []string{"add_bos_token", "add_eos_token", "add_space_prefix"} {
		key := "tokenizer.ggml." + k
		if _, ok := f.Lookup(key); !ok {
			continue
		}
		b, err := f.Bool(key)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		m.bools[k] = b
	}
	t, err := newTokenizer(m)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, f.Name())
	}
	return t, nil
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

// Model returns tokenizer.ggml.model ("llama" or "gpt2").
func (t *Tokenizer) Model() string { return t.model }

// Pre returns tokenizer.ggml.pre ("" if absent).
func (t *Tokenizer) Pre() string { return t.pre }
