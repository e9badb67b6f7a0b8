package kernels

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/amulet-llm/amulet/gguf"
)

// Pool is a persistent set of worker goroutines: Threads()-1 workers plus
// the calling goroutine. Work is split into contiguous chunks, one per
// thread. Between jobs a worker spins briefly on the job counter (decoding
// runs hundreds of small jobs per token back to back, and waking a parked
// thread costs more than a small job), then parks on a condition variable.
// A Pool runs one job at a time: Run and MatMul are not reentrant and must
// not be called concurrently.
type Pool struct {
	threads int
	gen     atomic.Uint64 // incremented to start a job
	pending atomic.Int32  // workers still running the current job
	done    chan struct{} // the last worker of a job sends one token
	mu      sync.Mutex
	cond    sync.Cond // signalled (under mu) when gen changes or the pool closes
	closed  bool      // guarded by mu
	stopped bool      // Close was called (caller side)

	// The job being run; written by the caller before gen is incremented.
	kind  jobKind
	n     int
	parts int
	fn    func(lo, hi int)
	mm    matmulJob

	// Scratch for quantized / converted activations; grows only when needed.
	xq   []byte
	xh   []uint16
	xaux []uint32         // per-block activation terms of the packed-tile path
	pack [][]byte         // per-thread packed weight tiles (gemm8.go)
	xf   []float32        // F16-rounded activations, packed for the F16 GEMM (gemmf16.go)
	f16  []gemmF16Scratch // per-thread F16 GEMM tiles (gemmf16.go)
	xk   []byte           // Q8_K activation quants as plain int8 rows (gemm8k.go)
}

type jobKind int

const (
	jobFunc jobKind = iota
	jobQuantize
	jobPackF16
	jobMatMul
)

// spinChecks is how many times an idle worker polls for the next job
// before parking (tens of microseconds).
const spinChecks = 20000

// NewPool starts a pool of `threads` threads (the caller counts as one);
// threads < 1 means runtime.GOMAXPROCS(0).
func NewPool(threads int) *Pool {
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, done: make(chan struct{}, 1)}
	p.cond.L = &p.mu
	for i := 1; i < threads; i++ {
		go p.worker(i)
	}
	return p
}

// Threads returns the number of threads work is split over.
func (p *Pool) Threads() int { return p.threads }

// Close stops the workers. Later calls run on the caller alone.
func (p *Pool) Close() {
	if p.stopped {
		return
	}
	p.stopped = true
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	p.threads = 1
}

func (p *Pool) worker(id int) {
	var seen uint64 // gen is 0 when the workers start; never skip a job
	for {
		// Spin for the next job, then park.
		g := p.gen.Load()
		for i := 0; g == seen && i < spinChecks; i++ {
			if i%256 == 255 {
				runtime.Gosched()
			}
			g = p.gen.Load()
		}
		if g == seen {
			p.mu.Lock()
			for p.gen.Load() == seen && !p.closed {
				p.cond.Wait()
			}
			closed := p.closed
			p.mu.Unlock()
			if closed && p.gen.Load() == seen {
				return
			}
			g = p.gen.Load()
		}
		seen = g
		p.chunk(id)
		if p.pending.Add(-1) == 0 {
			p.done <- struct{}{}
		}
	}
}

// Run splits [0,n) into contiguous chunks, calls fn once per non-empty
// chunk on the pool's threads and returns when all are done. fn is called
// with lo < hi. (A closure passed here escapes: create it once, outside
// per-token loops, to stay allocation-free.)
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	p.fn = fn
	p.run(jobFunc, n)
	p.fn = nil
}

