#!/usr/bin/python3
"""Write ../testdata/llama-greedy.json: llama.cpp's greedy answers (via llama-ref) of the demo
model to a few ChatML prompts, for TestDemoAnswers.

  make_greedy_golden.py ../demo-q8_0.gguf ../testdata/llama-greedy.json
"""
import json, subprocess, sys

model, out = sys.argv[1], sys.argv[2]
SYSTEM = 'You are a helpful assistant.'
cases = [
    ('How do I keep a fern alive?', 'Your answer should be concise as much as possible.'),
    ('Any tips to clean the oven?', 'Your answer should be a list as much as possible.'),
    ('What is the best way to save for a holiday?', 'Your answer should be formal as much as possible.'),
    ('Can you help me train a puppy?', 'Your answer should be uplifting as much as possible.'),
    ('How do I speed up an old laptop?', 'Your answer should end with a question as much as possible.'),
    ('What should I do to study for a math test?', 'Your answer should be verbose as much as possible.'),
]
res = []
for q, p in cases:
    prompt = f'<|im_start|>system\n{SYSTEM} {p}<|im_end|>\n<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n'
    r = subprocess.run(['node', '/work/shared/tools/llama-ref.mjs', model, '--prompt', prompt, '--special',
                        '--n', '96', '--no-timing', '--topk', '1', '--last-only', '--no-gen-topk', '--threads', '1'],
                       check=True, capture_output=True, text=True)
    d = json.loads(r.stdout)
    res.append({'question': q, 'preference': p, 'tokens': d['greedy']['tokens'], 'text': d['greedy']['text']})
    print(repr(d['greedy']['text']))
json.dump(res, open(out, 'w'), indent=1)
