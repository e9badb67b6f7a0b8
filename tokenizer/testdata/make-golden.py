#!/usr/bin/env python3
"""Make the golden files in tokenizer/testdata/golden/ with llama.cpp (through llama-ref).

For each vocabulary it writes <vocab>.json:
  {"vocab", "engine", "cases": [[name, text]...],
   "ids": [...], "ids_special": [...],        # llama_tokenize, add_special=false, parse_special false/true
   "long": {"bytes", "count", "sha256"},      # the 1 MB text of longText(): token count and sha256 of "id,id,..."
   "detok": [{"ids", "special", "text"}...]}  # llama_detokenize(remove_special=false) of some token lists

Usage (from the repository root, after `make vocab` and installing llama-ref):
  python3 tokenizer/testdata/make-golden.py [VOCAB...]
Environment: LLAMA_REF (default ../shared/tools/llama-ref.mjs); QUICK=1 detokenizes one case only.
"""
import json, os, subprocess, sys, tempfile, hashlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REF = os.environ.get("LLAMA_REF", os.path.join(ROOT, "..", "shared", "tools", "llama-ref.mjs"))
VOCABS = ["llama-spm", "phi-3", "llama-bpe", "qwen2", "gpt-2", "qwen35", "mpt", "falcon", "starcoder",
          "refact", "command-r", "deepseek-llm", "deepseek-coder", "gemma-4"]


def cases():
    c = [
        ("empty", ""),
        ("space", " "), ("two spaces", "  "), ("tab", "\t"), ("newline", "\n"), ("three newlines", "\n\n\n"),
        ("mixed whitespace", " \t \n \r\n \x0b\x0c "), ("padded", "   leading and trailing   "),
        ("space runs", "a  b   c    d     e\n\n  f \t\tg"),
        ("space then word at end", "hello     "), ("spaces before newline", "x   \n   y"),
        ("all latin-1", "".join(chr(i) for i in range(256))),
        ("emoji", "🦙 llamas 🚀😶‍🌫️✅ 👨‍👩‍👧‍👦 family 🏳️‍🌈 flag"),
        ("cjk", "我想在apple工作1314151天～ 日本語のテキスト、カタカナ。한국어 텍스트"),
        ("cyrillic greek", "нещо на Български Ελληνικά κείμενα"),
        ("combining marks", "e\u0301 n\u0303 ñ क्षत्रिय العربية"),
        ("unicode spaces", "a\u00a0b\u2009c\u3000d\u0085e\u2028f\u202fg"),
        ("contractions", "I'm you're WE'RE it's IT'S they'll He'D she've 'tis don't"),
        ("numbers", "1234567890 3.14159 1,000,000 ٣٤٥ ½ Ⅻ"),
        ("code", "def f(x):\n    return x**2  # comment\n\tif x != 0:\n        print(f\"{x=}\")\n"),
        ("clean-up spaces", "Hello , world ! How are you ? It 's fine . I ' m sure they 're"),
        ("special strings spm", "<s>hello</s> <unk> <0x41>"),
        ("special strings chatml", "<|im_start|>user\nhi<|im_end|>\n<|endoftext|>"),
        ("special strings llama3", "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"),
        ("special strings phi3", "<|user|>\nHi<|end|>\n<|assistant|>   ok"),
        ("long word", "a" * 1000),
        ("long digits", "7" * 1001),
        ("long spaces", " " * 500 + "x"),
        ("long punctuation", "!?" * 300),
        ("url", "https://example.com/path?q=1&r=[2]#frag"),
    ]
    # What llama.cpp's BPE pre-tokenizer sees for invalid UTF-8 (each byte that does not start a
    # complete sequence becomes U+FFFD; golden_test.go feeds the raw bytes).
    c += [
        ("invalid:a\\xffb", "a\ufffdb"),
        ("invalid:\\xe2\\x82", "\ufffd\ufffd"),
        ("invalid:\\xc3(x", "\ufffd(x"),
        ("invalid:\\x80\\x80 hi", "\ufffd\ufffd hi"),
        ("invalid:\\xf0\\x9f\\x98 end", "\ufffd\ufffd\ufffd end"),
    ]
    for i in range(256):
        c.append(("U+%04X" % i, chr(i)))
    return c


def long_text():
    # Must match longText() in golden_test.go.
    para = ("The quick brown fox jumps over the lazy dog; it's 42 degrees. "
            "func main() { fmt.Println(\"héllo, 世界\") }\n\tif x := 3; x > 2 { return }\n")
    out, i, n = [], 0, 0
    while n < 1 << 20:
        line = "%d. %s" % (i, para)
        out.append(line)
        n += len(line.encode())
        i += 1
    return "".join(out)


def ref(vocab, *args):
    cmd = ["node", REF, vocab] + list(args)
    # stdout goes to a file: node's process.exit() can cut a large write to a pipe short.
    with tempfile.TemporaryFile("w+") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit("llama-ref failed: %s\n%s" % (" ".join(cmd), r.stderr))
        out.seek(0)
        return json.load(out)


def tokenize(vocab, texts, special):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(texts, f)
    try:
        args = ["--tokenize-json", f.name, "--no-bos"] + (["--special"] if special else [])
        return ref(vocab, *args)
    finally:
        os.unlink(f.name)


def main():
    vocabs = sys.argv[1:] or VOCABS
    cs = cases()
    texts = [t for _, t in cs]
    lt = long_text()
    for v in vocabs:
        path = os.path.join(ROOT, ".cache", "llama-models", "ggml-vocab-%s.gguf" % v)
        plain = tokenize(path, texts + [lt], False)
        special = tokenize(path, texts, True)
        long_ids = plain["ids"][-1]
        detok = []
        detok_cases = ("emoji", "clean-up spaces", "padded", "special strings chatml", "special strings llama3")
        if os.environ.get("QUICK"):  # fewer llama-ref runs (each loads the vocabulary)
            detok_cases = ("clean-up spaces",)
        for name in detok_cases:
            i = [n for n, _ in cs].index(name)
            for ids, sp in ((special["ids"][i], True), (special["ids"][i], False)):
                if not ids:
                    continue
                d = ref(path, "--detokenize", ",".join(map(str, ids))) if not sp else \
                    ref(path, "--detokenize", ",".join(map(str, ids)), "--special")
                detok.append({"case": name, "ids": ids, "special": sp, "text": d["text"]})
        out = {
            "vocab": v,
            "engine": plain["engine"]["package"] + " llama.cpp " + plain["engine"]["llama_cpp_release"],
            "cases": [[n, t] for n, t in cs],
            "ids": plain["ids"][:-1],
            "ids_special": special["ids"],
            "long": {"bytes": len(lt.encode()), "count": len(long_ids),
                     "sha256": hashlib.sha256(",".join(map(str, long_ids)).encode()).hexdigest()},
            "detok": detok,
        }
        dst = os.path.join(ROOT, "tokenizer", "testdata", "golden", v + ".json")
        with open(dst, "w") as f:
            json.dump(out, f, ensure_ascii=True, separators=(",", ":"))
            f.write("\n")
        print("wrote", dst, file=sys.stderr)


if __name__ == "__main__":
    main()
