package demo

import (
	"fmt"
	"sort"
	"strings"
)

// Token types of a llama (SentencePiece) GGUF vocabulary, as in llama.cpp's llama_token_type.
const (
	TokenNormal  int32 = 1
	TokenUnknown int32 = 2
	TokenControl int32 = 3
	TokenByte    int32 = 6
)

// Fixed ids of the demo vocabulary.
const (
	UnkID       int32 = 0
	BOSID       int32 = 1
	EOSID       int32 = 2 // "</s>"; the demo model ends its turns with ImEndID instead
	firstByteID int32 = 3
	ImStartID   int32 = 259
	ImEndID     int32 = 260
	firstNormal int32 = 261
)

// spaceMark is SentencePiece's escaped space, U+2581.
const spaceMark = "\u2581"

// ChatTemplate is the ChatML template written into the demo model's tokenizer.chat_template.
const ChatTemplate = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

// Vocab is a SentencePiece-style ("llama") vocabulary: <unk> <s> </s>, the 256 byte-fallback
// tokens <0x00>..<0xFF>, the ChatML control tokens <|im_start|> <|im_end|>, then the
// characters and BPE merges learned from text, with scores that make llama.cpp's SPM
// tokenizer (highest-scoring adjacent pair first) replay the merges in the order learned.
type Vocab struct {
	Tokens []string
	Scores []float32
	Types  []int32
	ids    map[string]int32
}

func newBaseVocab() *Vocab {
	v := &Vocab{ids: map[string]int32{}}
	v.add("<unk>", 0, TokenUnknown)
	v.add("<s>", 0, TokenControl)
	v.add("</s>", 0, TokenControl)
	for b := 0; b < 256; b++ {
		v.add(fmt.Sprintf("<0x%02X>", b), 0, TokenByte)
	}
	v.add("<|im_start|>", 0, TokenControl)
	v.add("<|im_end|>", 0, TokenControl)
	return v
}

func (v *Vocab) add(tok string, score float32, typ int32) {
	v.ids[tok] = int32(len(v.Tokens))
	v.Tokens = append(v.Tokens, tok)
	v.Scores = append(v.Scores, score)
	v.Types = append(v.Types, typ)
}

// NewVocab rebuilds a vocabulary from its token strings, scores and types (as stored in a
// GGUF file or in vocab.json); the three slices must have the same length.
func NewVocab(tokens []string, scores []float32, types []int32) (*Vocab, error) {
	if len(tokens) != len(scores) || len(tokens) != len(types) {
		return nil, fmt.Errorf("demo: vocab has %d tokens, %d scores, %d types", len(tokens), len(scores), len(types))
	}
	v := &Vocab{Tokens: tokens, Scores: scores, Types: types, ids: make(map[string]int32, len(tokens))}
	for i, t := range tokens {
		v.ids[t] = int32(i)
	}
	return v, nil
}

// specialTexts are the token texts split out of text before tokenizing (parse_special).
var specialTexts = []string{"<|im_start|>", "<|im_end|>", "<s>", "</s>"}

// fragments splits text at special-token texts the way llama.cpp does with parse_special:
// it returns the pieces in order; a piece with id >= 0 is that special token.
type fragment struct {
	id   int32
	text string
}

func (v *Vocab) fragments(text string) []fragment {
	var out []fragment
	for text != "" {
		best, at := -1, len(text)
		for i, s := range specialTexts {
			if j := strings.Index(text, s); j >= 0 && j < at {
				best, at = i, j
			}
		}
		if at > 0 {
			out = append(out, fragment{-1, text[:at]})
		}
		if best < 0 {
			break
		}
		out = append(out, fragment{v.ids[specialTexts[best]], ""})
		text = text[at+len(specialTexts[best]):]
	}
	return out
}

