package model

import (
	"context"
	"math"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/kernels"
)

// cpuBackend runs the forward pass with the kernels package on a worker pool. Every buffer is
// allocated once in newCPUBackend; a forward allocates nothing.
type cpuBackend struct {
	m    *Model
	c    Config
	pool *kernels.Pool
	rope *kernels.RoPE

	ctxLen, batch int
	qDim, kvDim   int
	scale         float32 // 1/sqrt(headDim), the attention temperature

	// KV cache, one block per (sequence, layer, KV head) so that a KV head's keys are contiguous
	// and attention can run per KV head: the key of sequence s, layer l, KV head h, position p
	// starts at (((s*Layers+l)*KVHeads+h)*ctxLen+p)*HeadDim. Only one pair is allocated, by type.
	k32, v32 []float32
	k16, v16 []uint16

	// Scratch, batch rows each (names after llama2.c's RunState).
	x      []float32 // residual stream, Hidden per row
	xb     []float32 // normalized input of a sub-layer, Hidden per row
	xb2    []float32 // output of a sub-layer before the residual add, Hidden per row
	q      []float32 // queries, Heads*HeadDim per row
	k, v   []float32 // this batch's keys and values, KVHeads*HeadDim per row
	att    []float32 // attention output, Heads*HeadDim per row
	hb     []float32 // SwiGLU gate (then its output), FFN per row
	hb2    []float32 // SwiGLU up projection, FFN per row
	scores []float32 // attention scores, ctxLen per worker slot (see attention)

	cur       attnJob          // the attention step being run
	attnTasks func(lo, hi int) // b.attention, bound once (a closure per layer would allocate)
}

// attnJob is what the attention tasks of one layer need besides the backend's buffers.
type attnJob struct {
	layer           int
	positions, seqs []int32
	tasks, slots    int // (row, KV head) tasks, and the worker slots they are dealt over
}

func newCPUBackend(m *Model, opts SessionOptions) *cpuBackend {
	c := m.Config
	b := &cpuBackend{
		m:      m,
		c:      c,
		pool:   kernels.NewPool(opts.Threads),
		ctxLen: opts.ContextLength,
		batch:  opts.BatchSize,
		qDim:   c.Heads * c.HeadDim,
		kvDim:  c.KVHeads * c.HeadDim,
		scale:  1 / float32(math.Sqrt(float64(c.HeadDim))),
	}
	scaling := c.RopeScaling
	if m.ropeFreqs != nil {
		scaling.FreqFactors = m.ropeFreqs
	}
	b.rope = kernels.NewRoPE(c.RopeDims, c.RopeBase, scaling)
	cache := opts.MaxSequences * c.Layers * opts.ContextLength * b.kvDim
	if opts.KVType == gguf.TypeF16 {
		b.k16, b.v16 = make([]uint16, cache), make([]uint16, cache)
	} else {
		b.k32, b.v32 = make([]float32, cache), make([]float32, cache)
	}
	n := opts.BatchSize
	b.x = make([]float32, n*c.Hidden)
	b.xb = make([]float32, n*max(c.Hidden, b.qDim))
	b.xb2 = make([]float32, n*c.Hidden)
	b.q = make([]float32, n*b.qDim)
	b.k = make([]float32, n*b.kvDim)
	b.v = make([]float32, n*b.kvDim)
	b.att = make([]float32, n*b.qDim)
	b.hb = make([]float32, n*c.FFN)
	b.hb2 = make([]float32, n*c.FFN)
	b.scores = make([]float32, b.pool.Threads()*opts.ContextLength)
	b.attnTasks = b.attention
	return b
}

func (b *cpuBackend) close() { b.pool.Close() }

// cacheOffset is the index of the first key (or value) element of (seq, layer, KV head, pos).
func (b *cpuBackend) cacheOffset(seq, layer, head, pos int) int {
	return (((seq*b.c.Layers+layer)*b.c.KVHeads+head)*b.ctxLen + pos) * b.c.HeadDim
}

