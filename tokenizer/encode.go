package tokenizer

import (
	"math"
	"strings"
	"unicode/utf8"
)

// Encode converts text to token ids as llama.cpp's llama_tokenize does. With addSpecial, BOS
// and EOS are added where the vocabulary asks for them (add_bos_token / add_eos_token). With
// parseSpecial, the text of control tokens (such as "<|im_start|>") in the input becomes those
// tokens; without it, only user-defined tokens are matched by their text and everything else
// is ordinary text. Invalid UTF-8 never fails: SentencePiece vocabularies fall back to byte
// tokens, byte-level BPE vocabularies see each invalid byte as U+FFFD (as llama.cpp does).
func (t *Tokenizer) Encode(text string, addSpecial, parseSpecial bool) []int32 {
	out := make([]int32, 0, len(text)/4+2)
	var e encoder
	if addSpecial && t.addBOS && t.bos >= 0 {
		out = append(out, t.bos)
	}
	prevSpecial := true // SentencePiece: a text after a special token (or at the start) gets a space
	for _, f := range t.partition(text, parseSpecial) {
		if f.tok >= 0 {
			out = append(out, f.tok)
			prevSpecial = true
			continue
		}
		frag := text[f.lo:f.hi]
		switch t.kind {
		case kindSPM:
			buf := e.text[:0]
			if t.addSpacePrefix && prevSpecial {
				buf = append(buf, spaceMark...)
			}
			buf = appendEscaped(buf, frag)
			e.text = buf
			out = e.spm(t, buf, out)
		case kindBPE:
			if t.escapeSpaces {
				e.text = appendEscaped(e.text[:0], frag)
				frag = string(e.text)
			}
			out = e.bpe(t, frag, out)
		}
		prevSpecial = false
	}
	if addSpecial && t.addEOS && t.eos >= 0 {
		out = append(out, t.eos)
	}
	return out
}

// spaceMark is SentencePiece's visible space, U+2581.
const spaceMark = "\u2581"

// appendEscaped appends s with every space replaced by U+2581.
func appendEscaped(dst []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, spaceMark...)
		s = s[i+1:]
	}
}

// fragment is a piece of the input: a special token (tok >= 0) or text[lo:hi].
type fragment struct {
	tok    int32
	lo, hi int
}

// specialPrefixLen is how many leading bytes of the special tokens partition groups them by.
const specialPrefixLen = 4

// isCSpace is C's isspace in the "C" locale.
func isCSpace(b byte) bool { return b == ' ' || b >= '\t' && b <= '\r' }

// partition cuts text at the special tokens it contains, longest tokens first, as llama.cpp's
// tokenizer_st_partition does (including its lstrip/rstrip of whitespace around some tokens).
func (t *Tokenizer) partition(text string, parseSpecial bool) []fragment {
	if text == "" {
		return nil
	}
	frags := []fragment{{-1, 0, len(text)}}
	var next []fragment
	// Many special tokens share their first bytes ("[PAD100015]", "[PAD100016]", ... 2398 of
	// them in deepseek-llm): a token whose prefix is nowhere in the text is in no fragment, so
	// one search per prefix spares a search of the text per token.
	inText := make([]int8, len(t.specialPrefixes)) // 0 not searched yet, 1 found, -1 absent
	for k, id := range t.special {
		a := t.attrs[id]
		if !parseSpecial && a&(attrControl|attrUnknown) != 0 {
			continue
		}
		g := t.specialGroup[k]
		if inText[g] == 0 {
			inText[g] = -1
			if strings.Contains(text, t.specialPrefixes[g]) {
				inText[g] = 1
			}
		}
		if inText[g] < 0 {
			continue
		}
		s := t.tokens[id]
		found := false
		next = next[:0]
		for _, f := range frags {
			if f.tok >= 0 {
				next = append(next, f)
				continue
			}
			lo, hi := f.lo, f.hi
			for lo < hi {
				i := strings.Index(text[lo:hi], s)
				if i < 0 {
					break
				}
				found = true
				m := lo + i
				l := m
				if a&attrLStrip != 0 {
					for l > lo && isCSpace(text[l-1]) {
						l--
					}
				}
				if l > lo {
					next = append(next, fragment{-1, lo, l})
				}
				next = append(next, fragment{tok: id})
				lo = m + len(s)
				if a&attrRStrip != 0 {
					for lo < hi && isCSpace(text[lo]) {
						lo++
					}
				}
			}
			if lo < hi {
				next = append(next, fragment{-1, lo, hi})
			}
		}
		if found {
			frags, next = next, frags
		}
	}
	return frags
}

// encoder holds the scratch space of one Encode call.
type encoder struct {
	text  []byte
	word  []byte
	key   []byte
	cpts  []rune
	segs  []int
	segs2 []int
	syms  []symbol
	heap  bigramHeap
}

