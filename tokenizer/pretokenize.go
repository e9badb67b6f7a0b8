package tokenizer

import (
	"cmp"
	"slices"
	"sort"
)

// Pre-tokenizers: they cut a text (as code points) into words before BPE runs on each word.
//
// llama.cpp describes each pre-tokenizer as a list of regular expressions applied one after the
// other, each refining the pieces of the previous one (matches and the gaps between them both
// become pieces). Most of its expressions need look-ahead (`\s+(?!\S)`), which Go's regexp
// (RE2) does not have, and llama.cpp itself does not run the common ones as regular expressions:
// it has hand-written matchers for them (unicode.cpp), whose behaviour differs from the
// expressions in corner cases that the test vectors exercise. So every step here is a
// hand-written splitter that follows llama.cpp's matcher for that expression: its custom
// functions for the GPT-2, Llama 3, Qwen2 and Qwen3.5 expressions, and for the others what
// std::regex does on llama.cpp's "collapsed" text (each non-ASCII code point replaced by one
// byte standing for its category, non-ASCII whitespace by \v).

// splitter appends to out the lengths (in code points) of the pieces of c[lo:hi].
type splitter func(c []rune, out []int, lo, hi int) []int

// preConfig is what a tokenizer.ggml.pre value selects: the splitters and vocabulary flags.
type preConfig struct {
	steps        []splitter
	cleanSpaces  bool // clean_up_tokenization_spaces when decoding
	ignoreMerges bool // a word that is a whole token is not merged
	addBOS       bool // default for add_bos_token
	noDefaultBOS bool // the BOS default is disabled (chatglm)
	escapeSpaces bool // spaces become U+2581 before BPE (SentencePiece-style BPE)
	rawBytes     bool // BPE on the UTF-8 bytes, without GPT-2's byte-to-character mapping
}

// lookupPre returns the configuration for a tokenizer.ggml.pre value.
func lookupPre(name string) (preConfig, bool) {
	gpt2 := []splitter{splitGPT2}
	switch name {
	case "", "default":
		return preConfig{steps: []splitter{
			runSplitter(func(c rune) bool { return isCat(c, flagPunct) || isOneOf(c, "$+<=>^~|") }),
			splitGPT2,
			runSplitter(func(c rune) bool { return isCat(c, flagNumber) }),
			splitThreeDigits,
		}, cleanSpaces: true}, true
	case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano":
		return preConfig{steps: []splitter{splitLlama3}, cleanSpaces: true, ignoreMerges: true, addBOS: true}, true
	case "dbrx", "smaug-bpe":
		return preConfig{steps: []splitter{splitLlama3}, cleanSpaces: true}, true
	case "deepseek-llm":
		return preConfig{steps: []splitter{
			eachSplitter(func(c rune) bool { return c == '\r' || c == '\n' }),
			wsPrefixRunSplitter(wideClass(parseClass(deepseekLetters))),
			wsPrefixRunSplitter(wideClass(parseClass(deepseekPunct))),
			splitTrailingSpace,
			runSplitter(wideClass(parseClass(deepseekCJK))),
			runSplitter(func(c rune) bool { return isCat(c, flagNumber) }),
		}}, true
	case "deepseek-coder":
		return preConfig{steps: []splitter{
			eachSplitter(func(c rune) bool { return c == '\r' || c == '\n' }),
			wsPrefixRunSplitter(func(c rune) bool { return isCat(c, flagLetter) }),
			wsPrefixRunSplitter(func(c rune) bool { return isCat(c, flagPunct) }),
			runSplitter(wideClass(parseClass(deepseekCJK))),
			eachSplitter(func(c rune) bool { return isCat(c, flagNumber) }),
		}}, true
	case "falcon":
		return preConfig{steps: []splitter{
			runSplitter(func(c rune) bool { return isCat(c, flagPunct) || isOneOf(c, "$+<=>^~|`") }),
			splitGPT2,
			splitThreeDigits,
		}, cleanSpaces: true}, true
	case "starcoder", "refact", "codeshell", "exaone", "minerva-7b", "mellum2":
		return preConfig{steps: numberFirst(), cleanSpaces: true}, true
	case "command-r", "smollm":
		return preConfig{steps: numberFirst()}, true
	case "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
		"mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "mpt", "olmo", "jais",
		"exaone4":
		return preConfig{steps: gpt2, cleanSpaces: true}, true
	case "trillion", "granite-docling":
		return preConfig{steps: gpt2}, true
	case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2":
		return preConfig{steps: []splitter{splitQwen2}}, true
	case "stablelm2", "megrez":
		return preConfig{steps: []splitter{splitQwen2}, cleanSpaces: true}, true
	case "qwen35":
		return preConfig{steps: []splitter{splitQwen35}}, true
	case "gemma4", "granite-embed-multi-311m":
		return preConfig{steps: []splitter{splitNewlines}, cleanSpaces: true, escapeSpaces: true, rawBytes: true}, true
	case "glm4", "chatglm-bpe":
		return preConfig{steps: []splitter{splitLlama3}, cleanSpaces: true, noDefaultBOS: true}, true
	}
	return preConfig{}, false
}