// run executes the current job over [0,n) on min(threads, n) threads.
// Every worker takes part in every job (those past `parts` do nothing), so
// none can miss a generation.
func (p *Pool) run(kind jobKind, n int) {
	p.kind, p.n = kind, n
	p.parts = min(p.threads, n)
	if p.parts == 1 {
		p.chunk(0)
		return
	}
	p.pending.Store(int32(p.threads - 1))
	p.gen.Add(1)
	p.mu.Lock()
	p.cond.Broadcast()
	p.mu.Unlock()
	p.chunk(0)
	// Spin briefly for the workers, then block; the token is consumed
	// either way so the next job starts with an empty channel.
	for i := 0; i < spinChecks && p.pending.Load() != 0; i++ {
		if i%256 == 255 {
			runtime.Gosched()
		}
	}
	<-p.done
}

// chunk runs part `id` of the current job.
func (p *Pool) chunk(id int) {
	if id >= p.parts {
		return
	}
	lo, hi := id*p.n/p.parts, (id+1)*p.n/p.parts
	if p.kind == jobMatMul {
		// Whole groups of four rows per thread, for the four-row kernels;
		// of sixteen for repacked tiles. (One contiguous share each: handing
		// out smaller blocks dynamically was measured 4% slower for F16
		// decoding, the streams restarting at every block.)
		if p.mm.packed {
			groups := (p.n + 15) / 16
			lo, hi = id*groups/p.parts*16, min(p.n, (id+1)*groups/p.parts*16)
		} else if p.n >= 4*p.parts {
			groups := (p.n + 3) / 4
			lo, hi = id*groups/p.parts*4, min(p.n, (id+1)*groups/p.parts*4)
		}
	}
	if lo >= hi {
		return
	}
	switch p.kind {
	case jobFunc:
		p.fn(lo, hi)
	case jobQuantize:
		p.mm.quantizeRows(lo, hi)
	case jobPackF16:
		p.mm.packF16Blocks(lo, hi)
	case jobMatMul:
		if p.mm.packed {
			p.mm.packedRows(lo, hi)
		} else if p.mm.gemm8 {
			p.mm.gemm8Rows(&p.pack[id], lo, hi)
		} else if p.mm.xf != nil {
			p.mm.gemmF16Rows(&p.f16[id], lo, hi)
		} else {
			p.mm.rows(lo, hi)
		}
	}
}

// matmulJob holds one MatMul call's operands, shared by the threads.
type matmulJob struct {
	out   []float32
	w     Matrix
	x     []float32
	batch int
	rb    int // weight row bytes

	// Activations in the dot product's input type.
	xq      []byte   // quantized rows, xrb bytes each
	xrb     int      // bytes per quantized activation row
	xh      []uint16 // F16/BF16 rows
	quant   func(dst []byte, x []float32)
	dot     func(n int, w, x []byte) float32
	dot4    func(n int, w []byte, rowBytes int, x []byte, out []float32) // nil: use dot
	dot4n   func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dot4n16 func(n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int)

	// Weights repacked at load (packed.go): used when packed is set; aux
	// as for gemm8.
	packed bool

	// Packed 8-row tiles (gemm8.go, gemm8k.go): used when gemm8 is set.
	gemm8            bool
	aux              []uint32                              // per activation row g8auxPer entries per 32 columns
	g8auxPer         int                                   // aux entries per 32 columns (2, Q6_K 4)
	g8pack           func(dst []byte, w Matrix, rb, r int) // packs rows r..r+7
	g8blk            int                                   // packed bytes per 32 columns
	g8x              []byte                                // activations as the kernels read them
	g8xs             int                                   // their row stride in bytes
	g8x8, g8x4, g8x1 gemm8Kernel                           // 8, 4, 1 activation rows (g8x4 may be nil)
	g16pack          func(dst []byte, w Matrix, rb, r int) // 16-row tiles (gemm16.go), nil if none
	g16blk           int                                   // their packed bytes per 32 columns
	g16x8, g16x1     gemm8Kernel

	// F16 weights in prefill (gemmf16.go): used when xf is set.
	xf []float32

	// F16 weights, one activation row, llama.cpp's order (dotf16vd.go):
	// used when xv is set.
	xv []float32
}

