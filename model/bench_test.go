package model

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// benchModel is $AMULET_BENCH_MODEL (e.g. a synthetic TinyLlama from `amulet-run synth`), or
// synth256-q8_0 from ../shared.
func benchModel(b *testing.B) *Model {
	p := os.Getenv("AMULET_BENCH_MODEL")
	if p == "" {
		p = filepath.Join(sharedtest.Dir(b), "models", "synth256-q8_0.gguf")
	}
	return loadModel(b, p)
}

func benchThreads() int {
	if os.Getenv("AMULET_BENCH_THREADS") == "2" {
		return 2
	}
	return 1
}

// BenchmarkPrefill128 processes a 128-token prompt as one batch (pp128); reports tokens/s.
func BenchmarkPrefill128(b *testing.B) {
	m := benchModel(b)
	s, err := m.NewSession(SessionOptions{Threads: benchThreads(), ContextLength: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	n := 128
	batch := Batch{Tokens: make([]int32, n), Positions: make([]int32, n), Seqs: make([]int32, n), Logits: make([]bool, n)}
	for i := range n {
		batch.Tokens[i] = int32(1 + i%(m.Config.Vocab-1))
		batch.Positions[i] = int32(i)
	}
	batch.Logits[n-1] = true
	b.ResetTimer()
	for range b.N {
		if err := s.Truncate(0, 0); err != nil {
			b.Fatal(err)
		}
		if err := s.Forward(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "tok/s")
}

// BenchmarkDecode generates one token at a time after a 16-token prompt (tg); reports tokens/s.
func BenchmarkDecode(b *testing.B) {
	m := benchModel(b)
	s, err := m.NewSession(SessionOptions{Threads: benchThreads(), ContextLength: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	prefill(b, s, 0, 0, []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	row := Batch{Tokens: []int32{1}, Positions: []int32{0}, Seqs: []int32{0}}
	b.ResetTimer()
	for i := range b.N {
		if s.SeqLen(0) == 256 {
			b.StopTimer()
			_ = s.Truncate(0, 16)
			b.StartTimer()
		}
		row.Tokens[0] = int32(1 + i%(m.Config.Vocab-1))
		row.Positions[0] = int32(s.SeqLen(0))
		if err := s.Forward(context.Background(), row); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
}
