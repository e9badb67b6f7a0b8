#!/usr/bin/env python3
"""Make tokenizer/testdata/golden/cli-stories260k.json: llama.cpp's (llama-ref's) tokenize and
detokenize output on ../shared/models/stories260k-f32.gguf, which cmd/amulet-run's tokenize and
detokenize tests compare with. Usage (from the repository root): python3 tokenizer/testdata/make-cli-golden.py
"""
import json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REF = os.environ.get("LLAMA_REF", os.path.join(ROOT, "..", "shared", "tools", "llama-ref.mjs"))
MODEL = os.path.join(ROOT, "..", "shared", "models", "stories260k-f32.gguf")


def ref(*args):
    with tempfile.TemporaryFile("w+") as out:
        r = subprocess.run(["node", REF, MODEL] + list(args), stdout=out, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit("llama-ref failed: %s\n%s" % (args, r.stderr))
        out.seek(0)
        return json.load(out)


def main():
    tok = []
    for text in ["Once upon a time", "", " leading space", "Hello world\nnew line\n\n", "<s>Lily</s> ran.",
                 "Tom's dog, Max, was happy! 😀 日本"]:
        for flags in ([], ["--no-bos"], ["--special"]):
            r = ref("--tokenize", text, *flags)
            tok.append({"text": text, "flags": flags, "ids": r["ids"], "pieces": r["pieces"]})
    detok = []
    for ids in ([1, 403, 407, 261, 378], [403, 407, 261, 378], [1, 2, 13, 403], [0, 1, 2]):
        for flags in ([], ["--special"]):
            r = ref("--detokenize", ",".join(map(str, ids)), *flags)
            detok.append({"ids": ids, "flags": flags, "text": r["text"]})
    dst = os.path.join(ROOT, "tokenizer", "testdata", "golden", "cli-stories260k.json")
    with open(dst, "w") as f:
        json.dump({"model": "stories260k-f32.gguf", "tokenize": tok, "detokenize": detok}, f, ensure_ascii=True, indent=1)
        f.write("\n")
    print("wrote", dst, file=sys.stderr)


if __name__ == "__main__":
    main()