// MatMul computes out[b*w.Rows + r] = dot(row r of w, x[b*w.Cols:(b+1)*w.Cols])
// for every batch row b in [0, batch). Quantized weights first quantize x the
// way llama.cpp does (Q8_0 for Q4_0/Q5_0/Q8_0, Q8_1 for Q4_1/Q5_1, Q8_K for
// the K-quants; F16 weights take x as F16, BF16 weights as BF16) into
// pool-owned scratch; then the weight rows are split over the threads and
// each weight row is read once for the whole batch. Not reentrant.
// It panics if the slices are too short or the type unsupported.
func (p *Pool) MatMul(out []float32, w Matrix, x []float32, batch int) {
	if batch <= 0 {
		return
	}
	f, ok := formatOf(w.Type)
	if !ok || !Supported(w.Type) {
		panic(fmt.Sprintf("kernels: MatMul with unsupported weight type %s", w.Type))
	}
	if len(x) < batch*w.Cols || len(out) < batch*w.Rows {
		panic(fmt.Sprintf("kernels: MatMul %dx%d batch %d: x has %d, out %d elements", w.Rows, w.Cols, batch, len(x), len(out)))
	}
	rb := f.rowBytes(w.Cols)
	if len(w.Data) < rb*w.Rows {
		panic(fmt.Sprintf("kernels: MatMul: weight data has %d bytes, want %d", len(w.Data), rb*w.Rows))
	}
	mm := &p.mm
	*mm = matmulJob{out: out, w: w, x: x, batch: batch, rb: rb}
	switch w.Type {
	case gguf.TypeF32:
	case gguf.TypeF16, gguf.TypeBF16:
		mm.dot4n16 = dotF16x4n
		if w.Type == gguf.TypeBF16 {
			mm.dot4n16 = dotBF16x4n
		}
		n := batch * w.Cols
		if cap(p.xh) < n {
			p.xh = make([]uint16, n)
		}
		mm.xh = p.xh[:n]
		switch {
		case w.Type == gguf.TypeBF16:
			F32ToBF16(mm.xh, x[:n])
		case dotF16x4VD != nil && batch == 1 && w.Cols%64 == 0:
			// One row in vec_dot_f16's order (dotf16vd.go): float32 values
			// of the F16-rounded row; the F16 copy in xh is not read.
			if cap(p.xf) < w.Cols {
				p.xf = make([]float32, w.Cols)
			}
			mm.xv = p.xf[:w.Cols]
			copy(mm.xv, x[:w.Cols])
			roundF16s(mm.xv)
		default:
			F32ToF16(mm.xh, x[:n]) // the dot tiles; the GEMM's rows past a group of four
			if gemmF16T12 != nil && batch >= gemmF16MinBatch && w.Cols%16 == 0 {
				nf := gemmF16Batch(batch) * w.Cols
				if cap(p.xf) < nf {
					p.xf = make([]float32, nf)
				}
				mm.xf = p.xf[:nf]
				if len(p.f16) < p.threads {
					p.f16 = make([]gemmF16Scratch, p.threads)
				}
				p.run(jobPackF16, gemmF16Batch(batch)/32)
			}
		}
	default:
		af, _ := formatOf(f.act)
		mm.xrb = af.rowBytes(w.Cols)
		n := batch * mm.xrb
		if cap(p.xq) < n {
			p.xq = make([]byte, n)
		}
		mm.xq = p.xq[:n]
		switch f.act {
		case gguf.TypeQ8_0:
			mm.quant = quantizeRowQ8_0
		case gguf.TypeQ8_1:
			mm.quant = quantizeRowQ8_1
		default:
			mm.quant = quantizeRowQ8_K
		}
		mm.dot = *f.dot
		mm.dot4 = *f.dot4
		mm.dot4n = *f.dot4n
		if w.packed != nil {
			p.setPacked(mm)
		} else {
			p.setGemm8(mm)
		}
		if batch == 1 {
			mm.quantizeRows(0, 1)
		} else {
			p.run(jobQuantize, batch)
		}
	}
	p.run(jobMatMul, w.Rows)
	*mm = matmulJob{}
}

