package amulet

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
	"github.com/amulet-llm/amulet/model/synth"
)

type nopDecoder struct{}

func (nopDecoder) Add(int32) string { return "" }
func (nopDecoder) Flush() string    { return "" }

// benchModel loads $AMULET_BENCH_MODEL (for example a TinyLlama-shaped Q8_0 written by
// `amulet-run synth --preset tinyllama-1.1b --type Q8_0 -o FILE`), or builds a small synthetic
// Q8_0 llama in memory with a 32000-token vocabulary.
func benchModel(b *testing.B) *model.Model {
	b.Helper()
	var f *gguf.File
	var err error
	if path := os.Getenv("AMULET_BENCH_MODEL"); path != "" {
		f, err = gguf.Open(path)
	} else {
		shape := synth.Shape{Arch: "llama", Hidden: 256, Layers: 4, Heads: 4, KVHeads: 2, FFN: 768,
			Vocab: 32000, Context: 512, RopeBase: 10000, NormEps: 1e-5}
		w, err2 := synth.Build(context.Background(), synth.Options{Shape: shape, Type: "Q8_0", Seed: 1})
		if err2 != nil {
			b.Fatal(err2)
		}
		var buf bytes.Buffer
		if _, err2 = w.WriteTo(&buf); err2 != nil {
			b.Fatal(err2)
		}
		f, err = gguf.FromBytes("synth-bench", buf.Bytes())
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { f.Close() })
	m, err := model.Load(f)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func benchThreads() int {
	if n, err := strconv.Atoi(os.Getenv("AMULET_BENCH_THREADS")); err == nil && n > 0 {
		return n
	}
	return 2
}

// benchBackend runs the real model with a byte-level stand-in for the tokenizer (synthetic
// models have no vocabulary).
func benchBackend(m *model.Model, threads int) *backend {
	vocab := m.Config.Vocab
	return &backend{
		vocab: vocab, ctxLen: 512,
		newSession: func(seqs, n int) (session, error) {
			s, err := m.NewSession(model.SessionOptions{Threads: threads, MaxSequences: seqs, ContextLength: n})
			if err != nil {
				return nil, err
			}
			return modelSession{s}, nil
		},
		encode: func(text string, addSpecial, _ bool) []int32 {
			ids := []int32{1}
			for i := 0; i < len(text); i++ {
				ids = append(ids, int32(text[i])+3)
			}
			return ids
		},
		isEOG:      func(int32) bool { return false },
		newDecoder: func(int32) decoder { return nopDecoder{} },
	}
}

// BenchmarkAmuletOverPref measures the per-token decode cost of amulet (base and preference
// contexts in one batch of 2) against pref (one context), and the combine step's share of an
// amulet token. Metrics: pref-ms/tok, amulet-ms/tok, amulet/pref, combine-us, combine-%tok, and
// forward2/forward1: the model's own cost of a 2-row decode Forward over a 1-row one (what
// amulet/pref would be with a free sampling stage).
func BenchmarkAmuletOverPref(b *testing.B) {
	m := benchModel(b)
	be := benchBackend(m, benchThreads())
	const n = 32
	base := "You are a helpful assistant. Question: how do plants grow?"
	pref := "You are a helpful assistant. Be concise. Question: how do plants grow?"
	req := Request{BaseContext: base, Preferences: []Preference{{Context: pref}}, MaxTokens: n}
	var secs [2]float64
	var toks [2]int
	b.ResetTimer()
	for range b.N {
		for i, meth := range []Method{MethodPref, MethodAmulet} {
			req.Method = meth
			res, err := generate(context.Background(), be, req, nil)
			if err != nil {
				b.Fatal(err)
			}
			if res.Usage.Contexts != i+1 {
				b.Fatalf("%s ran %d contexts", meth, res.Usage.Contexts)
			}
			secs[i] += res.Timings.DecodeSeconds
			toks[i] += len(res.Tokens)
		}
	}
	b.StopTimer()
	prefTok := secs[0] / float64(toks[0])
	amuletTok := secs[1] / float64(toks[1])
	comb, err := NewCombiner(MethodAmulet, Params{}, []float64{1}, be.vocab)
	if err != nil {
		b.Fatal(err)
	}
	z, lb, lp := make([]float32, be.vocab), make([]float32, be.vocab), make([]float32, be.vocab)
	prefs := [][]float32{lp}
	const reps = 200
	start := time.Now()
	for range reps {
		comb.Combine(z, lb, prefs)
	}
	combine := time.Since(start).Seconds() / reps
	fwd1, fwd2 := forwardCosts(b, be)
	b.ReportMetric(fwd2/fwd1, "forward2/forward1")
	b.ReportMetric(prefTok*1e3, "pref-ms/tok")
	b.ReportMetric(amuletTok*1e3, "amulet-ms/tok")
	b.ReportMetric(amuletTok/prefTok, "amulet/pref")
	b.ReportMetric(combine*1e6, "combine-us")
	b.ReportMetric(100*combine/amuletTok, "combine-%tok")
}

// forwardCosts returns the mean time of one decode Forward with 1 row and with 2 rows (one per
// sequence), after a 16-token prefill of each sequence: the model's share of a token, without
// the sampling stage. The two sessions alternate step by step, so load changes on a shared
// machine hit both alike.
func forwardCosts(b *testing.B, be *backend) (one, two float64) {
	ctx := context.Background()
	var sess [2]session
	for i := range sess {
		rows := i + 1
		s, err := be.newSession(rows, 64)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		var bt batch
		for seq := range rows {
			for pos := range 16 {
				bt.Tokens = append(bt.Tokens, int32(10+pos))
				bt.Positions = append(bt.Positions, int32(pos))
				bt.Seqs = append(bt.Seqs, int32(seq))
				bt.Logits = append(bt.Logits, false)
			}
		}
		if err := s.Forward(ctx, bt); err != nil {
			b.Fatal(err)
		}
		sess[i] = s
	}
	const steps = 12
	var total [2]time.Duration
	for step := range steps {
		for i, s := range sess {
			var bt batch
			for seq := range i + 1 {
				bt.Tokens = append(bt.Tokens, int32(20+step))
				bt.Positions = append(bt.Positions, int32(16+step))
				bt.Seqs = append(bt.Seqs, int32(seq))
				bt.Logits = append(bt.Logits, true)
			}
			start := time.Now()
			if err := s.Forward(ctx, bt); err != nil {
				b.Fatal(err)
			}
			total[i] += time.Since(start)
		}
	}
	return total[0].Seconds() / steps, total[1].Seconds() / steps
}

// BenchmarkCombine is the fused combine pass over a 32000-token vocabulary (two rows in, one out).
func BenchmarkCombine(b *testing.B) {
	const V = 32000
	comb, _ := NewCombiner(MethodAmulet, Params{}, []float64{1}, V)
	z, lb, lp := make([]float32, V), make([]float32, V), make([]float32, V)
	for i := range V {
		lb[i], lp[i] = float32(i%97)/10, float32(i%89)/10
	}
	prefs := [][]float32{lp}
	b.SetBytes(3 * 4 * V)
	for b.Loop() {
		comb.Combine(z, lb, prefs)
	}
}
