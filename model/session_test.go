package model

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// maxDiff is the largest |a[i]-b[i]|.
func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range a {
		d = math.Max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}

// prefill feeds tokens to sequence seq from position start as one batch, with logits for every row.
func prefill(t testing.TB, s *Session, seq int32, start int, tokens []int32) [][]float32 {
	t.Helper()
	b := Batch{Tokens: tokens, Positions: make([]int32, len(tokens)), Seqs: make([]int32, len(tokens))}
	for i := range tokens {
		b.Positions[i] = int32(start + i)
		b.Seqs[i] = seq
	}
	if err := s.Forward(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	out := make([][]float32, len(tokens))
	for i := range tokens {
		out[i] = append([]float32(nil), s.Logits(i)...)
	}
	return out
}

var (
	onceTokens = []int32{1, 403, 407, 261, 378} // "Once upon a time"
	// "Lily and Ben went to the park to play with a red ball." (first 12 tokens)
	lilyTokens = []int32{1, 317, 269, 368, 302, 263, 377, 267, 265, 282, 295, 433}
)

// TestBatchConsistency: two sequences decoded in one batch (rows interleaved, and prompt
// prefill in small chunks) give the same logits as each sequence alone.
func TestBatchConsistency(t *testing.T) {
	for _, name := range []string{"stories260k-f32", "stories260k-q4_0", "synth256-q4_k"} {
		t.Run(name, func(t *testing.T) {
			m := loadModel(t, filepath.Join(sharedtest.Dir(t), "models", name+".gguf"))
			for _, kv := range []gguf.Type{gguf.TypeF32, gguf.TypeF16} {
				alone := func(tokens []int32) [][]float32 {
					s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 64, KVType: kv})
					if err != nil {
						t.Fatal(err)
					}
					defer s.Close()
					var out [][]float32
					for i, tok := range tokens { // one token at a time
						out = append(out, prefill(t, s, 0, i, []int32{tok})[0])
					}
					return out
				}
				a, b := alone(onceTokens), alone(lilyTokens)

				// Both sequences in the same batches: prompts interleaved, chunked by BatchSize 3.
				s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 64, MaxSequences: 2, BatchSize: 3, KVType: kv})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				var bt Batch
				var rowOf [2][]int
				for i := range max(len(onceTokens), len(lilyTokens)) {
					for seq, toks := range [][]int32{onceTokens, lilyTokens} {
						if i < len(toks) {
							rowOf[seq] = append(rowOf[seq], len(bt.Tokens))
							bt.Tokens = append(bt.Tokens, toks[i])
							bt.Positions = append(bt.Positions, int32(i))
							bt.Seqs = append(bt.Seqs, int32(seq))
						}
					}
				}
				if err := s.Forward(context.Background(), bt); err != nil {
					t.Fatal(err)
				}
				worst := 0.0
				for seq, want := range [][][]float32{a, b} {
					for i, r := range rowOf[seq] {
						worst = math.Max(worst, maxDiff(s.Logits(r), want[i]))
					}
				}
				t.Logf("%s KV %s: max |Δ logit| batched vs alone: %.2e", name, kv, worst)
				// Each row's arithmetic is independent of the other rows, so with F32 weights the
				// logits are identical. Quantized and F16 weights go through the kernels' batched
				// tiles (x4n), whose float summation order differs from the one-row dot; like any
				// order difference that can flip an activation's Q8/F16 rounding (see
				// logprobTolerance), so those files get the same bound as against llama.cpp.
				bound := 1e-5
				if !strings.HasSuffix(name, "-f32") {
					bound = logprobTolerance[name]
				}
				if worst > bound {
					t.Errorf("%s KV %s: batched logits differ from single-sequence logits by %.3g > %.3g", name, kv, worst, bound)
				}
			}
		})
	}
}

// TestCopyPrefix: continuing a sequence from a copied prefix gives the same logits as
// computing the whole sequence.
func TestCopyPrefix(t *testing.T) {
	m := loadModel(t, filepath.Join(sharedtest.Dir(t), "models", "stories260k-f32.gguf"))
	full := append(append([]int32(nil), onceTokens...), 11, 306, 285)
	fresh, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	want := prefill(t, fresh, 0, 0, full)

	s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 32, MaxSequences: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	prefill(t, s, 0, 0, lilyTokens[:3]) // something else first in seq 0, then overwrite
	if err := s.Truncate(0, 0); err != nil {
		t.Fatal(err)
	}
	prefill(t, s, 0, 0, onceTokens)
	if err := s.CopyPrefix(2, 0, 3); err != nil {
		t.Fatal(err)
	}
	if got := s.SeqLen(2); got != 3 {
		t.Fatalf("SeqLen(2) = %d after CopyPrefix of 3", got)
	}
	got := prefill(t, s, 2, 3, full[3:])
	for i := range got {
		if d := maxDiff(got[i], want[3+i]); d > 1e-6 {
			t.Errorf("position %d: logits after CopyPrefix differ by %.3g", 3+i, d)
		}
	}
	// Sequence 0 is untouched by the copy's continuation.
	if s.SeqLen(0) != len(onceTokens) {
		t.Errorf("SeqLen(0) = %d", s.SeqLen(0))
	}
	if err := s.CopyPrefix(1, 0, 99); err == nil {
		t.Error("CopyPrefix past the source length: no error")
	}
}

