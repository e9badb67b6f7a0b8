package model

import (
	"context"
	"fmt"
	"runtime"

	"github.com/amulet-llm/amulet/gguf"
)

// SessionOptions sizes a Session. Zero values pick defaults.
type SessionOptions struct {
	Threads       int       // worker threads for the matrix products; 0: GOMAXPROCS; at most MaxThreads
	MaxSequences  int       // sequences the KV cache holds (ids 0..MaxSequences-1); 0: 1
	ContextLength int       // positions per sequence; 0: the model's, at most DefaultContextLength
	KVType        gguf.Type // KV cache element type: gguf.TypeF32 (the zero value) or gguf.TypeF16
	BatchSize     int       // rows per forward chunk (prompt prefill); 0: 512
}

// MaxThreads bounds SessionOptions.Threads: each thread is a worker goroutine with a
// context-length row of attention scratch, so an absurd count is refused, not started.
const MaxThreads = 1024

// DefaultContextLength caps the context of a session whose options leave it 0, so that a model
// trained with a very long context does not allocate a huge cache by default.
const DefaultContextLength = 4096

// Batch is the input of one Forward: one entry per row. Row i feeds token Tokens[i] at position
// Positions[i] of sequence Seqs[i]. Logits[i] asks for that row's logits; a nil Logits asks for
// every row's.
type Batch struct {
	Tokens, Positions, Seqs []int32
	Logits                  []bool
}

// Session runs a Model over several sequences with a KV cache allocated once. It is not safe for
// concurrent use.
type Session struct {
	m      *Model
	opts   SessionOptions
	be     backend
	seqLen []int

	// results of the last Forward
	logits   []float32 // rows that asked for logits, Vocab each; grows when a batch asks for more
	logitRow []int32   // per batch row: index into logits, or -1
	next     []int     // per sequence: next position while validating a batch
}

// backend computes the forward pass and owns the KV cache and the scratch buffers. The CPU
// backend is the only one today; a CUDA one can implement the same interface.
type backend interface {
	// forward runs the rows of one chunk (at most BatchSize rows) through the model, writing
	// each row's key/value entries into its sequence's cache at its position. Rows whose
	// out index is >= 0 write their logits to logits[out*Vocab:]; those indexes are
	// consecutive in row order.
	forward(ctx context.Context, tokens, positions, seqs, out []int32, logits []float32) error
	// copyPrefix copies cache positions [0, n) of sequence src to sequence dst.
	copyPrefix(dst, src, n int)
	close()
}

// NewSession allocates a KV cache for opts.MaxSequences sequences of opts.ContextLength
// positions and the scratch buffers for opts.BatchSize rows.
func (m *Model) NewSession(opts SessionOptions) (*Session, error) {
	opts = m.withDefaults(opts)
	if err := m.CheckKVCache(opts); err != nil {
		return nil, err
	}
	s := &Session{
		m:        m,
		opts:     opts,
		seqLen:   make([]int, opts.MaxSequences),
		next:     make([]int, opts.MaxSequences),
		logits:   make([]float32, m.Config.Vocab),
		logitRow: make([]int32, 0, opts.BatchSize),
	}
	s.be = newCPUBackend(m, opts)
	return s, nil
}

// withDefaults fills in the zero fields of opts as NewSession documents them.
func (m *Model) withDefaults(opts SessionOptions) SessionOptions {
	if opts.Threads <= 0 {
		opts.Threads = runtime.GOMAXPROCS(0)
	}
	if opts.MaxSequences <= 0 {
		opts.MaxSequences = 1
	}
	if opts.ContextLength <= 0 {
		opts.ContextLength = min(m.Config.ContextLength, DefaultContextLength)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 512
	}
	opts.BatchSize = min(opts.BatchSize, opts.ContextLength*opts.MaxSequences)
	return opts
}

// CheckKVCache reports, before anything is allocated, why NewSession(opts) would refuse its
// options: too many threads, an unsupported KV type, sizes out of range, or a KV cache larger
// than this machine's physical memory (so an absurd context length is an error, not an
// exhausted machine). Zero fields take NewSession's defaults.
func (m *Model) CheckKVCache(opts SessionOptions) error {
	opts = m.withDefaults(opts)
	if opts.Threads > MaxThreads {
		return fmt.Errorf("model: %d threads: want at most %d", opts.Threads, MaxThreads)
	}
	if opts.KVType != gguf.TypeF32 && opts.KVType != gguf.TypeF16 {
		return fmt.Errorf("model: KV cache type %s is not supported (supported: F32, F16)", opts.KVType)
	}
	const maxCells = 1 << 40
	cells := int64(opts.MaxSequences) * int64(opts.ContextLength) * int64(m.Config.Layers) *
		int64(m.Config.KVHeads*m.Config.HeadDim)
	if opts.MaxSequences > 1<<16 || opts.ContextLength > 1<<24 || cells > maxCells {
		return fmt.Errorf("model: KV cache of %d sequences x %d positions is too large", opts.MaxSequences, opts.ContextLength)
	}
	elt := int64(4)
	if opts.KVType == gguf.TypeF16 {
		elt = 2
	}
	if kv, total := 2*cells*elt, memTotal(); total > 0 && uint64(kv) > total {
		return fmt.Errorf("model: a KV cache of %d sequences x %d positions (%s) needs %.1f GiB, more than this machine's %.1f GiB of memory",
			opts.MaxSequences, opts.ContextLength, opts.KVType, float64(kv)/(1<<30), float64(total)/(1<<30))
	}
	return nil
}

