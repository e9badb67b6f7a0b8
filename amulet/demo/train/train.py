#!/usr/bin/python3
"""Train the demo chat model: a ~1M-parameter llama (RMSNorm, RoPE, GQA, SwiGLU) on the token ids
written by `go run ./amulet/demo/cmd/demodata`.

Runs once, offline; the engine never needs Python. Writes to --out:
  weights/<gguf tensor name>.npy   float32, torch layout (out, in) = GGUF rows
  loss.csv                          step, tokens, train_loss, val_loss, seconds
  config.json                       the hyper-parameters
Reproducible from --seed (single thread; see README.md in this folder for the exact command).

RoPE uses the GGUF "llama" (normal, not NeoX) layout: pairs (x[2i], x[2i+1]) rotate together,
so the Q and K weights go into the GGUF file unpermuted.
"""
import argparse, json, math, os, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument('--data', required=True)
p.add_argument('--out', required=True)
p.add_argument('--seed', type=int, default=1)
p.add_argument('--steps', type=int, default=3000)
p.add_argument('--batch', type=int, default=16)
p.add_argument('--seq', type=int, default=128)
p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--warmup', type=int, default=100)
p.add_argument('--threads', type=int, default=1)
p.add_argument('--dim', type=int, default=128)
p.add_argument('--layers', type=int, default=4)
p.add_argument('--heads', type=int, default=4)
p.add_argument('--kv-heads', type=int, default=2)
p.add_argument('--ffn', type=int, default=384)
p.add_argument('--eval-every', type=int, default=100)
p.add_argument('--prompt-loss-weight', type=float, default=1.0,
               help='loss weight of tokens outside assistant answers (answers and their <|im_end|> weigh 1)')
p.add_argument('--stop-at', type=int, default=0, help='stop after this many steps (the schedule still spans --steps)')
p.add_argument('--init', default='', help='start from the weights/ of an earlier run (a second training stage)')
p.add_argument('--max-minutes', type=float, default=0, help='stop early (cosine schedule still set by --steps)')
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
rng = np.random.default_rng(a.seed)
os.makedirs(os.path.join(a.out, 'weights'), exist_ok=True)

train = np.fromfile(os.path.join(a.data, 'train.bin'), dtype='<u2').astype(np.int64)
val = np.fromfile(os.path.join(a.data, 'val.bin'), dtype='<u2').astype(np.int64)
vocab_tokens = json.load(open(os.path.join(a.data, 'vocab.json')))['tokens']
vocab = len(vocab_tokens)
IM_START, IM_END, ASSISTANT = 259, 260, vocab_tokens.index('\u2581assistant')


def answer_weights(data):
    """Per-token loss weight: 1 inside assistant answers (after '<|im_start|> assistant \\n',
    through <|im_end|>), --prompt-loss-weight elsewhere."""
    w = np.full(len(data), a.prompt_loss_weight, dtype=np.float32)
    starts = np.flatnonzero((data[:-2] == IM_START) & (data[1:-1] == ASSISTANT)) + 3
    ends = np.flatnonzero(data == IM_END)
    for s0 in starts:
        e = ends[np.searchsorted(ends, s0)] if np.searchsorted(ends, s0) < len(ends) else len(data) - 1
        w[s0:e + 1] = 1.0
    return w


train_w = answer_weights(train) if a.prompt_loss_weight != 1.0 else None
BOS = 1
train_starts = np.flatnonzero(train == BOS)
train_starts = train_starts[train_starts + a.seq + 1 <= len(train)]
val_starts = np.flatnonzero(val == BOS)
val_starts = val_starts[val_starts + a.seq + 1 <= len(val)]


def batch(data, starts, n, r, weights=None):
    idx = starts[r.integers(0, len(starts), n)]
    x = torch.from_numpy(np.stack([data[i:i + a.seq + 1] for i in idx]))
    if weights is None:
        return x[:, :-1], x[:, 1:], None
    w = torch.from_numpy(np.stack([weights[i + 1:i + a.seq + 1] for i in idx]))
    return x[:, :-1], x[:, 1:], w


class RMSNorm(nn.Module):
    def __init__(self, d, eps=1e-5):
        super().__init__()
        self.w = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.w


def rope_tables(seq, hd, base=10000.0):
    inv = 1.0 / (base ** (torch.arange(0, hd, 2).float() / hd))
    ang = torch.outer(torch.arange(seq).float(), inv)  # (seq, hd/2)
    return ang.cos(), ang.sin()