// symbol is a run of bytes of the text being merged, in a doubly linked list.
type symbol struct {
	prev, next int32
	off, n     int32
	id         int32 // BPE: the token of the text, -1 if none
}

// bigram is a candidate merge of symbols left and right (size bytes together). Candidates
// come out of the heap by increasing key; the key orders by priority, then by left.
type bigram struct {
	key         uint64
	right, size int32
	id          int32 // BPE: the token of the merged text, -1 if none
}

func (b bigram) left() int32 { return int32(uint32(b.key)) }

// bpeKey orders BPE merges: lowest rank first, then leftmost.
func bpeKey(rank, left int32) uint64 { return uint64(uint32(rank))<<32 | uint64(uint32(left)) }

// spmKey orders SentencePiece merges: highest score first, then leftmost.
func spmKey(score float32, left int32) uint64 {
	if score == 0 {
		score = 0 // -0 ties with +0, as in a float comparison
	}
	bits := math.Float32bits(score)
	if bits&0x80000000 != 0 {
		bits = ^bits
	} else {
		bits |= 0x80000000
	}
	return uint64(^bits)<<32 | uint64(uint32(left))
}

// splitChars makes one symbol per UTF-8 sequence of s (by lead byte, as llama.cpp does).
func (e *encoder) splitChars(s []byte) []symbol {
	syms := e.syms[:0]
	for off := 0; off < len(s); {
		n := min(utf8Len(s[off]), len(s)-off)
		next := int32(len(syms) + 1)
		if off+n == len(s) {
			next = -1
		}
		syms = append(syms, symbol{prev: int32(len(syms) - 1), next: next, off: int32(off), n: int32(n), id: -1})
		off += n
	}
	e.syms = syms
	return syms
}

// spm is llama.cpp's llm_tokenizer_spm: repeatedly merge the adjacent pair that forms the
// highest-scoring token (leftmost on ties); what remains unknown falls back to byte tokens.
//
// llama.cpp runs this on the whole text at once. Here the text is first cut between two
// characters that appear next to each other in no token: no merge can ever join them, so the
// pieces merge independently and in the same order (the priority order restricted to a piece
// is the same), which keeps the heap small. Characters that are not valid UTF-8 are never cut
// next to.
func (e *encoder) spm(t *Tokenizer, text []byte, out []int32) []int32 {
	start, prev := 0, rune(-1)
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		c, size := utf8.DecodeRune(text[off : off+n])
		if size != n || c == utf8.RuneError {
			c = -1
		}
		if c >= 0 && prev >= 0 && !t.adjacent[pairKey(prev, c)] {
			out = e.spmPiece(t, text[start:off], out)
			start = off
		}
		prev = c
		off += n
	}
	return e.spmPiece(t, text[start:], out)
}

func (e *encoder) spmPiece(t *Tokenizer, text []byte, out []int32) []int32 {
	syms := e.splitChars(text)
	h := &e.heap
	try := func(l, r int32) {
		if l < 0 || r < 0 {
			return
		}
		s := text[syms[l].off : syms[l].off+syms[l].n+syms[r].n]
		if id, ok := t.ids[string(s)]; ok {
			h.push(bigram{key: spmKey(t.scores[id], l), right: r, size: int32(len(s)), id: -1})
		}
	}
	e.mergeAll(syms, try)
	for i := int32(0); i >= 0 && int(i) < len(syms); i = syms[i].next {
		s := text[syms[i].off : syms[i].off+syms[i].n]
		if id, ok := t.ids[string(s)]; ok {
			out = append(out, id)
			continue
		}
		for _, c := range s {
			if id := t.byteTokens[c]; id >= 0 {
				out = append(out, id)
			} else if t.unk >= 0 {
				out = append(out, t.unk)
			}
		}
	}
	return out
}

// bpe runs the pre-tokenizer on text and byte-level BPE on each word, as llama.cpp's
// llm_tokenizer_bpe_session: repeatedly merge the adjacent pair with the lowest merge rank
// (leftmost on ties).
func (e *encoder) bpe(t *Tokenizer, text string, out []int32) []int32 {
	e.cpts = decodeCpts(e.cpts[:0], text)
	cpts := e.cpts
	segs := append(e.segs[:0], len(cpts))
	for _, split := range t.splitters {
		next := e.segs2[:0]
		start := 0
		for _, n := range segs {
			next = split(cpts, next, start, start+n)
			start += n
		}
		segs, e.segs2 = next, segs
	}
	e.segs = segs
	start := 0
	var utf [4]byte
	for _, n := range segs {
		word, syms := e.word[:0], e.syms[:0]
		for _, c := range cpts[start : start+n] {
			if t.bytes == nil {
				word = appendCpt(word, c)
				continue
			}
			// One symbol per byte: its character under GPT-2's byte mapping, and its token.
			for _, b := range appendCpt(utf[:0], c) {
				off := len(word)
				word = append(word, t.bytes.enc[b]...)
				syms = append(syms, symbol{prev: int32(len(syms) - 1), next: int32(len(syms) + 1),
					off: int32(off), n: int32(len(word) - off), id: t.byteIDs[b]})
			}
		}
		start += n
		e.word = word
		if t.bytes == nil {
			syms = e.splitChars(word)
			for i := range syms {
				s := &syms[i]
				if id, ok := t.ids[string(word[s.off:s.off+s.n])]; ok {
					s.id = id
				}
			}
		} else if len(syms) > 0 {
			syms[len(syms)-1].next = -1
		}
		e.syms = syms
		out = e.bpeWord(t, word, syms, out)
	}
	return out
}

