// Package tokenizer converts between text and token ids exactly as llama.cpp (the version in
// node-llama-cpp 3.22.1) does for the same GGUF vocabulary, built from the file's tokenizer.*
// metadata alone (FromGGUF).
//
// Supported vocabularies:
//
//   - tokenizer.ggml.model "llama": SentencePiece-style BPE by token scores (llama.cpp's
//     llm_tokenizer_spm). Spaces become U+2581, a space is put in front of the text and of each
//     text that follows a special token (add_space_prefix), and whatever does not form a token
//     falls back to byte tokens <0xXX>.
//   - tokenizer.ggml.model "gpt2": byte-level BPE by merge rank, after a pre-tokenizer chosen by
//     tokenizer.ggml.pre: default, gpt-2 (and phi-2, mpt, olmo, jais, ...), llama-bpe (llama3,
//     falcon3, ..., dbrx, smaug-bpe, chatglm-bpe), qwen2 (deepseek-r1-qwen, stablelm2, megrez,
//     ...), qwen35, smollm, starcoder, refact, command-r, falcon, deepseek-llm, deepseek-coder
//     (and the names llama.cpp maps to the same expressions). llama.cpp's test vectors pass
//     exactly for llama-spm, phi-3, llama-bpe, qwen2, qwen35, gpt-2, mpt, falcon, starcoder,
//     refact, command-r, deepseek-llm and deepseek-coder.
//   - tokenizer.ggml.model "gemma4": BPE by merge rank on the UTF-8 bytes of a text whose spaces
//     are written as U+2581, cut only at newlines, with <0xXX> byte fallback (Gemma 4); its
//     llama.cpp test vectors pass too.
//
// Any other model (bert, t5, rwkv, ...) or pre-tokenizer is an error that names it.
//
// # Pre-tokenizers without regular expressions
//
// llama.cpp defines pre-tokenizers as regular expressions, and most need look-ahead
// (`\s+(?!\S)`), which Go's regexp (RE2) does not support. More importantly, llama.cpp does not
// evaluate the common ones as regular expressions at all: it runs hand-written matchers
// (unicode.cpp) that differ from the expressions in corner cases, and runs the rest with
// std::regex on a text where every non-ASCII code point is replaced by a byte standing for its
// category. Matching llama.cpp token for token therefore means following those matchers, not
// the expressions; a regex library would reproduce the expressions' meaning and miss the
// differences. Each step is a small hand-written splitter (pretokenize.go). Code points are
// classified with tables generated from llama.cpp's own unicode-data.cpp (gen_unicode.go)
// rather than with Go's unicode package, whose Unicode version differs.
//
// # Special tokens
//
// Control tokens (such as <s> or <|im_start|>) are matched in the input only when Encode is
// called with parseSpecial; user-defined tokens are always matched, as in llama.cpp. BOS and EOS
// are added when Encode's addSpecial is set and the vocabulary asks for them. EOT, when the
// metadata does not name it, is the first of <|eot_id|>, <|im_end|>, <|end|>, ... that the
// vocabulary has (llama.cpp takes whichever its hash map yields first); IsEOG reports the same
// end-of-generation set as llama.cpp.
//
// # Decoding
//
// Decode follows llama_detokenize with remove_special = false: special tokens are rendered as
// their text unless skipSpecial, a SentencePiece vocabulary drops one leading space of the
// first token (only the first: after a skipped BOS the space stays, as in llama.cpp), and
// vocabularies with clean_up_tokenization_spaces (GPT-2, Llama 3, falcon, ...) remove the space
// in " ." " ," " !" " ?" and before some contractions. A StreamDecoder returns the same text
// piece by piece and never half a UTF-8 sequence.
//
// Round trip: for valid UTF-8 s without the text of a user-defined token, Decode(Encode(s)) is s
// (SentencePiece's added space is dropped again), up to that clean-up; where spaces are written
// as U+2581, a U+2581 in s comes back as a space. Invalid UTF-8 is not
// preserved by byte-level BPE: like llama.cpp, it reads each bad byte as U+FFFD.
//
// Encoding is O(n log n) in the length of each word (a heap of candidate merges). llama.cpp
// merges a SentencePiece text as one word; this package first cuts it between characters that
// no token contains side by side, which cannot change the result. A Tokenizer is immutable
// after construction and safe for concurrent use.
package tokenizer
