package tokenizer

import (
	"fmt"
	"strings"
)

// tokenToPiece is llama.cpp's token_to_piece with special = true: the text a token stands for.
func (t *Tokenizer) tokenToPiece(id int32) string {
	a, text := t.attrs[id], t.tokens[id]
	switch {
	case a&(attrUnknown|attrControl|attrUserDefined) != 0:
		return text
	case a&attrNormal != 0:
		if t.kind == kindSPM || t.escapeSpaces {
			return strings.ReplaceAll(text, spaceMark, " ")
		}
		return t.decodeByteLevel(text)
	case a&attrByte != 0:
		return string([]byte{tokenByte(text)})
	}
	return ""
}

// tokenByte parses the byte of a "<0xXX>" token (strtol semantics: stops at a non-hex digit).
func tokenByte(text string) byte {
	if len(text) < 5 {
		return 0
	}
	var v byte
	for _, c := range []byte(text[3:5]) {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | (c - '0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return v
		}
	}
	return v
}

// decodeByteLevel maps a byte-level BPE token back to bytes (llama_decode_text).
func (t *Tokenizer) decodeByteLevel(text string) string {
	var b []byte
	var utf [4]byte
	for i := 0; i < len(text); {
		c, n := decodeCpt(text, i)
		i += n
		if v, ok := t.bytes.decode[c]; ok {
			b = append(b, v)
			continue
		}
		b = append(b, "[UNK_BYTE_0x"...)
		for _, x := range appendCpt(utf[:0], c) {
			b = fmt.Appendf(b, "%02x", x)
		}
		b = append(b, text...)
		b = append(b, ']')
	}
	return string(b)
}

// Piece returns the text of one token as it reads in running text: SentencePiece's U+2581
// becomes a space, byte tokens become their byte, special tokens appear as their text.
// An id out of range gives "".
func (t *Tokenizer) Piece(id int32) string {
	if id < 0 || int(id) >= len(t.pieces) {
		return ""
	}
	return t.pieces[id]
}

// piece is Piece for decoding: control and unknown tokens are empty when skipSpecial.
func (t *Tokenizer) piece(id int32, skipSpecial bool) string {
	if id < 0 || int(id) >= len(t.pieces) {
		return ""
	}
	if skipSpecial && t.attrs[id]&(attrUnknown|attrControl) != 0 {
		return ""
	}
	return t.pieces[id]
}

// TokenText returns the raw vocabulary string of a token ("" if out of range).
func (t *Tokenizer) TokenText(id int32) string {
	if id < 0 || int(id) >= len(t.tokens) {
		return ""
	}
	return t.tokens[id]
}

// Decode converts token ids to text as llama.cpp's llama_detokenize does with
// remove_special = false: a SentencePiece vocabulary drops one leading space of the first
// token; control and unknown tokens appear as their text unless skipSpecial; vocabularies
// with clean_up_tokenization_spaces (GPT-2, Llama 3, ...) remove the space before . , ! ? and
// some apostrophe contractions. Ids out of range decode to nothing.
func (t *Tokenizer) Decode(ids []int32, skipSpecial bool) string {
	var b []byte
	for i, id := range ids {
		p := t.piece(id, skipSpecial)
		if i == 0 && t.addSpacePrefix {
			p = strings.TrimPrefix(p, " ")
		}
		b = append(b, p...)
	}
	if t.cleanSpaces {
		b = cleanSpaces(b)
	}
	return string(b)
}