func numberFirst() []splitter {
	return []splitter{eachSplitter(func(c rune) bool { return isCat(c, flagNumber) }), splitGPT2}
}

// isCat reports whether c is in the category with flag f (as \p{..} matches in llama.cpp).
func isCat(c rune, f uint16) bool { return cptFlags(c)&f != 0 }

func isOneOf(c rune, set string) bool {
	for _, s := range set {
		if c == s {
			return true
		}
	}
	return false
}

// isRegexSpace is \s of std::regex on llama.cpp's prepared text: ASCII whitespace, and any
// code point that llama.cpp counts as whitespace (it replaces those by \v before matching).
func isRegexSpace(c rune) bool {
	return c == ' ' || c >= '\t' && c <= '\r' || c >= 0x80 && isWhitespaceCpt(c)
}

// wideClass matches a bracket expression of code point ranges the way llama.cpp's std::wregex
// path does: non-ASCII whitespace has been replaced by \v, so it matches none of them. ASCII
// is looked up in a table, the rest by binary search over the merged ranges.
func wideClass(ranges [][2]rune) func(rune) bool {
	merged := mergeRanges(ranges)
	var ascii [128]bool
	for _, r := range merged {
		for c := r[0]; c <= min(r[1], 127); c++ {
			ascii[c] = true
		}
	}
	return func(c rune) bool {
		if c < 128 {
			return c >= 0 && ascii[c]
		}
		if isWhitespaceCpt(c) {
			return false
		}
		i := sort.Search(len(merged), func(i int) bool { return merged[i][1] >= c })
		return i < len(merged) && merged[i][0] <= c
	}
}

// mergeRanges sorts inclusive code point ranges and joins those that overlap or touch, so that
// both their starts and their ends increase.
func mergeRanges(ranges [][2]rune) [][2]rune {
	rs := slices.Clone(ranges)
	slices.SortFunc(rs, func(a, b [2]rune) int { return cmp.Compare(a[0], b[0]) })
	var out [][2]rune
	for _, r := range rs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1]+1 {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}

// pieces collects the pieces of one segment: gaps between matches and the matches.
type pieces struct {
	out  []int
	prev int
}

func (p *pieces) add(end int) {
	if end > p.prev {
		p.out = append(p.out, end-p.prev)
	}
	p.prev = end
}

// runSplitter isolates maximal runs of code points matching in (regex `[class]+`).
func runSplitter(in func(rune) bool) splitter {
	return func(c []rune, out []int, lo, hi int) []int {
		p := pieces{out: out, prev: lo}
		for i := lo; i < hi; {
			if !in(c[i]) {
				i++
				continue
			}
			p.add(i)
			for i < hi && in(c[i]) {
				i++
			}
			p.add(i)
		}
		p.add(hi)
		return p.out
	}
}

// eachSplitter isolates every code point matching in (regex `[class]`).
func eachSplitter(in func(rune) bool) splitter {
	return func(c []rune, out []int, lo, hi int) []int {
		p := pieces{out: out, prev: lo}
		for i := lo; i < hi; i++ {
			if in(c[i]) {
				p.add(i)
				p.add(i + 1)
			}
		}
		p.add(hi)
		return p.out
	}
}

// wsPrefixRunSplitter isolates matches of `\s?[class]+`.
func wsPrefixRunSplitter(in func(rune) bool) splitter {
	return func(c []rune, out []int, lo, hi int) []int {
		p := pieces{out: out, prev: lo}
		for i := lo; i < hi; {
			start := i
			switch {
			case in(c[i]):
			case isRegexSpace(c[i]) && i+1 < hi && in(c[i+1]):
				i++
			default:
				i++
				continue
			}
			for i < hi && in(c[i]) {
				i++
			}
			p.add(start)
			p.add(i)
		}
		p.add(hi)
		return p.out
	}
}

