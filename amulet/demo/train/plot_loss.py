#!/usr/bin/python3
"""Plot loss.csv (written by train.py) as an SVG: plot_loss.py loss.csv loss.svg"""
import csv, sys

import matplotlib
matplotlib.use('Agg')
import matplotlib.pyplot as plt

rows = list(csv.DictReader(open(sys.argv[1])))
step = [int(r['step']) for r in rows]
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(step, [float(r['train_loss']) for r in rows], label='train (running mean)')
ax.plot(step, [float(r['val_loss']) for r in rows], label='validation')
ax.set_xlabel('step (16 x 128 tokens)')
ax.set_ylabel('cross-entropy (nats/token)')
ax.set_yscale('log')
ax.set_title('amulet demo model training loss')
ax.grid(True, alpha=0.3)
ax.legend()
fig.tight_layout()
fig.savefig(sys.argv[2], metadata={'Date': None})