func (mm *matmulJob) quantizeRows(lo, hi int) {
	cols := mm.w.Cols
	for b := lo; b < hi; b++ {
		mm.quant(mm.xq[b*mm.xrb:(b+1)*mm.xrb], mm.x[b*cols:(b+1)*cols])
		if mm.packed {
			f := packedFormatOf(mm.w.Type)
			nb := cols / f.blockCols
			packedAux(mm.aux[b*f.auxPer*nb:(b+1)*f.auxPer*nb], mm.xq[b*mm.xrb:(b+1)*mm.xrb], nb, mm.w.Type)
		} else if mm.gemm8 {
			mm.gemm8Act(b)
		}
	}
}

// tileBytes bounds the weight bytes of a tile of rows that is dotted with
// every batch row before moving on, so the tile stays in L1/L2.
const tileBytes = 32 << 10

// rows computes output rows [lo, hi) for every batch row.
func (mm *matmulJob) rows(lo, hi int) {
	w, rb, batch := mm.w, mm.rb, mm.batch
	tile := max(4, tileBytes/rb/4*4) // whole groups of four rows
	if batch == 1 {
		tile = hi - lo
	}
	for r0 := lo; r0 < hi; r0 += tile {
		r1 := min(r0+tile, hi)
		switch w.Type {
		case gguf.TypeF32, gguf.TypeF16, gguf.TypeBF16:
			mm.floatRows(r0, r1)
		default:
			if mm.dot4n != nil && batch >= 2 {
				mm.tiledRows(r0, r1)
			} else {
				for b := 0; b < batch; b++ {
					mm.quantRows(r0, r1, b)
				}
			}
		}
	}
}

// floatRows computes rows [r0, r1) of F32/F16/BF16 weights for every batch row.
func (mm *matmulJob) floatRows(r0, r1 int) {
	// The F16/BF16 tiles pay at batch 1 too: the activation is read once
	// per four rows.
	if mm.xv != nil {
		mm.vecDotF16Rows(r0, r1)
		return
	}
	if mm.dot4n16 != nil {
		mm.tiledRows16(r0, r1)
		return
	}
	for b := 0; b < mm.batch; b++ {
		mm.floatRowsOne(r0, r1, b)
	}
}

// floatRowsOne computes rows [r0, r1) of F32/F16/BF16 weights for batch row b.
func (mm *matmulJob) floatRowsOne(r0, r1, b int) {
	w, rb, cols := mm.w, mm.rb, mm.w.Cols
	out := mm.out[b*w.Rows : (b+1)*w.Rows]
	switch w.Type {
	case gguf.TypeF32:
		xb := mm.x[b*cols : (b+1)*cols]
		for r := r0; r < r1; r++ {
			out[r] = dotF32(float32s(w.Data[r*rb:(r+1)*rb]), xb)
		}
	case gguf.TypeF16:
		xb := mm.xh[b*cols : (b+1)*cols]
		for r := r0; r < r1; r++ {
			out[r] = dotF16(uint16s(w.Data[r*rb:(r+1)*rb]), xb)
		}
	case gguf.TypeBF16:
		xb := mm.xh[b*cols : (b+1)*cols]
		for r := r0; r < r1; r++ {
			out[r] = dotBF16(uint16s(w.Data[r*rb:(r+1)*rb]), xb)
		}
	}
}