// splitTrailingSpace isolates a whitespace run that ends the segment (regex `\s+$`).
func splitTrailingSpace(c []rune, out []int, lo, hi int) []int {
	t := hi
	for t > lo && isRegexSpace(c[t-1]) {
		t--
	}
	p := pieces{out: out, prev: lo}
	p.add(t)
	p.add(hi)
	return p.out
}

// splitNewlines cuts a segment into runs of newlines and runs of other code points
// (regex `[^\n]+|[\n]+`).
func splitNewlines(c []rune, out []int, lo, hi int) []int {
	for i := lo; i < hi; {
		nl := c[i] == '\n'
		j := i + 1
		for j < hi && (c[j] == '\n') == nl {
			j++
		}
		out = append(out, j-i)
		i = j
	}
	return out
}

// splitThreeDigits isolates groups of three ASCII digits, left to right (regex `[0-9][0-9][0-9]`).
func splitThreeDigits(c []rune, out []int, lo, hi int) []int {
	digit := func(i int) bool { return c[i] >= '0' && c[i] <= '9' }
	p := pieces{out: out, prev: lo}
	for i := lo; i < hi; {
		if i+2 < hi && digit(i) && digit(i+1) && digit(i+2) {
			p.add(i)
			p.add(i + 3)
			i += 3
			continue
		}
		i++
	}
	p.add(hi)
	return p.out
}

// segment gives bounds-checked access to one segment, as the lambdas in llama.cpp's custom
// splitters do: outside [lo,hi) a code point is "out of range" and has no flags.
type segment struct {
	c      []rune
	lo, hi int
}

const outOfRange = -1

func (s segment) cpt(i int) rune {
	if i >= s.lo && i < s.hi {
		return s.c[i]
	}
	return outOfRange
}

func (s segment) flags(i int) uint16 {
	if i >= s.lo && i < s.hi {
		return cptFlags(s.c[i])
	}
	return 0
}

// contraction returns the length (2 or 3) of an English contraction at i ('s 't 're 've 'm
// 'll 'd), or 0. With fold, the letters match in either case (Llama 3, Qwen2).
func (s segment) contraction(i int, fold bool) int {
	if s.c[i] != '\'' || i+1 >= s.hi {
		return 0
	}
	lower := func(c rune) rune {
		if fold && c >= 'A' && c <= 'Z' {
			return c + ('a' - 'A')
		}
		return c
	}
	n := lower(s.c[i+1])
	if n == 's' || n == 't' || n == 'm' || n == 'd' {
		return 2
	}
	if i+2 < s.hi {
		nn := lower(s.c[i+2])
		if n == 'r' && nn == 'e' || n == 'v' && nn == 'e' || n == 'l' && nn == 'l' {
			return 3
		}
	}
	return 0
}

// spaceRun returns where `\s+(?!\S)|\s+` matching at i ends: a whitespace run followed by a
// non-space leaves its last code point to the next piece. Without whitespace at i it is i+1
// (the code point alone).
func (s segment) spaceRun(i int) int {
	n := 0
	for s.flags(i+n)&flagWhitespace != 0 {
		n++
	}
	switch {
	case n > 1 && i+n < s.hi: // \s+(?!\S)
		return i + n - 1
	case n > 0: // \s+
		return i + n
	}
	return i + 1
}

// splitGPT2 is llama.cpp's matcher for GPT-2's expression
// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
func splitGPT2(c []rune, out []int, lo, hi int) []int {
	s := segment{c, lo, hi}
	p := pieces{out: out, prev: lo}
	for pos := lo; pos < hi; {
		cpt := c[pos]
		f := s.flags(pos)
		if n := s.contraction(pos, false); n > 0 {
			pos += n
			p.add(pos)
			continue
		}
		f2 := f
		if cpt == ' ' {
			f2 = s.flags(pos + 1)
		}
		skipSpace := func() {
			if cpt == ' ' {
				pos++
			}
		}
		switch {
		case f2&flagLetter != 0: // ` ?\p{L}+`
			skipSpace()
			for s.flags(pos)&flagLetter != 0 {
				pos++
			}
			p.add(pos)
			continue
		case f2&flagNumber != 0: // ` ?\p{N}+`
			skipSpace()
			for s.flags(pos)&flagNumber != 0 {
				pos++
			}
			p.add(pos)
			continue
		case f2&(flagWhitespace|flagLetter|flagNumber) == 0 && f2 != 0: // ` ?[^\s\p{L}\p{N}]+`
			skipSpace()
			for g := s.flags(pos); g&(flagWhitespace|flagLetter|flagNumber) == 0 && g != 0; g = s.flags(pos) {
				pos++
			}
			p.add(pos)
			continue
		}
		pos = s.spaceRun(pos)
		p.add(pos)
	}
	p.add(hi)
	return p.out
}

