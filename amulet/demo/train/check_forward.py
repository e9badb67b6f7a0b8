#!/usr/bin/python3
"""Check that the exported weights mean the same model to llama.cpp as to the trainer.

A plain NumPy float64 forward of the llama architecture (RoPE in the GGUF "llama" pair layout)
over the exported .npy weights, compared with llama.cpp's logits for the F32 GGUF:

  node /work/shared/tools/llama-ref.mjs demo-f32.gguf --tokens 1,259,... --n 1 --no-timing \
       --logits-out ref.json > /dev/null
  check_forward.py RUN_DIR ref.json
"""
import json, os, sys
import numpy as np

run, ref = sys.argv[1], sys.argv[2]
cfg = json.load(open(os.path.join(run, 'config.json')))
W = lambda n: np.load(os.path.join(run, 'weights', n + '.npy')).astype(np.float64)
r = json.load(open(ref))
pos = r['positions']
toks = [p['input_token'] for p in pos]
D, H, KV = cfg['dim'], cfg['heads'], cfg['kv_heads']
hd = D // H


def norm(x, w):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-5) * w


T = len(toks)
inv = 1.0 / (10000.0 ** (np.arange(0, hd, 2) / hd))
ang = np.outer(np.arange(T), inv)
cos, sin = np.cos(ang), np.sin(ang)


def rope(x):  # (T, heads, hd)
    y = x.copy()
    x0, x1 = x[..., 0::2], x[..., 1::2]
    y[..., 0::2] = x0 * cos[:, None] - x1 * sin[:, None]
    y[..., 1::2] = x0 * sin[:, None] + x1 * cos[:, None]
    return y


x = W('token_embd.weight')[toks]
for l in range(cfg['layers']):
    p = f'blk.{l}.'
    h = norm(x, W(p + 'attn_norm.weight'))
    q = rope((h @ W(p + 'attn_q.weight').T).reshape(T, H, hd))
    k = rope((h @ W(p + 'attn_k.weight').T).reshape(T, KV, hd))
    v = (h @ W(p + 'attn_v.weight').T).reshape(T, KV, hd)
    out = np.zeros((T, H, hd))
    for hh in range(H):
        kv = hh // (H // KV)
        s = q[:, hh] @ k[:, kv].T / np.sqrt(hd)
        s[np.triu_indices(T, 1)] = -np.inf
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        out[:, hh] = s @ v[:, kv]
    x = x + out.reshape(T, D) @ W(p + 'attn_output.weight').T
    h = norm(x, W(p + 'ffn_norm.weight'))
    g, u = h @ W(p + 'ffn_gate.weight').T, h @ W(p + 'ffn_up.weight').T
    x = x + (g / (1 + np.exp(-g)) * u) @ W(p + 'ffn_down.weight').T
logits = norm(x, W('output_norm.weight')) @ W('output.weight').T
refl = np.array([p['logits'] for p in pos])
d = np.abs(logits - refl).max()
print(f'{T} positions x {logits.shape[1]} logits: max |numpy - llama.cpp| = {d:.3g}; argmax agree: {(logits.argmax(-1) == refl.argmax(-1)).all()}')
sys.exit(0 if d < 1e-3 else 1)
