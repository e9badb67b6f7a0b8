package tokenizer

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// Token attributes, as llama.cpp's llama_token_attr bits.
type attr uint16

const (
	attrUnknown     attr = 1 << 0
	attrUnused      attr = 1 << 1
	attrNormal      attr = 1 << 2
	attrControl     attr = 1 << 3
	attrUserDefined attr = 1 << 4
	attrByte        attr = 1 << 5
	attrLStrip      attr = 1 << 7
	attrRStrip      attr = 1 << 8
)

// attrFromType maps a tokenizer.ggml.token_type value (llama_token_type) to its attribute.
func attrFromType(t int32) attr {
	switch t {
	case 1:
		return attrNormal
	case 2:
		return attrUnknown
	case 3:
		return attrControl
	case 4:
		return attrUserDefined
	case 5:
		return attrUnused
	case 6:
		return attrByte
	}
	return 0 // undefined
}

type kind int

const (
	kindSPM kind = iota // tokenizer.ggml.model "llama"
	kindBPE             // tokenizer.ggml.model "gpt2"
)

// metadata is what a tokenizer is built from: the tokenizer.* keys of a GGUF file.
type metadata struct {
	model, pre   string
	tokens       []string
	scores       []float32 // nil: all zero
	types        []int32   // nil: all normal
	merges       []string
	ids          map[string]uint32 // present *_token_id keys, by key suffix ("bos", "eos", ...)
	bools        map[string]bool   // present boolean keys: add_bos_token, add_eos_token, add_space_prefix
	name, arch   string            // general.name, general.architecture
	chatTemplate string
}

// Tokenizer converts between text and token ids exactly as llama.cpp does for the same GGUF
// vocabulary. It is safe for concurrent use.
type Tokenizer struct {
	kind            kind
	model, pre      string
	tokens          []string
	scores          []float32
	attrs           []attr
	ids             map[string]int32
	pairs           map[uint64]pairMerge // merges of two tokens, by pairKey of their ids
	adjacent        map[uint64]bool      // SentencePiece: character pairs found next to each other in a token
	merges          map[string]int32     // other merges: mergeKey(left, right) -> rank
	byteIDs         [256]int32           // byte-level BPE: the token of each byte's character
	pieces          []string             // token_to_piece with special tokens as text
	special         []int32              // control, user-defined and unknown tokens, longest first
	specialGroup    []int32              // per special token: its index in specialPrefixes
	specialPrefixes []string             // the distinct first (up to) 4 bytes of the special tokens
	splitters       []splitter
	bytes           *byteTable
	byteTokens      [256]int32 // SPM byte fallback: <0xXX> (else the byte itself) tokens; -1 if absent
	hexTokens       [256]int32 // <0xXX> tokens; -1 if absent
	escapeSpaces    bool       // BPE on SentencePiece-style text: spaces become U+2581 (Gemma 4)
	bos, eos, eot   int32
	eom, unk        int32
	eog             map[int32]bool
	addBOS, addEOS  bool
	addSpacePrefix  bool
	cleanSpaces     bool
	ignoreMerges    bool
	chatTemplate    string
}

// pairMerge is a merge of two tokens: its rank and the id of the merged text (-1 if that is
// not a token).
type pairMerge struct{ rank, id int32 }

func pairKey(left, right int32) uint64 { return uint64(uint32(left))<<32 | uint64(uint32(right)) }