def rope(x, cos, sin):  # x: (B, H, T, hd); pairs (2i, 2i+1) rotate by angle pos*theta_i
    x0, x1 = x[..., 0::2], x[..., 1::2]
    y0 = x0 * cos - x1 * sin
    y1 = x0 * sin + x1 * cos
    return torch.stack((y0, y1), dim=-1).flatten(-2)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        d, hd = a.dim, a.dim // a.heads
        self.attn_norm = RMSNorm(d)
        self.q = nn.Linear(d, a.heads * hd, bias=False)
        self.k = nn.Linear(d, a.kv_heads * hd, bias=False)
        self.v = nn.Linear(d, a.kv_heads * hd, bias=False)
        self.o = nn.Linear(a.heads * hd, d, bias=False)
        self.ffn_norm = RMSNorm(d)
        self.gate = nn.Linear(d, a.ffn, bias=False)
        self.up = nn.Linear(d, a.ffn, bias=False)
        self.down = nn.Linear(a.ffn, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        hd = a.dim // a.heads
        h = self.attn_norm(x)
        q = self.q(h).view(B, T, a.heads, hd).transpose(1, 2)
        k = self.k(h).view(B, T, a.kv_heads, hd).transpose(1, 2)
        v = self.v(h).view(B, T, a.kv_heads, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        rep = a.heads // a.kv_heads
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(hd) + mask
        y = F.softmax(att, dim=-1) @ v
        x = x + self.o(y.transpose(1, 2).reshape(B, T, -1))
        h = self.ffn_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(vocab, a.dim)
        self.blocks = nn.ModuleList([Block() for _ in range(a.layers)])
        self.norm = RMSNorm(a.dim)
        self.out = nn.Linear(a.dim, vocab, bias=False)
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
        for b in self.blocks:  # scaled init of the residual projections
            nn.init.normal_(b.o.weight, std=0.02 / math.sqrt(2 * a.layers))
            nn.init.normal_(b.down.weight, std=0.02 / math.sqrt(2 * a.layers))
        cos, sin = rope_tables(a.seq, a.dim // a.heads)
        self.register_buffer('cos', cos, persistent=False)
        self.register_buffer('sin', sin, persistent=False)
        mask = torch.full((a.seq, a.seq), float('-inf')).triu(1)
        self.register_buffer('mask', mask, persistent=False)

    def forward(self, x):
        T = x.shape[1]
        h = self.emb(x)
        for b in self.blocks:
            h = b(h, self.cos[:T], self.sin[:T], self.mask[:T, :T])
        return self.out(self.norm(h))


def export(model, path):
    names = {'emb.weight': 'token_embd.weight', 'norm.w': 'output_norm.weight', 'out.weight': 'output.weight'}
    per_block = {'attn_norm.w': 'attn_norm.weight', 'q.weight': 'attn_q.weight', 'k.weight': 'attn_k.weight',
                 'v.weight': 'attn_v.weight', 'o.weight': 'attn_output.weight', 'ffn_norm.w': 'ffn_norm.weight',
                 'gate.weight': 'ffn_gate.weight', 'up.weight': 'ffn_up.weight', 'down.weight': 'ffn_down.weight'}
    for n, t in model.state_dict().items():
        if n.startswith('blocks.'):
            _, i, rest = n.split('.', 2)
            gn = f'blk.{i}.{per_block[rest]}'
        else:
            gn = names[n]
        np.save(os.path.join(path, gn + '.npy'), t.detach().float().numpy().astype('<f4'))


def load(model, path):
    names = {'token_embd.weight': 'emb.weight', 'output_norm.weight': 'norm.w', 'output.weight': 'out.weight'}
    per_block = {'attn_norm.weight': 'attn_norm.w', 'attn_q.weight': 'q.weight', 'attn_k.weight': 'k.weight',
                 'attn_v.weight': 'v.weight', 'attn_output.weight': 'o.weight', 'ffn_norm.weight': 'ffn_norm.w',
                 'ffn_gate.weight': 'gate.weight', 'ffn_up.weight': 'up.weight', 'ffn_down.weight': 'down.weight'}
    sd = {}
    for f in sorted(os.listdir(path)):
        gn = f[:-len('.npy')]
        if gn.startswith('blk.'):
            _, i, rest = gn.split('.', 2)
            n = f'blocks.{i}.{per_block[rest]}'
        else:
            n = names[gn]
        sd[n] = torch.from_numpy(np.load(os.path.join(path, f)))
    model.load_state_dict(sd)


model = Model()
if a.init:
    load(model, os.path.join(a.init, 'weights'))
nparams = sum(p.numel() for p in model.parameters())
cfg = dict(vars(a), vocab=vocab, params=nparams, train_tokens=int(len(train)), torch=torch.__version__)
json.dump(cfg, open(os.path.join(a.out, 'config.json'), 'w'), indent=1)
print(f'params {nparams}, train tokens {len(train)}, {len(train_starts)} conversations', flush=True)

decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.1}, {'params': no_decay, 'weight_decay': 0.0}],
                        lr=a.lr, betas=(0.9, 0.95))


def lr_at(step):
    if step < a.warmup:
        return a.lr * (step + 1) / a.warmup
    t = (step - a.warmup) / max(1, a.steps - a.warmup)
    return a.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


@torch.no_grad()
def val_loss():
    model.eval()
    r = np.random.default_rng(12345)
    tot = 0.0
    for _ in range(4):
        x, y, _ = batch(val, val_starts, 32, r)
        tot += F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1)).item()
    model.train()
    return tot / 4


log = open(os.path.join(a.out, 'loss.csv'), 'w')
log.write('step,tokens,train_loss,val_loss,seconds\n')
t0 = time.time()
run_loss = None
for step in range(a.steps):
    for g in opt.param_groups:
        g['lr'] = lr_at(step)
    x, y, w = batch(train, train_starts, a.batch, rng, train_w)
    if w is None:
        loss = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1))
    else:
        per = F.cross_entropy(model(x).reshape(-1, vocab), y.reshape(-1), reduction='none')
        loss = (per * w.reshape(-1)).sum() / w.sum()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    run_loss = loss.item() if run_loss is None else 0.9 * run_loss + 0.1 * loss.item()
    last = (step == a.steps - 1 or step + 1 == a.stop_at
            or (a.max_minutes and time.time() - t0 > a.max_minutes * 60))
    if (step + 1) % a.eval_every == 0 or last:
        vl = val_loss()
        el = time.time() - t0
        log.write(f'{step + 1},{(step + 1) * a.batch * a.seq},{run_loss:.4f},{vl:.4f},{el:.1f}\n')
        log.flush()
        print(f'step {step + 1} train {run_loss:.4f} val {vl:.4f} {el:.0f}s', flush=True)
        export(model, os.path.join(a.out, 'weights'))
    if last:
        break
print('done', flush=True)
