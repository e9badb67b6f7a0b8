package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/tokenizer"
)

// parseInterspersed parses flags that may come before or after the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// openTokenizer loads the tokenizer of a GGUF file.
func openTokenizer(path string) (*tokenizer.Tokenizer, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return tokenizer.FromGGUF(f)
}

// maxTokenizeInput bounds the text tokenize reads from standard input.
const maxTokenizeInput = 1 << 30

// readAtMost reads all of r, failing (instead of silently truncating) when r holds more than
// limit bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("more than %d bytes", limit)
	}
	return b, nil
}

// tokenPiece is one entry of `tokenize --json --pieces`.
type tokenPiece struct {
	ID    int32  `json:"id"`
	Piece string `json:"piece"`
}

// runTokenize prints the token ids of a text, as llama.cpp's llama-tokenize does.
func runTokenize(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	fs.SetOutput(s.err)
	model := fs.String("m", "", "GGUF `file` whose vocabulary to use (required)")
	asJSON := fs.Bool("json", false, "print exactly one JSON array (of ids, or of {id, piece} with --pieces)")
	noBOS := fs.Bool("no-bos", false, "do not add BOS (and EOS) even if the vocabulary asks for them")
	special := fs.Bool("special", false, "parse special-token text such as <s> or <|im_start|> in TEXT")
	pieces := fs.Bool("pieces", false, "print each token's text with its id")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run tokenize -m FILE [--json] [--no-bos] [--special] [--pieces] TEXT")
		fmt.Fprintln(s.err, "\nPrints the token ids of TEXT (\"-\": standard input). As in llama-tokenize, BOS and EOS are")
		fmt.Fprintln(s.err, "added as add_bos_token/add_eos_token ask only when add_bos_token is set; --no-bos turns both off.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if *model == "" || len(pos) != 1 {
		fs.Usage()
		return errUsage
	}
	text := pos[0]
	if text == "-" {
		b, err := readAtMost(s.in, maxTokenizeInput)
		if err != nil {
			return fmt.Errorf("reading standard input: %w", err)
		}
		text = string(b)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tok, err := openTokenizer(*model)
	if err != nil {
		return err
	}
	ids := tok.Encode(text, tok.AddBOS() && !*noBOS, *special)
	switch {
	case *asJSON && *pieces:
		list := make([]tokenPiece, len(ids))
		for i, id := range ids {
			list[i] = tokenPiece{id, tok.Piece(id)}
		}
		return writeJSONLine(s.out, list)
	case *asJSON:
		if ids == nil {
			ids = []int32{}
		}
		return writeJSONLine(s.out, ids)
	case *pieces:
		for _, id := range ids {
			if _, err := fmt.Fprintf(s.out, "%6d -> %s\n", id, strconv.Quote(tok.Piece(id))); err != nil {
				return err
			}
		}
		return nil
	}
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(int(id)))
	}
	b.WriteByte('\n')
	_, err = io.WriteString(s.out, b.String())
	return err
}

// writeJSONLine writes v as one line of JSON without HTML escaping.
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// runDetokenize prints the text of token ids, as llama.cpp's llama_detokenize does.
func runDetokenize(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("detokenize", flag.ContinueOnError)
	fs.SetOutput(s.err)
	model := fs.String("m", "", "GGUF `file` whose vocabulary to use (required)")
	special := fs.Bool("special", false, "render control tokens such as <s> as their text")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run detokenize -m FILE [--special] IDS...")
		fmt.Fprintln(s.err, "\nPrints the text of the token ids (separated by whitespace or commas). A SentencePiece")
		fmt.Fprintln(s.err, "vocabulary drops the leading space of the first token, as llama.cpp does.")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return errUsage
	}
	if *model == "" || len(pos) == 0 {
		fs.Usage()
		return errUsage
	}
	var ids []int32
	for _, a := range pos {
		for _, f := range strings.FieldsFunc(a, func(r rune) bool { return r == ',' || r == '[' || r == ']' || unicode.IsSpace(r) }) {
			v, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				return fmt.Errorf("token id %q: %w", f, err)
			}
			ids = append(ids, int32(v))
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	tok, err := openTokenizer(*model)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if id < 0 || int(id) >= tok.VocabSize() {
			return fmt.Errorf("token id %d is out of range (vocabulary size %d)", id, tok.VocabSize())
		}
	}
	_, err = fmt.Fprintln(s.out, tok.Decode(ids, !*special))
	return err
}