// Options returns the session's options with the defaults filled in.
func (s *Session) Options() SessionOptions { return s.opts }

// Model returns the model the session runs.
func (s *Session) Model() *Model { return s.m }

// Close releases the worker threads. The session must not be used afterwards.
func (s *Session) Close() {
	if s.be != nil {
		s.be.close()
		s.be = nil
	}
}

// SeqLen returns the number of positions of sequence seq in the cache (0 for an unknown id).
func (s *Session) SeqLen(seq int32) int {
	if seq < 0 || int(seq) >= len(s.seqLen) {
		return 0
	}
	return s.seqLen[seq]
}

// Logits returns the logits of batch row `row` of the last Forward, or nil if that row did not
// ask for them. The slice is valid until the next Forward.
func (s *Session) Logits(row int) []float32 {
	if row < 0 || row >= len(s.logitRow) || s.logitRow[row] < 0 {
		return nil
	}
	v := s.m.Config.Vocab
	i := int(s.logitRow[row])
	return s.logits[i*v : (i+1)*v : (i+1)*v]
}

// CopyPrefix makes sequence dst the first n positions of sequence src, copying their cache
// entries (no recomputation). Whatever dst held is dropped.
func (s *Session) CopyPrefix(dst, src int32, n int) error {
	if err := s.checkSeq(dst); err != nil {
		return err
	}
	if err := s.checkSeq(src); err != nil {
		return err
	}
	if n < 0 || n > s.seqLen[src] {
		return fmt.Errorf("model: CopyPrefix: %d positions requested, sequence %d has %d", n, src, s.seqLen[src])
	}
	if dst != src {
		s.be.copyPrefix(int(dst), int(src), n)
	}
	s.seqLen[dst] = n
	return nil
}

// Truncate keeps the first n positions of sequence seq.
func (s *Session) Truncate(seq int32, n int) error {
	if err := s.checkSeq(seq); err != nil {
		return err
	}
	if n < 0 || n > s.seqLen[seq] {
		return fmt.Errorf("model: Truncate: sequence %d has %d positions, cannot keep %d", seq, s.seqLen[seq], n)
	}
	s.seqLen[seq] = n
	return nil
}

func (s *Session) checkSeq(seq int32) error {
	if seq < 0 || int(seq) >= len(s.seqLen) {
		return fmt.Errorf("model: sequence %d out of range [0, %d)", seq, len(s.seqLen))
	}
	return nil
}

// Forward runs the rows of b through the model, appending each row's token to its sequence,
// and keeps the logits of the rows that ask for them (see Logits). Each row's position must
// continue its sequence: the first row of sequence s is at SeqLen(s), the next at SeqLen(s)+1,
// and so on. Rows are processed in chunks of BatchSize; every weight matrix is read once per
// chunk. ctx is checked between layers. On error no sequence grows past the last whole chunk.
func (s *Session) Forward(ctx context.Context, b Batch) error {
	if s.be == nil {
		return fmt.Errorf("model: Forward on a closed session")
	}
	n := len(b.Tokens)
	if len(b.Positions) != n || len(b.Seqs) != n || (b.Logits != nil && len(b.Logits) != n) {
		return fmt.Errorf("model: batch has %d tokens, %d positions, %d sequence ids and %d logits flags",
			n, len(b.Positions), len(b.Seqs), len(b.Logits))
	}
	copy(s.next, s.seqLen)
	vocab := s.m.Config.Vocab
	wanted := 0
	for i := range n {
		seq, tok, pos := b.Seqs[i], b.Tokens[i], int(b.Positions[i])
		if err := s.checkSeq(seq); err != nil {
			return fmt.Errorf("model: batch row %d: %w", i, err)
		}
		if tok < 0 || int(tok) >= vocab {
			return fmt.Errorf("model: batch row %d: token %d out of range [0, %d)", i, tok, vocab)
		}
		if pos != s.next[seq] {
			return fmt.Errorf("model: batch row %d: sequence %d continues at position %d, got %d", i, seq, s.next[seq], pos)
		}
		if pos >= s.opts.ContextLength {
			return fmt.Errorf("model: batch row %d: sequence %d at position %d exceeds the context length %d",
				i, seq, pos, s.opts.ContextLength)
		}
		s.next[seq]++
		if b.Logits == nil || b.Logits[i] {
			wanted++
		}
	}

	// Assign logits slots (row order) and grow the logits buffer if this batch asks for more.
	if cap(s.logitRow) < n {
		s.logitRow = make([]int32, n)
	}
	s.logitRow = s.logitRow[:n]
	if need := wanted * vocab; len(s.logits) < need {
		s.logits = make([]float32, need)
	}
	k := int32(0)
	for i := range n {
		s.logitRow[i] = -1
		if b.Logits == nil || b.Logits[i] {
			s.logitRow[i] = k
			k++
		}
	}

	for lo := 0; lo < n; lo += s.opts.BatchSize {
		hi := min(lo+s.opts.BatchSize, n)
		err := s.be.forward(ctx, b.Tokens[lo:hi], b.Positions[lo:hi], b.Seqs[lo:hi], s.logitRow[lo:hi], s.logits)
		if err != nil {
			s.logitRow = s.logitRow[:0]
			return err
		}
		for i := lo; i < hi; i++ {
			s.seqLen[b.Seqs[i]] = int(b.Positions[i]) + 1
		}
	}
	return nil
}