// words escapes spaces as U+2581, adds the space prefix llama.cpp's SPM tokenizer puts in
// front of text that follows a special token (or starts the input), and splits into words:
// each starts at a U+2581 or after a newline, and each newline is a word of its own. No vocab
// token spans two words, so tokenizing word by word equals tokenizing the whole text.
func words(text string, spacePrefix bool) []string {
	if spacePrefix {
		text = " " + text
	}
	text = strings.ReplaceAll(text, " ", spaceMark)
	var out []string
	start := 0
	for i, r := range text {
		if i > start && (r == '\u2581' || r == '\n' || text[i-1] == '\n') {
			out = append(out, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// TrainVocab learns a vocabulary of size tokens (special and byte tokens included) by BPE on
// the given texts, which are split at special tokens and escaped as the encoder does. Ties in
// pair frequency are broken by the pair's text, so the result depends only on the input.
func TrainVocab(texts []string, size int) *Vocab {
	v := newBaseVocab()
	counts := map[string]int{}
	for _, t := range texts {
		for _, f := range v.fragments(t) {
			if f.id < 0 {
				for _, w := range words(f.text, true) {
					counts[w]++
				}
			}
		}
	}
	type word struct {
		syms []string
		n    int
	}
	var ws []word
	chars := map[string]bool{}
	keys := make([]string, 0, len(counts))
	for w := range counts {
		keys = append(keys, w)
	}
	sort.Strings(keys)
	for _, w := range keys {
		var syms []string
		for _, r := range w {
			if r == '\n' {
				continue // newlines stay byte tokens, as in llama's own vocabularies
			}
			syms = append(syms, string(r))
			chars[string(r)] = true
		}
		ws = append(ws, word{syms, counts[w]})
	}
	charList := make([]string, 0, len(chars))
	for c := range chars {
		charList = append(charList, c)
	}
	sort.Strings(charList)
	for _, c := range charList {
		v.add(c, 0, TokenNormal)
	}
	for rank := 0; len(v.Tokens) < size; rank++ {
		pairs := map[[2]string]int{}
		for _, w := range ws {
			for i := 0; i+1 < len(w.syms); i++ {
				pairs[[2]string{w.syms[i], w.syms[i+1]}] += w.n
			}
		}
		var best [2]string
		bestN := 0
		for p, n := range pairs {
			if _, dup := v.ids[p[0]+p[1]]; dup {
				continue
			}
			if n > bestN || n == bestN && p[0]+"\x00"+p[1] < best[0]+"\x00"+best[1] {
				best, bestN = p, n
			}
		}
		if bestN < 2 {
			break
		}
		merged := best[0] + best[1]
		v.add(merged, -float32(rank+1), TokenNormal)
		for wi := range ws {
			s := ws[wi].syms
			out := s[:0]
			for i := 0; i < len(s); i++ {
				if i+1 < len(s) && s[i] == best[0] && s[i+1] == best[1] {
					out = append(out, merged)
					i++
				} else {
					out = append(out, s[i])
				}
			}
			ws[wi].syms = out
		}
	}
	return v
}

// Encoder tokenizes text with a Vocab exactly as llama.cpp's SPM tokenizer does with
// parse_special on and the default space prefix. It caches word tokenizations, so it is
// not safe for concurrent use.
type Encoder struct {
	v     *Vocab
	cache map[string][]int32
}

// NewEncoder returns an encoder for v.
func NewEncoder(v *Vocab) *Encoder { return &Encoder{v: v, cache: map[string][]int32{}} }

// Encode tokenizes text, splitting out special-token texts; addBOS prepends <s>.
func (e *Encoder) Encode(text string, addBOS bool) []int32 {
	var out []int32
	if addBOS {
		out = append(out, BOSID)
	}
	for _, f := range e.v.fragments(text) {
		if f.id >= 0 {
			out = append(out, f.id)
			continue
		}
		for _, w := range words(f.text, true) {
			ids, ok := e.cache[w]
			if !ok {
				ids = e.v.spm(w)
				e.cache[w] = ids
			}
			out = append(out, ids...)
		}
	}
	return out
}

// spm runs SentencePiece's bigram merge: repeatedly merge the adjacent pair whose
// concatenation is a token with the highest score (leftmost on ties), then map each symbol to
// its token or to byte tokens.
func (v *Vocab) spm(text string) []int32 {
	var syms []string
	for _, r := range text {
		syms = append(syms, string(r))
	}
	for {
		bi, bs := -1, float32(0)
		for i := 0; i+1 < len(syms); i++ {
			id, ok := v.ids[syms[i]+syms[i+1]]
			if !ok {
				continue
			}
			if bi < 0 || v.Scores[id] > bs {
				bi, bs = i, v.Scores[id]
			}
		}
		if bi < 0 {
			break
		}
		syms[bi] += syms[bi+1]
		syms = append(syms[:bi+1], syms[bi+2:]...)
	}
	var out []int32
	for _, s := range syms {
		if id, ok := v.ids[s]; ok {
			out = append(out, id)
			continue
		}
		for i := 0; i < len(s); i++ {
			out = append(out, firstByteID+int32(s[i]))
		}
	}
	return out
}

// Decode turns ids back into text (special tokens as their text, bytes reassembled, U+2581
// as a space, and the leading space of the text dropped as llama.cpp does for SPM).
func (v *Vocab) Decode(ids []int32) string {
	var b []byte
	for _, id := range ids {
		if id < 0 || int(id) >= len(v.Tokens) {
			continue
		}
		switch v.Types[id] {
		case TokenByte:
			b = append(b, byte(id-firstByteID))
		case TokenNormal:
			b = append(b, strings.ReplaceAll(v.Tokens[id], spaceMark, " ")...)
		default:
			if id != BOSID {
				b = append(b, v.Tokens[id]...)
			}
		}
	}
	return strings.TrimPrefix(string(b), " ")
}

// RenderChatML renders a conversation with ChatTemplate; an empty system prompt is left out,
// and with answer == "" the text ends with the generation prompt "<|im_start|>assistant\n".
// With an answer, the text ends with the answer's "<|im_end|>\n".
func RenderChatML(system, user, answer string) string {
	var b strings.Builder
	if system != "" {
		b.WriteString("<|im_start|>system\n" + system + "<|im_end|>\n")
	}
	b.WriteString("<|im_start|>user\n" + user + "<|im_end|>\n")
	b.WriteString("<|im_start|>assistant\n")
	if answer != "" {
		b.WriteString(answer + "<|im_end|>\n")
	}
	return b.String()
}