// buildMerges indexes tokenizer.ggml.merges. llama.cpp looks merges up by the texts of the two
// sides; when both are tokens (always, in practice) the pair of ids says the same thing and is
// cheaper to look up. The first of duplicate merges counts, as in llama.cpp.
func (t *Tokenizer) buildMerges(merges []string) {
	t.pairs = make(map[uint64]pairMerge, len(merges))
	t.merges = map[string]int32{}
	var kb []byte
	for i, w := range merges {
		// llama.cpp splits at the first space after the first byte.
		var left, right string
		if p := strings.IndexByte(w[min(1, len(w)):], ' '); p >= 0 {
			left, right = w[:p+1], w[p+2:]
		}
		l, lok := t.ids[left]
		r, rok := t.ids[right]
		if lok && rok {
			k := pairKey(l, r)
			if _, dup := t.pairs[k]; !dup {
				id, ok := t.ids[left+right]
				if !ok {
					id = -1
				}
				t.pairs[k] = pairMerge{int32(i), id}
			}
			continue
		}
		kb = mergeKey(kb, []byte(left), []byte(right))
		if _, dup := t.merges[string(kb)]; !dup {
			t.merges[string(kb)] = int32(i)
		}
	}
}

// mergeKey is the map key of the merge (left, right): the length of left, then both texts.
func mergeKey(buf []byte, left, right []byte) []byte {
	buf = binary.AppendUvarint(buf[:0], uint64(len(left)))
	buf = append(buf, left...)
	return append(buf, right...)
}