func (b *cpuBackend) copyPrefix(dst, src, n int) {
	for l := range b.c.Layers {
		for h := range b.c.KVHeads {
			d, s, e := b.cacheOffset(dst, l, h, 0), b.cacheOffset(src, l, h, 0), n*b.c.HeadDim
			if b.k16 != nil {
				copy(b.k16[d:d+e], b.k16[s:s+e])
				copy(b.v16[d:d+e], b.v16[s:s+e])
			} else {
				copy(b.k32[d:d+e], b.k32[s:s+e])
				copy(b.v32[d:d+e], b.v32[s:s+e])
			}
		}
	}
}

// rows returns rows [0, n) of a scratch buffer of `width` elements per row.
func rows(buf []float32, n, width int) []float32 { return buf[:n*width] }

// row returns row i of a buffer of `width` elements per row.
func row(buf []float32, i, width int) []float32 { return buf[i*width : (i+1)*width] }

func (b *cpuBackend) forward(ctx context.Context, tokens, positions, seqs, out []int32, logits []float32) error {
	c, n := b.c, len(tokens)
	H, F := c.Hidden, c.FFN

	// x = token_embd[token], one row per batch row.
	for i, tok := range tokens {
		kernels.Row(row(b.x, i, H), b.m.tokenEmbd, int(tok))
	}

	for li := range b.m.layers {
		if err := ctx.Err(); err != nil {
			return err
		}
		l := &b.m.layers[li]

		// Attention block. h = rmsnorm(x) * attn_norm
		for i := range n {
			kernels.RMSNorm(row(b.xb, i, H), row(b.x, i, H), l.attnNorm, c.NormEps)
		}
		// q = h·Wq, k = h·Wk, v = h·Wv: each weight read once for the n rows.
		xb := rows(b.xb, n, H)
		b.pool.MatMul(rows(b.q, n, b.qDim), l.attnQ, xb, n)
		b.pool.MatMul(rows(b.k, n, b.kvDim), l.attnK, xb, n)
		b.pool.MatMul(rows(b.v, n, b.kvDim), l.attnV, xb, n)
		for i := range n {
			q, k, v := row(b.q, i, b.qDim), row(b.k, i, b.kvDim), row(b.v, i, b.kvDim)
			if l.attnQBias != nil { // qwen2: q += bq, k += bk, v += bv
				kernels.Add(q, l.attnQBias)
			}
			if l.attnKBias != nil {
				kernels.Add(k, l.attnKBias)
			}
			if l.attnVBias != nil {
				kernels.Add(v, l.attnVBias)
			}
			// Rotate q and k by their position: each pair of dims turns by pos·base^(-2j/dims).
			pos := int(positions[i])
			b.rope.Apply(q, c.Heads, c.HeadDim, pos, c.RopeNeoX)
			b.rope.Apply(k, c.KVHeads, c.HeadDim, pos, c.RopeNeoX)
			// Append k and v to the sequence's cache at pos, head by head.
			hd := c.HeadDim
			for h := range c.KVHeads {
				off := b.cacheOffset(int(seqs[i]), li, h, pos)
				kh, vh := k[h*hd:(h+1)*hd], v[h*hd:(h+1)*hd]
				if b.k16 != nil {
					kernels.F32ToF16(b.k16[off:off+hd], kh)
					kernels.F32ToF16(b.v16[off:off+hd], vh)
				} else {
					copy(b.k32[off:off+hd], kh)
					copy(b.v32[off:off+hd], vh)
				}
			}
		}
		// a = softmax(q·Kᵀ/sqrt(headDim))·V per head over the row's own sequence, positions
		// [0, pos] (causal: later rows of the same sequence are not visible yet). One task per
		// (row, KV head): the query heads that share a KV head are adjacent in q and in a.
		tasks := n * c.KVHeads
		b.cur = attnJob{layer: li, positions: positions, seqs: seqs, tasks: tasks, slots: min(tasks, b.pool.Threads())}
		b.pool.Run(b.cur.slots, b.attnTasks)
		b.cur = attnJob{}
		// After the last layer's attention only the rows that want logits matter (their keys
		// and values are cached already): pack those rows to the front and finish with them.
		if li == len(b.m.layers)-1 {
			n = b.packOutputRows(out)
			if n == 0 {
				return nil
			}
		}
		// x = x + a·Wo
		b.pool.MatMul(rows(b.xb2, n, H), l.attnOutput, rows(b.att, n, b.qDim), n)
		if l.attnOutBias != nil {
			for i := range n {
				kernels.Add(row(b.xb2, i, H), l.attnOutBias)
			}
		}
		kernels.Add(rows(b.x, n, H), rows(b.xb2, n, H))

		// Feed-forward block. h = rmsnorm(x) * ffn_norm
		for i := range n {
			kernels.RMSNorm(row(b.xb, i, H), row(b.x, i, H), l.ffnNorm, c.NormEps)
		}
		// x = x + (silu(h·Wgate) ⊙ (h·Wup))·Wdown
		xb = rows(b.xb, n, H)
		hb, hb2 := rows(b.hb, n, F), rows(b.hb2, n, F)
		b.pool.MatMul(hb, l.ffnGate, xb, n)
		b.pool.MatMul(hb2, l.ffnUp, xb, n)
		// Row by row: a kernel may compute a slice's tail differently from its body (the
		// vector exp handles 8 lanes at a time), and a row's result must not depend on where
		// the row sits in the batch.
		for i := range n {
			kernels.SwiGLU(row(b.hb, i, F), row(b.hb, i, F), row(b.hb2, i, F))
		}
		b.pool.MatMul(rows(b.xb2, n, H), l.ffnDown, hb, n)
		kernels.Add(rows(b.x, n, H), rows(b.xb2, n, H))
	}

	// logits = (rmsnorm(x) * output_norm)·Woutput for the packed rows. Their slots in logits
	// are consecutive, so one product writes them all.
	for i := range n {
		kernels.RMSNorm(row(b.xb, i, H), row(b.x, i, H), b.m.outputNorm, c.NormEps)
	}
	first, v := -1, c.Vocab
	for _, o := range out {
		if o >= 0 {
			first = int(o)
			break
		}
	}
	b.pool.MatMul(logits[first*v:(first+n)*v], b.m.output, rows(b.xb, n, H), n)
	return nil
}