// tiledRows16 is tiledRows for F16/BF16 weights.
func (mm *matmulJob) tiledRows16(r0, r1 int) {
	w, rb, cols, batch := mm.w, mm.rb, mm.w.Cols, mm.batch
	r4 := r0 + (r1-r0)/4*4
	bblock := max(4, actBlockBytes/(2*cols)/4*4)
	for b0 := 0; b0 < batch; b0 += bblock {
		b1 := min(b0+bblock, batch)
		for r := r0; r < r4; r += 4 {
			for b := b0; b < b1; b += 4 {
				nx := min(4, b1-b)
				mm.dot4n16(cols, uint16s(w.Data[r*rb:(r+4)*rb]), cols, mm.xh[b*cols:(b+nx)*cols], cols, nx,
					mm.out[b*w.Rows+r:(b+nx-1)*w.Rows+r+4], w.Rows)
			}
		}
	}
	if r4 < r1 {
		for b := 0; b < batch; b++ {
			mm.floatRowsOne(r4, r1, b)
		}
	}
}

// quantRows computes rows [r0, r1) of quantized weights for batch row b,
// four rows at a time where a four-row dot exists.
func (mm *matmulJob) quantRows(r0, r1, b int) {
	w, rb, cols := mm.w, mm.rb, mm.w.Cols
	out := mm.out[b*w.Rows : (b+1)*w.Rows]
	xb := mm.xq[b*mm.xrb : (b+1)*mm.xrb]
	r := r0
	if mm.dot4 != nil {
		for ; r+4 <= r1; r += 4 {
			mm.dot4(cols, w.Data[r*rb:(r+4)*rb], rb, xb, out[r:r+4])
		}
	}
	for ; r < r1; r++ {
		out[r] = mm.dot(cols, w.Data[r*rb:(r+1)*rb], xb)
	}
}

// actBlockBytes bounds the quantized activations a weight tile is swept
// over at once, so they stay in L2 while the tile's rows go by.
const actBlockBytes = 128 << 10

// tiledRows computes rows [r0, r1) for every batch row with the four-row by
// nx tiles (batch rows in groups of up to four, blocks of batch rows kept
// in L2); rows that do not fill a group of four use the row dots.
func (mm *matmulJob) tiledRows(r0, r1 int) {
	w, rb, cols, batch := mm.w, mm.rb, mm.w.Cols, mm.batch
	r4 := r0 + (r1-r0)/4*4
	bblock := max(4, actBlockBytes/mm.xrb/4*4)
	for b0 := 0; b0 < batch; b0 += bblock {
		b1 := min(b0+bblock, batch)
		for r := r0; r < r4; r += 4 {
			for b := b0; b < b1; b += 4 {
				nx := min(4, b1-b)
				// A batch of exactly two (Amulet's two contexts decoding) runs the
				// prefetching four-row dot once per row: the second call finds the
				// rows in L1, and both rows get the bits a batch of one would.
				if nx == 2 && mm.dot4 != nil && batch == 2 {
					mm.dot4(cols, w.Data[r*rb:(r+4)*rb], rb, mm.xq[b*mm.xrb:(b+1)*mm.xrb], mm.out[b*w.Rows+r:b*w.Rows+r+4])
					mm.dot4(cols, w.Data[r*rb:(r+4)*rb], rb, mm.xq[(b+1)*mm.xrb:(b+2)*mm.xrb], mm.out[(b+1)*w.Rows+r:(b+1)*w.Rows+r+4])
					continue
				}
				if nx == 1 && mm.dot4 != nil {
					mm.dot4(cols, w.Data[r*rb:(r+4)*rb], rb, mm.xq[b*mm.xrb:(b+1)*mm.xrb], mm.out[b*w.Rows+r:b*w.Rows+r+4])
					continue
				}
				mm.dot4n(cols, w.Data[r*rb:(r+4)*rb], rb, mm.xq[b*mm.xrb:(b+nx)*mm.xrb], mm.xrb, nx,
					mm.out[b*w.Rows+r:(b+nx-1)*w.Rows+r+4], w.Rows)
			}
		}
	}
	if r4 < r1 {
		for b := 0; b < batch; b++ {
			mm.quantRows(r4, r1, b)
		}
	}
}