// newTokenizer builds a tokenizer from vocabulary metadata, following llama_vocab::load.
func newTokenizer(m *metadata) (*Tokenizer, error) {
	t := &Tokenizer{model: m.model, pre: m.pre, eot: -1, eom: -1, chatTemplate: m.chatTemplate}
	if len(m.tokens) == 0 {
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.tokens is missing or empty")
	}
	if len(m.tokens) > 1<<31-1 {
		return nil, fmt.Errorf("tokenizer: %d tokens do not fit int32 ids", len(m.tokens))
	}
	n := len(m.tokens)
	// Ids that are not in the file: the defaults of the tokenizer type.
	sep, pad, mask := int32(-1), int32(-1), int32(-1)
	switch m.model {
	case "llama":
		t.kind = kindSPM
		t.bos, t.eos, t.unk = 1, 2, 0
		t.addSpacePrefix, t.addBOS = true, true
	case "gpt2", "gemma4":
		t.kind = kindBPE
		t.bos, t.eos, t.unk = 11, 11, -1
		if m.model == "gemma4" {
			t.bos, t.eos = -1, -1
			t.pre = "gemma4"
		}
		cfg, ok := lookupPre(t.pre)
		if !ok {
			return nil, fmt.Errorf("tokenizer: unsupported pre-tokenizer %q (tokenizer.ggml.pre)", m.pre)
		}
		t.splitters, t.cleanSpaces, t.ignoreMerges, t.addBOS = cfg.steps, cfg.cleanSpaces, cfg.ignoreMerges, cfg.addBOS
		if cfg.noDefaultBOS {
			t.bos = -1
		}
		t.escapeSpaces = cfg.escapeSpaces
		if !cfg.rawBytes {
			t.bytes = newByteTable()
		}

	case "":
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.model is missing")
	default:
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer model %q (tokenizer.ggml.model; supported: llama, gpt2, gemma4)", m.model)
	}
	if v, ok := m.bools["add_space_prefix"]; ok {
		t.addSpacePrefix = v
	}
	if m.scores != nil && len(m.scores) < n {
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.scores has %d entries for %d tokens", len(m.scores), n)
	}
	if m.types != nil && len(m.types) < n {
		return nil, fmt.Errorf("tokenizer: tokenizer.ggml.token_type has %d entries for %d tokens", len(m.types), n)
	}

	t.tokens = make([]string, n)
	t.scores = make([]float32, n)
	t.attrs = make([]attr, n)
	t.ids = make(map[string]int32, n)
	for i, w := range m.tokens {
		if w == "" {
			w = fmt.Sprintf("[EMPTY_%d]", i)
		}
		t.tokens[i] = w
		t.ids[w] = int32(i)
		if m.scores != nil {
			t.scores[i] = m.scores[i]
		}
		t.attrs[i] = attrNormal
		if m.types != nil {
			t.attrs[i] = attrFromType(m.types[i])
		}
	}
	if t.kind == kindBPE {
		t.buildMerges(m.merges)
	} else {
		t.adjacent = map[uint64]bool{}
		for _, w := range t.tokens {
			prev := rune(-1)
			for _, c := range w {
				if c != utf8.RuneError && prev >= 0 {
					t.adjacent[pairKey(prev, c)] = true
				}
				prev = c
				if c == utf8.RuneError {
					prev = -1
				}
			}
		}
	}
	for b := range t.byteTokens {
		t.byteTokens[b], t.hexTokens[b], t.byteIDs[b] = -1, -1, -1
		if t.bytes != nil {
			if id, ok := t.ids[t.bytes.enc[b]]; ok {
				t.byteIDs[b] = id
			}
		}
		if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
			t.byteTokens[b], t.hexTokens[b] = id, id
		} else if id, ok := t.ids[string([]byte{byte(b)})]; ok {
			t.byteTokens[b] = id
		}
	}

	// Special token ids: defaults out of range are disabled; keys in range override.
	var fimPre, fimSuf, fimMid, fimPad, fimRep, fimSep int32 = -1, -1, -1, -1, -1, -1
	for _, s := range []struct {
		key string
		id  *int32
	}{
		{"bos", &t.bos}, {"eos", &t.eos}, {"eot", &t.eot}, {"eom", &t.eom}, {"unknown", &t.unk},
		{"seperator", &sep}, {"padding", &pad}, {"mask", &mask},
		{"fim_pre", &fimPre}, {"fim_suf", &fimSuf}, {"fim_mid", &fimMid}, {"fim_pad", &fimPad},
		{"fim_rep", &fimRep}, {"fim_sep", &fimSep},
		{"prefix", &fimPre}, {"suffix", &fimSuf}, {"middle", &fimMid},
	} {
		if *s.id >= int32(n) {
			*s.id = -1
		}
		if v, ok := m.ids[s.key]; ok && v < uint32(n) {
			*s.id = int32(v)
		}
	}
	if v, ok := m.bools["add_bos_token"]; ok {
		t.addBOS = v
	}
	if v, ok := m.bools["add_eos_token"]; ok {
		t.addEOS = v
	}
	if t.pre == "gemma4" || t.pre == "granite-embed-multi-311m" {
		t.addBOS = true // llama.cpp forces BOS for Gemma 4
	}

	t.detectSpecial(&fimPre, &fimSuf, &fimMid, &fimPad, &fimRep, &fimSep)
	t.setModelAttrs(m)

	for id := range t.attrs {
		if t.attrs[id]&(attrControl|attrUserDefined|attrUnknown) != 0 {
			t.special = append(t.special, int32(id))
		}
	}
	sort.SliceStable(t.special, func(a, b int) bool {
		return len(t.tokens[t.special[a]]) > len(t.tokens[t.special[b]])
	})
	groups := map[string]int32{}
	for _, id := range t.special {
		w := t.tokens[id]
		prefix := w[:min(len(w), specialPrefixLen)]
		g, ok := groups[prefix]
		if !ok {
			g = int32(len(t.specialPrefixes))
			groups[prefix] = g
			t.specialPrefixes = append(t.specialPrefixes, prefix)
		}
		t.specialGroup = append(t.specialGroup, g)
	}
	t.pieces = make([]string, n)
	for id := range t.pieces {
		t.pieces[id] = t.tokenToPiece(int32(id))
	}
	return t, nil
}