func (e *encoder) bpeWord(t *Tokenizer, word []byte, syms []symbol, out []int32) []int32 {
	if t.ignoreMerges || t.pre == "gemma4" && allNewlines(word) {
		if id, ok := t.ids[string(word)]; ok {
			return append(out, id)
		}
	}
	h := &e.heap
	add := func(l, r int32) {
		if l < 0 || r < 0 {
			return
		}
		ls, rs := syms[l], syms[r]
		if ls.id >= 0 && rs.id >= 0 {
			if m, ok := t.pairs[pairKey(ls.id, rs.id)]; ok {
				h.push(bigram{key: bpeKey(m.rank, l), right: r, size: ls.n + rs.n, id: m.id})
			}
			return
		}
		if len(t.merges) == 0 {
			return
		}
		e.key = mergeKey(e.key, word[ls.off:ls.off+ls.n], word[rs.off:rs.off+rs.n])
		if rank, ok := t.merges[string(e.key)]; ok {
			id, ok := t.ids[string(word[ls.off:ls.off+ls.n+rs.n])]
			if !ok {
				id = -1
			}
			h.push(bigram{key: bpeKey(rank, l), right: r, size: ls.n + rs.n, id: id})
		}
	}
	e.mergeAll(syms, add)
	for _, s := range syms {
		if s.n == 0 {
			continue
		}
		if s.id >= 0 {
			out = append(out, s.id)
			continue
		}
		// Not a token: its bytes one by one, each if it is a token (else dropped, as in llama.cpp).
		text := word[s.off : s.off+s.n]
		for i := range text {
			if t.bytes == nil {
				if id := t.hexTokens[text[i]]; id >= 0 {
					out = append(out, id)
				}
			} else if id, ok := t.ids[string(text[i:i+1])]; ok {
				out = append(out, id)
			}
		}
	}
	return out
}

// mergeAll runs the merges of one word: it offers every adjacent pair of syms to offer, which
// pushes the pairs that can merge onto e.heap, then applies the queued merges in heap order,
// offering the pairs each merged symbol makes with its neighbours.
func (e *encoder) mergeAll(syms []symbol, offer func(l, r int32)) {
	h := &e.heap
	h.items = h.items[:0]
	for i := 1; i < len(syms); i++ {
		offer(int32(i-1), int32(i))
	}
	for len(h.items) > 0 {
		if left, ok := mergeBigram(syms, h.pop()); ok {
			offer(syms[left].prev, left)
			offer(left, syms[left].next)
		}
	}
}

// mergeBigram joins the two symbols of b into the left one, unless either has changed since b
// was pushed (b is stale), and returns the left symbol's index and whether it merged.
func mergeBigram(syms []symbol, b bigram) (int32, bool) {
	left := b.left()
	l, r := &syms[left], &syms[b.right]
	if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
		return left, false
	}
	l.n += r.n
	l.id = b.id
	r.n = 0
	l.next = r.next
	if r.next >= 0 {
		syms[r.next].prev = left
	}
	return left, true
}

func allNewlines(b []byte) bool {
	for _, c := range b {
		if c != '\n' {
			return false
		}
	}
	return true
}

// bigramHeap is a binary min-heap of bigrams by key.
type bigramHeap struct {
	items []bigram
}

func (h *bigramHeap) push(x bigram) {
	h.items = append(h.items, x)
	it := h.items
	i := len(it) - 1
	for i > 0 {
		p := (i - 1) / 2
		if it[p].key <= x.key {
			break
		}
		it[i] = it[p]
		i = p
	}
	it[i] = x
}

func (h *bigramHeap) pop() bigram {
	it := h.items
	top := it[0]
	last := len(it) - 1
	x := it[last]
	it = it[:last]
	h.items = it
	i := 0
	for {
		c := 2*i + 1
		if c >= last {
			break
		}
		if c+1 < last && it[c+1].key < it[c].key {
			c++
		}
		if x.key <= it[c].key {
			break
		}
		it[i] = it[c]
		i = c
	}
	if last > 0 {
		it[i] = x
	}
	return top
}
