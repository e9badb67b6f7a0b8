package tokenizer

import "sort"

// Code point classification, mirroring llama.cpp's unicode.cpp. The category tables in
// unicode_tables.go are generated from llama.cpp's own data (see gen_unicode.go), not taken
// from Go's unicode package: the two are built from different Unicode versions, and one
// differently classified code point is enough to split a word differently.

// Flag bits of a code point, as in llama.cpp's unicode_cpt_flags (low byte: the category).
const (
	flagUndefined  = 0x0001
	flagNumber     = 0x0002 // \p{N}
	flagLetter     = 0x0004 // \p{L}
	flagSeparator  = 0x0008 // \p{Z}
	flagMark       = 0x0010 // \p{M}
	flagPunct      = 0x0020 // \p{P}
	flagSymbol     = 0x0040 // \p{S}
	flagControl    = 0x0080 // \p{C}
	flagWhitespace = 0x0100 // \s
)

// cptFlags returns the flags of code point c; a code point beyond U+10FFFF is undefined.
func cptFlags(c rune) uint16 {
	if c < 0x80 && c >= 0 {
		return asciiFlags(c)
	}
	if c > 0x10FFFF || c < 0 {
		return flagUndefined
	}
	i := sort.Search(len(cptRangeStart), func(i int) bool { return cptRangeStart[i] > uint32(c) }) - 1
	f := uint16(cptRangeFlags[i])
	if isWhitespaceCpt(c) {
		f |= flagWhitespace
	}
	return f
}

// asciiFlags classifies an ASCII code point without a table search.
func asciiFlags(c rune) uint16 {
	switch {
	case c >= '0' && c <= '9':
		return flagNumber
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		return flagLetter
	case c == ' ':
		return flagSeparator | flagWhitespace
	case c >= '\t' && c <= '\r':
		return flagControl | flagWhitespace
	case c < 0x20 || c == 0x7f:
		return flagControl
	case c == '$' || c == '+' || c == '<' || c == '=' || c == '>' || c == '^' || c == '`' || c == '|' || c == '~':
		return flagSymbol
	default:
		return flagPunct
	}
}

// decodeCpts appends the code points of s to dst the way llama.cpp's unicode_cpts_from_utf8
// does: sequences are decoded by their lead byte without rejecting overlong forms or
// surrogates, and each byte that does not start a complete sequence becomes U+FFFD. (A 4-byte
// form above U+10FFFF, on which llama.cpp throws, also becomes U+FFFD here.)
func decodeCpts(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		c, n := decodeCpt(s, i)
		dst = append(dst, c)
		i += n
	}
	return dst
}

// decodeCpt decodes one code point at s[i:], returning it and the bytes consumed.
func decodeCpt(s string, i int) (rune, int) {
	b0 := s[i]
	cont := func(k int) bool { return i+k < len(s) && s[i+k]&0xc0 == 0x80 }
	switch {
	case b0&0x80 == 0:
		return rune(b0), 1
	case b0&0x40 == 0:
		return 0xFFFD, 1
	case b0&0x20 == 0:
		if cont(1) {
			return rune(b0&0x1f)<<6 | rune(s[i+1]&0x3f), 2
		}
	case b0&0x10 == 0:
		if cont(1) && cont(2) {
			return rune(b0&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f), 3
		}
	case b0&0x08 == 0:
		if cont(1) && cont(2) && cont(3) {
			c := rune(b0&0x07)<<18 | rune(s[i+1]&0x3f)<<12 | rune(s[i+2]&0x3f)<<6 | rune(s[i+3]&0x3f)
			if c <= 0x10FFFF {
				return c, 4
			}
		}
	}
	return 0xFFFD, 1
}

// appendCpt appends the UTF-8 form of c as llama.cpp's unicode_cpt_to_utf8 writes it
// (surrogates included, unlike utf8.AppendRune).
func appendCpt(dst []byte, c rune) []byte {
	switch {
	case c < 0x80:
		return append(dst, byte(c))
	case c < 0x800:
		return append(dst, 0xc0|byte(c>>6), 0x80|byte(c&0x3f))
	case c < 0x10000:
		return append(dst, 0xe0|byte(c>>12), 0x80|byte(c>>6&0x3f), 0x80|byte(c&0x3f))
	default:
		return append(dst, 0xf0|byte(c>>18), 0x80|byte(c>>12&0x3f), 0x80|byte(c>>6&0x3f), 0x80|byte(c&0x3f))
	}
}

// utf8Len is llama.cpp's unicode_len_utf8: the sequence length announced by a lead byte
// (1 for continuation bytes).
func utf8Len(b byte) int {
	return [16]int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4]
}

// byteToRune is GPT-2's byte-level mapping: printable bytes map to themselves, the others to
// U+0100 and up, in byte order.
func byteToRune(b byte) rune {
	switch {
	case b >= 0x21 && b <= 0x7e, b >= 0xa1 && b <= 0xac, b >= 0xae:
		return rune(b)
	}
	n := rune(0)
	for x := 0; x < int(b); x++ {
		if !(x >= 0x21 && x <= 0x7e || x >= 0xa1 && x <= 0xac || x >= 0xae) {
			n++
		}
	}
	return 0x100 + n
}

// byteTable holds GPT-2's byte-level mapping in both directions.
type byteTable struct {
	enc    [256]string   // byte -> UTF-8 of its code point
	decode map[rune]byte // code point -> byte
}

func newByteTable() *byteTable {
	t := &byteTable{decode: make(map[rune]byte, 256)}
	for b := 0; b < 256; b++ {
		r := byteToRune(byte(b))
		t.enc[b] = string(appendCpt(nil, r))
		t.decode[r] = byte(b)
	}
	return t
}