// splitLlama3 is llama.cpp's matcher for Llama 3's expression
// (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
func splitLlama3(c []rune, out []int, lo, hi int) []int {
	return splitLlamaFamily(c, out, lo, hi, 3, false)
}

// splitQwen2 is Llama 3's expression with single digits (\p{N} instead of \p{N}{1,3}).
func splitQwen2(c []rune, out []int, lo, hi int) []int {
	return splitLlamaFamily(c, out, lo, hi, 1, false)
}

// splitQwen35 is Qwen2's expression where letter runs also take combining marks (\p{M}).
func splitQwen35(c []rune, out []int, lo, hi int) []int {
	return splitLlamaFamily(c, out, lo, hi, 1, true)
}

func splitLlamaFamily(c []rune, out []int, lo, hi int, maxDigits int, marks bool) []int {
	s := segment{c, lo, hi}
	p := pieces{out: out, prev: lo}
	word := uint16(flagLetter)
	if marks {
		word |= flagMark
	}
	for pos := lo; pos < hi; {
		cpt := c[pos]
		f := s.flags(pos)
		if n := s.contraction(pos, true); n > 0 {
			pos += n
			p.add(pos)
			continue
		}
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if !(cpt == '\r' || cpt == '\n' || f&flagNumber != 0) {
			if f&word != 0 || s.flags(pos+1)&word != 0 {
				pos++
				for s.flags(pos)&word != 0 {
					pos++
				}
				p.add(pos)
				continue
			}
		}
		// \p{N}{1,maxDigits}
		if f&flagNumber != 0 {
			ini := pos
			for s.flags(pos)&flagNumber != 0 {
				pos++
				if pos-ini >= maxDigits {
					p.add(pos)
					ini = pos
				}
			}
			p.add(pos)
			continue
		}
		// ` ?[^\s\p{L}\p{N}]+[\r\n]*`
		f2 := f
		if cpt == ' ' {
			f2 = s.flags(pos + 1)
		}
		other := uint16(flagWhitespace|flagNumber) | word
		if f2&other == 0 && f != 0 {
			if cpt == ' ' {
				pos++
			}
			for f2&other == 0 && f2 != 0 {
				pos++
				f2 = s.flags(pos)
			}
			for c2 := s.cpt(pos); c2 == '\r' || c2 == '\n'; c2 = s.cpt(pos) {
				pos++
			}
			p.add(pos)
			continue
		}
		lastRN := 0 // \s*[\r\n]+: up to the last newline of the whitespace run
		for i := pos; s.flags(i)&flagWhitespace != 0; i++ {
			if c2 := s.cpt(i); c2 == '\r' || c2 == '\n' {
				lastRN = i + 1
			}
		}
		if lastRN > 0 {
			pos = lastRN
		} else {
			pos = s.spaceRun(pos)
		}
		p.add(pos)
	}
	p.add(hi)
	return p.out
}

// Bracket expressions of DeepSeek's pre-tokenizers (the contents of [...] in llama.cpp's
// expressions; every dash is a range), escaped so that no editor normalises a character (the
// letters include U+212A KELVIN SIGN, not K).
const (
	deepseekLetters = "A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\U00010400-\U0001044f\U000104b0-\U000104d3\U000104d8-\U000104fb\U00010c80-\U00010cb2\U00010cc0-\U00010cf2\U000118a0-\U000118df\U0001e900-\U0001e943"
	deepseekPunct   = "!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002"
	deepseekCJK     = "\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff"
)

// parseClass turns the inside of a bracket expression made of characters and ranges into
// ranges.
func parseClass(class string) [][2]rune {
	rs := []rune(class)
	var out [][2]rune
	for i := 0; i < len(rs); i++ {
		if i+2 < len(rs) && rs[i+1] == '-' {
			out = append(out, [2]rune{rs[i], rs[i+2]})
			i += 2
			continue
		}
		out = append(out, [2]rune{rs[i], rs[i]})
	}
	return out
}