// cleanSpaces is llama.cpp's clean_up_tokenization_spaces, in place.
func cleanSpaces(text []byte) []byte {
	// " ?", " !", " .", " ," lose the space.
	n := len(text)
	total := min(n, 1)
	for i := 1; i < n; i++ {
		x := text[i]
		if text[i-1] == ' ' && (x == '?' || x == '!' || x == '.' || x == ',') {
			total--
		}
		text[total] = x
		total++
	}
	// " ' " becomes "'".
	n = total
	total = min(n, 1)
	for i := 1; i < n; i++ {
		x := text[i]
		if x == '\'' && i+1 < n && text[i-1] == ' ' && text[i+1] == ' ' {
			total--
			i++
			text[i] = 0
		}
		text[total] = x
		total++
	}
	// " 's", " 'm", " 're", " 've" lose the space.
	n = total
	total = min(n, 1)
	for i := 1; i < n; i++ {
		x := text[i]
		if text[i-1] == ' ' && x == '\'' && i+1 < n {
			x1 := text[i+1]
			if x1 == 's' || x1 == 'm' {
				total--
			} else if x1 != 't' && x1 != 'd' && i+2 < n {
				x2 := text[i+2]
				if x1 == 'r' && x2 == 'e' || x1 == 'v' && x2 == 'e' {
					total--
				}
			}
		}
		text[total] = x
		total++
	}
	return text[:total]
}

// StreamDecoder turns a stream of token ids into text piece by piece, for printing tokens as
// they are generated. The concatenation of everything Add and Flush return equals Decode of
// all the ids. It never returns half a UTF-8 sequence: the bytes of an incomplete sequence are
// held until the rest arrives (or Flush).
type StreamDecoder struct {
	t           *Tokenizer
	skipSpecial bool
	first       bool
	pending     []byte // raw text not yet returned
}

// NewStreamDecoder returns a decoder for a new stream of ids.
func (t *Tokenizer) NewStreamDecoder(skipSpecial bool) *StreamDecoder {
	return &StreamDecoder{t: t, skipSpecial: skipSpecial, first: true}
}

// Add appends one token and returns the text that is now complete.
func (d *StreamDecoder) Add(id int32) string {
	p := d.t.piece(id, d.skipSpecial)
	if d.first && d.t.addSpacePrefix {
		p = strings.TrimPrefix(p, " ")
	}
	d.first = false
	d.pending = append(d.pending, p...)
	k := d.readyLen()
	if k == 0 {
		return ""
	}
	out := d.pending[:k]
	if d.t.cleanSpaces {
		out = cleanSpaces(out)
	}
	s := string(out)
	d.pending = append(d.pending[:0], d.pending[k:]...)
	return s
}

// Flush returns whatever text is still held back.
func (d *StreamDecoder) Flush() string {
	out := d.pending
	if d.t.cleanSpaces {
		out = cleanSpaces(out)
	}
	s := string(out)
	d.pending = d.pending[:0]
	return s
}

// readyLen returns how many pending bytes can be returned now. Without space clean-up that is
// all bytes up to an incomplete UTF-8 sequence at the end. With clean-up, the text must be cut
// where cleaning the two sides apart gives the same as cleaning them together. The clean-up
// rules remove a space before . , ! ? or an apostrophe (" 's", " ' ", ...), looking at most
// two bytes past an apostrophe; so a cut is safe after a byte that is neither a space nor an
// apostrophe, if the byte before that is not an apostrophe.
func (d *StreamDecoder) readyLen() int {
	p := d.pending
	k := len(p) - incompleteTail(p)
	if !d.t.cleanSpaces {
		return k
	}
	for ; k >= 1; k-- {
		if c := p[k-1]; c == ' ' || c == '\'' || k >= 2 && p[k-2] == '\'' {
			continue
		}
		if k == len(p) || p[k]&0xc0 != 0x80 {
			return k
		}
	}
	return 0
}

// incompleteTail returns the length of an unfinished UTF-8 sequence at the end of p.
func incompleteTail(p []byte) int {
	for n := 1; n <= 3 && n <= len(p); n++ {
		b := p[len(p)-n]
		if b&0xc0 == 0x80 {
			continue // continuation byte: look further back for its lead
		}
		if need := utf8Len(b); b >= 0xc0 && need > n {
			return n
		}
		return 0
	}
	return 0
}