// Texts by which llama.cpp recognises end-of-turn, end-of-message and fill-in-the-middle tokens
// that the metadata does not name, in the order this package prefers them (llama.cpp takes
// whichever its hash map yields first).
var (
	eotTexts    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>", "<end_of_utterance>"}
	eomTexts    = []string{"<|eom_id|>"}
	fimPreTexts = []string{"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>"}
	fimSufTexts = []string{"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>"}
	fimMidTexts = []string{"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>"}
	fimPadTexts = []string{"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}
	fimRepTexts = []string{"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}
	fimSepTexts = []string{"<|file_sep|>"}
	eogTexts    = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~["}
)

// detectSpecial finds special tokens by their text and builds the end-of-generation set, as
// llama_vocab::load does after reading the ids; a token found this way becomes a control token.
func (t *Tokenizer) detectSpecial(fimPre, fimSuf, fimMid, fimPad, fimRep, fimSep *int32) {
	find := func(id *int32, texts []string) {
		if *id != -1 {
			return
		}
		for _, s := range texts {
			if tid, ok := t.ids[s]; ok {
				*id = tid
				t.attrs[tid] |= attrControl
				return
			}
		}
	}
	find(&t.eot, eotTexts)
	find(&t.eom, eomTexts)
	find(fimPre, fimPreTexts)
	find(fimSuf, fimSufTexts)
	find(fimMid, fimMidTexts)
	find(fimPad, fimPadTexts)
	find(fimRep, fimRepTexts)
	find(fimSep, fimSepTexts)

	for id, a := range t.attrs {
		if a&attrControl != 0 && a&attrUnused == 0 && strings.Contains(t.tokens[id], "unused") {
			t.attrs[id] |= attrUnused
		}
	}

	t.eog = map[int32]bool{}
	for _, id := range []int32{*fimPad, *fimRep, *fimSep} {
		if id != -1 {
			t.eog[id] = true
		}
	}
	for _, s := range eogTexts {
		if id, ok := t.ids[s]; ok {
			t.eog[id] = true
			t.attrs[id] |= attrControl
		}
	}
	for _, s := range []string{"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"} {
		if id, ok := t.ids[s]; ok {
			t.attrs[id] = attrUserDefined
		}
	}
	for _, id := range []int32{t.eos, t.eot, t.eom} {
		if id != -1 {
			t.eog[id] = true
		}
	}
	has := func(s string) (int32, bool) {
		id, ok := t.ids[s]
		return id, ok && t.eog[id]
	}
	_, hasReturn := has("<|return|>")
	_, hasCall := has("<|call|>")
	_, hasCalls := has("<|calls|>")
	_, hasFlush := has("<|flush|>")
	callAny := hasCall || hasCalls
	if end, hasEnd := has("<|end|>"); hasEnd && (hasReturn && callAny || callAny && hasFlush) {
		delete(t.eog, end)
		t.attrs[end] = attrUserDefined
	}
	if s, hasS := has("</s>"); hasS {
		if _, hasTool := has("<|tool_response>"); hasTool {
			delete(t.eog, s)
			t.attrs[s] = attrNormal
		}
	}
}

// setModelAttrs applies llama.cpp's per-model strip attributes (chosen by name).
func (t *Tokenizer) setModelAttrs(m *metadata) {
	name := strings.ToLower(m.name)
	set := func(text string, a attr, on bool) {
		id, ok := t.ids[text]
		if !ok {
			return
		}
		if on {
			t.attrs[id] |= a
		} else {
			t.attrs[id] &^= a
		}
	}
	containsAny := func(s string, subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(s, x) {
				return true
			}
		}
		return false
	}
	switch {
	case containsAny(m.pre, "jina-v2-de", "jina-v2-es", "jina-v2-code") || containsAny(m.arch, "nomic-bert-moe", "jina-bert-v3"):
		set("<mask>", attrLStrip, true)
	case containsAny(name, "phi-3", "phi3"):
		for id, a := range t.attrs {
			if a&(attrControl|attrUserDefined|attrUnknown) != 0 {
				t.attrs[id] |= attrRStrip
			}
		}
		set("</s>", attrRStrip, true)
		for _, s := range []string{"<unk>", "<s>", "<|endoftext|>"} {
			set(s, attrRStrip, false)
		}
	case containsAny(name, "modern-bert"):
		set("[MASK]", attrLStrip, true)
	}
}