// TestForwardErrors: bad batches are rejected before anything changes.
func TestForwardErrors(t *testing.T) {
	m := loadModel(t, filepath.Join(sharedtest.Dir(t), "models", "stories260k-f32.gguf"))
	s, err := m.NewSession(SessionOptions{Threads: 1, ContextLength: 4, MaxSequences: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	cases := []struct {
		name string
		b    Batch
		want string
	}{
		{"lengths", Batch{Tokens: []int32{1}, Positions: []int32{0, 1}, Seqs: []int32{0}}, "positions"},
		{"gap", Batch{Tokens: []int32{1}, Positions: []int32{1}, Seqs: []int32{0}}, "continues at position 0"},
		{"seq", Batch{Tokens: []int32{1}, Positions: []int32{0}, Seqs: []int32{2}}, "sequence 2 out of range"},
		{"token", Batch{Tokens: []int32{512}, Positions: []int32{0}, Seqs: []int32{0}}, "token 512 out of range"},
		{"context", Batch{Tokens: []int32{1, 2, 3, 4, 5}, Positions: []int32{0, 1, 2, 3, 4}, Seqs: []int32{0, 0, 0, 0, 0}},
			"sequence 0 at position 4 exceeds the context length 4"},
	}
	for _, c := range cases {
		err := s.Forward(ctx, c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to mention %q", c.name, err, c.want)
		}
		if s.SeqLen(0) != 0 {
			t.Fatalf("%s: a rejected batch changed SeqLen(0) to %d", c.name, s.SeqLen(0))
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Forward(cctx, Batch{Tokens: []int32{1}, Positions: []int32{0}, Seqs: []int32{0}}); err == nil {
		t.Error("cancelled context: no error")
	}
	if s.SeqLen(0) != 0 {
		t.Errorf("cancelled forward grew the sequence to %d", s.SeqLen(0))
	}
	if _, err := m.NewSession(SessionOptions{KVType: gguf.TypeQ8_0}); err == nil {
		t.Error("Q8_0 KV cache: no error")
	}
	if _, err := m.NewSession(SessionOptions{Threads: MaxThreads + 1}); err == nil || !strings.Contains(err.Error(), "threads") {
		t.Errorf("%d threads: error %v", MaxThreads+1, err)
	}
}

// TestF16KVCache: an F16 cache stays close to llama.cpp's F32-cache reference.
func TestF16KVCache(t *testing.T) {
	shared := sharedtest.Dir(t)
	m := loadModel(t, filepath.Join(shared, "models", "stories260k-f32.gguf"))
	var ref refRun
	readJSON(t, filepath.Join(shared, "reference", "stories260k-f32__once-upon-a-time.json"), &ref)
	c := compare(&ref, teacherForced(t, m, &ref, gguf.TypeF16), 0.02)
	t.Logf("F16 KV cache vs llama.cpp F32 cache: max |Δ log-prob| %.2e, argmax %d/%d", c.maxLogprob, c.argmaxAgree, c.positions)
	// Rounding K and V to F16 (11-bit significand) moves the scores by ~1e-3 relative; llama.cpp's
	// own F16-cache default moves these logits by 2e-2 (reference/README.md).
	if c.maxLogprob > 2e-2 || c.firstMiss >= 0 {
		t.Errorf("F16 KV cache: max |Δ log-prob| %.3g, first greedy miss %d", c.maxLogprob, c.firstMiss)
	}
}

// TestDecodeAllocs: decoding a token allocates nothing (buffers are sized in NewSession).
func TestDecodeAllocs(t *testing.T) {
	m := loadModel(t, filepath.Join(sharedtest.Dir(t), "models", "synth256-q4_k.gguf"))
	s, err := m.NewSession(SessionOptions{Threads: 2, ContextLength: 256, MaxSequences: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	b := Batch{Tokens: []int32{1, 1}, Positions: []int32{0, 0}, Seqs: []int32{0, 1}}
	if err := s.Forward(ctx, b); err != nil { // first call may size the logits buffer
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		b.Positions[0], b.Positions[1] = int32(s.SeqLen(0)), int32(s.SeqLen(1))
		if err := s.Forward(ctx, b); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Forward of a batch of two rows allocates %.1f times", allocs)
	}
}

// TestNewSessionRefusesKVCacheBeyondMemory: a context whose KV cache cannot fit in the machine's
// memory is an error naming the size, before anything is allocated.
func TestNewSessionRefusesKVCacheBeyondMemory(t *testing.T) {
	if memTotal() == 0 {
		t.Skip("machine memory unknown (no /proc/meminfo)")
	}
	// 1000 layers x 256 KV dims x 2^20 positions x 2 (K and V) x 4 bytes = 2 TiB.
	m := &Model{Config: Config{Layers: 1000, KVHeads: 4, HeadDim: 64, Vocab: 8}}
	_, err := m.NewSession(SessionOptions{Threads: 1, ContextLength: 1 << 20, KVType: gguf.TypeF32})
	if err == nil || !strings.Contains(err.Error(), "GiB of memory") {
		t.Fatalf("NewSession: %v, want an error about the machine's memory", err)
	}
	if err := m.CheckKVCache(SessionOptions{ContextLength: 16, KVType: gguf.TypeF16}); err != nil {
		t.Errorf("16 positions: %v", err)
	}
}