// packOutputRows moves the residual and attention rows of the batch rows that want logits
// (out[i] >= 0) to the front, keeping their order, and returns how many there are.
func (b *cpuBackend) packOutputRows(out []int32) int {
	H, qd, m := b.c.Hidden, b.qDim, 0
	for i, o := range out {
		if o < 0 {
			continue
		}
		if m != i {
			copy(row(b.x, m, H), row(b.x, i, H))
			copy(row(b.att, m, qd), row(b.att, i, qd))
		}
		m++
	}
	return m
}

// attention runs worker slots [lo, hi) of the current layer. Slot s runs tasks s, s+slots,
// s+2*slots, ... with scores row s as its scratch (so the scratch is one row per thread, not
// per task, and the dealing evens out the causal rows' growing cost). Task t is batch row
// t/KVHeads and KV head t%KVHeads, whose group of Heads/KVHeads query heads attends over
// positions [0, pos].
func (b *cpuBackend) attention(lo, hi int) {
	for s := lo; s < hi; s++ {
		sc := row(b.scores, s, b.ctxLen)
		for t := s; t < b.cur.tasks; t += b.cur.slots {
			b.attentionTask(t, sc)
		}
	}
}

// attentionTask runs task t of the current layer with scratch sc.
func (b *cpuBackend) attentionTask(t int, sc []float32) {
	c := &b.c
	group := c.Heads / c.KVHeads
	gd := group * c.HeadDim // q/a elements of one KV head's group of query heads
	i, h := t/c.KVHeads, t%c.KVHeads
	pos := int(b.cur.positions[i])
	base := b.cacheOffset(int(b.cur.seqs[i]), b.cur.layer, h, 0)
	end := base + (pos+1)*c.HeadDim
	att := b.att[i*b.qDim+h*gd : i*b.qDim+(h+1)*gd]
	q := b.q[i*b.qDim+h*gd : i*b.qDim+(h+1)*gd]
	if b.k16 != nil {
		kernels.AttentionF16(att, q, b.k16[base:end], b.v16[base:end], pos+1, group, 1, c.HeadDim, b.scale, sc)
	} else {
		kernels.AttentionBatchF32(att, q, b.k32[base:end], b.v32[base:end], pos+1, group, 1, c.HeadDim, b.scale, b.cur.tasks/c.KVHeads, sc)
	}
}
