package tokenizer_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/tokenizer"
)

// tinyVocab writes a small SentencePiece vocabulary as a GGUF file in memory. A real model's
// file (gguf.Open) works the same way.
func tinyVocab() *gguf.File {
	tokens := []string{"<unk>", "<s>", "</s>", "▁", "h", "e", "l", "o", "w", "r", "d", "!",
		"▁h", "ll", "▁he", "llo", "▁hello", "▁w", "or", "▁wor", "ld", "▁world"}
	scores := make([]float32, len(tokens))
	types := make([]int32, len(tokens))
	for i, t := range tokens {
		scores[i] = float32(len(t)) // longer pieces win
		types[i] = 1                // normal
	}
	types[0], types[1], types[2] = 2, 3, 3 // unknown, control, control
	for b := 0; b < 256; b++ {             // byte fallback tokens
		tokens = append(tokens, fmt.Sprintf("<0x%02X>", b))
		scores = append(scores, 0)
		types = append(types, 6)
	}
	w := gguf.NewWriter()
	w.AddString("general.architecture", "llama")
	w.AddString("tokenizer.ggml.model", "llama")
	w.AddStrings("tokenizer.ggml.tokens", tokens)
	w.AddFloat32s("tokenizer.ggml.scores", scores)
	w.AddInt32s("tokenizer.ggml.token_type", types)
	w.AddUint32("tokenizer.ggml.bos_token_id", 1)
	w.AddUint32("tokenizer.ggml.eos_token_id", 2)
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}
	f, err := gguf.FromBytes("tiny.gguf", buf.Bytes())
	if err != nil {
		log.Fatal(err)
	}
	return f
}

func ExampleFromGGUF() {
	tok, err := tokenizer.FromGGUF(tinyVocab())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.VocabSize(), tok.BOS(), tok.EOS(), tok.AddBOS())
	// Output: 278 1 2 true
}

func ExampleTokenizer_Encode() {
	tok, _ := tokenizer.FromGGUF(tinyVocab())
	ids := tok.Encode("hello world!", true, false)
	for _, id := range ids {
		fmt.Printf("%d %q\n", id, tok.Piece(id))
	}
	// "é" is not in the vocabulary: it falls back to its two UTF-8 bytes.
	fmt.Println(tok.Encode("é", false, false))
	// Special-token text is only parsed when asked for.
	fmt.Println(tok.Encode("<s>hello", false, false), tok.Encode("<s>hello", false, true))
	// Output:
	// 1 "<s>"
	// 16 " hello"
	// 21 " world"
	// 11 "!"
	// [3 217 191]
	// [3 82 137 84 4 5 15] [1 16]
}

func ExampleTokenizer_Decode() {
	tok, _ := tokenizer.FromGGUF(tinyVocab())
	ids := []int32{1, 16, 21, 11, 2}
	fmt.Printf("%q\n", tok.Decode(ids, false))
	fmt.Printf("%q\n", tok.Decode(ids, true))
	fmt.Printf("%q\n", tok.Decode(ids[1:4], true))
	// Output:
	// "<s> hello world!</s>"
	// " hello world!"
	// "hello world!"
}

func ExampleStreamDecoder() {
	tok, _ := tokenizer.FromGGUF(tinyVocab())
	d := tok.NewStreamDecoder(true)
	// "é" arrives as two byte tokens: nothing is printed until it is complete.
	for _, id := range []int32{16, 217, 191, 11} {
		fmt.Printf("%q\n", d.Add(id))
	}
	fmt.Printf("%q\n", d.Flush())
	// Output:
	// "hello"
	// ""
	// "é"
	// "!"
	// ""
}
