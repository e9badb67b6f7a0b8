package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randomScores(rng *rand.Rand, n int) []float32 {
	z := make([]float32, n)
	for i := range z {
		z[i] = float32(math.Round(rng.NormFloat64()*4) / 2) // many ties
	}
	return z
}

// reference order: score descending, id ascending
func refOrder(z []float32) []int32 {
	ids := make([]int32, len(z))
	for i := range ids {
		ids[i] = int32(i)
	}
	slices.SortStableFunc(ids, func(a, b int32) int {
		switch {
		case z[a] > z[b]:
			return -1
		case z[a] < z[b]:
			return 1
		}
		return 0
	})
	return ids
}

func TestSelectAndSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		n := 1 + rng.IntN(300)
		z := randomScores(rng, n)
		want := refOrder(z)
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(i)
		}
		rng.Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		k := 1 + rng.IntN(n)
		selectTop(ids, z, k)
		top := slices.Clone(ids[:k])
		sortDesc(top, z)
		if !slices.Equal(top, want[:k]) {
			t.Fatalf("trial %d n=%d k=%d: got %v want %v", trial, n, k, top, want[:k])
		}
		sortDesc(ids, z)
		if !slices.Equal(ids, want) {
			t.Fatalf("trial %d: full sort differs", trial)
		}
	}
}

func TestGreedyAndBias(t *testing.T) {
	s, err := New(4, Params{LogitBias: map[int32]float64{1: 10, 2: math.Inf(-1)}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Pick([]float32{1, 0, 5, 2}); got != 1 {
		t.Fatalf("greedy with bias picked %d, want 1", got)
	}
	if got := Argmax([]float32{float32(math.NaN()), 2, 2}); got != 1 {
		t.Fatalf("Argmax ties/NaN: %d, want 1", got)
	}
	if got := Argmax([]float32{float32(math.Inf(-1))}); got != -1 {
		t.Fatalf("Argmax of all -Inf: %d, want -1", got)
	}
}

// Sampling frequencies follow softmax(z/T) after the truncations.
func TestDistribution(t *testing.T) {
	z := []float32{2, 1, 0, -1, -8}
	cases := []struct {
		p    Params
		want []float64
	}{
		{Params{Temperature: 1}, softmaxRef(z, 1, 5)},
		{Params{Temperature: 0.5}, softmaxRef(z, 0.5, 5)},
		{Params{Temperature: 1, TopK: 2}, softmaxRef(z, 1, 2)},
		{Params{Temperature: 1, TopP: 0.8}, softmaxRef(z, 1, 2)},  // p = .64 .24 .09 ...: nucleus 0.8 keeps 2
		{Params{Temperature: 1, MinP: 0.3}, softmaxRef(z, 1, 2)},  // 0.09/0.64 < 0.3
		{Params{Temperature: 2, MinP: 0.12}, softmaxRef(z, 2, 3)}, // min-p at T=1: .09/.64=.14 kept, .033/.64 no
	}
	for _, c := range cases {
		s, err := New(len(z), c.p, 42)
		if err != nil {
			t.Fatal(err)
		}
		const N = 200000
		counts := make([]float64, len(z))
		buf := make([]float32, len(z))
		for range N {
			copy(buf, z)
			counts[s.Pick(buf)]++
		}
		for i := range counts {
			got := counts[i] / N
			if math.Abs(got-c.want[i]) > 0.006 {
				t.Errorf("%+v: token %d frequency %.4f, want %.4f", c.p, i, got, c.want[i])
			}
		}
	}
}

func softmaxRef(z []float32, temp float64, keep int) []float64 {
	out := make([]float64, len(z))
	sum := 0.0
	for i := range keep {
		out[i] = math.Exp(float64(z[i]) / temp)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

func TestPenalties(t *testing.T) {
	s, err := New(4, Params{RepeatPenalty: 2, PresencePenalty: 0.5, FrequencyPenalty: 0.25, PenaltyWindow: 3}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int32{0, 1, 1, 3} { // window of 3 keeps 1, 1, 3
		s.Accept(id)
	}
	z := []float32{4, 4, -1, -1}
	s.Apply(z)
	want := []float32{4, 4.0/2 - 0.5 - 0.5, -1, -1*2 - 0.5 - 0.25}
	if !slices.Equal(z, want) {
		t.Fatalf("penalised scores %v, want %v", z, want)
	}
}

func TestDeterministicSeed(t *testing.T) {
	run := func(seed uint64) []int32 {
		s, _ := New(50, Params{Temperature: 1, TopK: 20, TopP: 0.9}, seed)
		rng := rand.New(rand.NewPCG(9, 9))
		var out []int32
		for range 100 {
			out = append(out, s.Pick(randomScores(rng, 50)))
		}
		return out
	}
	if a, b := run(7), run(7); !slices.Equal(a, b) {
		t.Fatal("same seed, different tokens")
	}
	if a, b := run(7), run(8); slices.Equal(a, b) {
		t.Fatal("different seeds, same 100 tokens")
	}
}

func TestTopLogprobs(t *testing.T) {
	s, _ := New(4, Params{}, 1)
	z := []float32{1, 3, float32(math.Inf(-1)), 3}
	lp, top := s.TopLogprobs(z, 0, 3)
	lse := math.Log(math.Exp(1) + 2*math.Exp(3))
	if math.Abs(lp-(1-lse)) > 1e-6 {
		t.Fatalf("chosen logprob %v, want %v", lp, 1-lse)
	}
	want := []Logprob{{1, 3 - lse}, {3, 3 - lse}, {0, 1 - lse}}
	if len(top) != 3 {
		t.Fatalf("top %v", top)
	}
	for i := range want {
		if top[i].ID != want[i].ID || math.Abs(top[i].Logprob-want[i].Logprob) > 1e-6 {
			t.Fatalf("top %v, want %v", top, want)
		}
	}
	// Asking for more entries than there are tokens lists the finite ones and reserves no more
	// than the vocabulary (a huge n must not allocate hugely).
	if _, top := s.TopLogprobs(z, 0, 1<<40); len(top) != 3 || cap(top) > len(z) {
		t.Fatalf("n = 2^40: %d entries, capacity %d", len(top), cap(top))
	}
	if _, top := s.TopLogprobs(z, 0, -1); len(top) != 0 {
		t.Fatalf("n = -1: %v", top)
	}
}

func TestValidate(t *testing.T) {
	for _, p := range []Params{
		{Temperature: -1}, {Temperature: math.NaN()}, {TopK: -1}, {TopP: 1.5}, {MinP: -0.1},
		{RepeatPenalty: -1}, {PenaltyWindow: -3}, {LogitBias: map[int32]float64{9: 1}},
		{LogitBias: map[int32]float64{1: math.NaN()}},
	} {
		if _, err := New(4, p, 1); err == nil {
			t.Errorf("New(%+v): no error", p)
		}
	}
}

// Picking a token allocates nothing.
func TestPickNoAlloc(t *testing.T) {
	const V = 2000
	s, _ := New(V, Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05, RepeatPenalty: 1.1}, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	z := randomScores(rng, V)
	buf := make([]float32, V)
	n := testing.AllocsPerRun(20, func() {
		copy(buf, z)
		id := s.Pick(buf)
		s.Accept(id)
		s.TopLogprobs(buf, id, 5)
	})
	if n != 0 {
		t.Fatalf("Pick allocates %v times per token", n)
	}
}

// The growing partial sort finds the same nucleus as sorting everything, for peaked and flat
// distributions (where the nucleus holds thousands of tokens).
func TestNucleusMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := range 30 {
		n := 100 + rng.IntN(5000)
		scale := []float64{0.01, 0.5, 3}[trial%3]
		z := make([]float32, n)
		for i := range z {
			z[i] = float32(rng.NormFloat64() * scale)
		}
		topP := 0.05 + 0.9*rng.Float64()
		want := refOrder(z)
		m := float64(z[want[0]])
		total := 0.0
		for _, v := range z {
			total += math.Exp(float64(v) - m)
		}
		cum, keep := 0.0, n
		for i, id := range want {
			cum += math.Exp(float64(z[id])-m) / total
			if cum >= topP {
				keep = i + 1
				break
			}
		}
		ids := make([]int32, n)
		for i := range ids {
			ids[i] = int32(i)
		}
		got := Nucleus(ids, z, topP)
		if !slices.Equal(got, want[:keep]) {
			t.Fatalf("trial %d (n=%d scale %v top-p %.3f): nucleus of %d tokens, want %d", trial, n, scale, topP, len(got), keep)
		}
	}
}

// BenchmarkPick is one token's sampling over a 32000-token vocabulary, per chain.
func BenchmarkPick(b *testing.B) {
	const V = 32000
	rng := rand.New(rand.NewPCG(1, 2))
	z := make([]float32, V)
	for i := range z {
		z[i] = float32(rng.NormFloat64() * 3)
	}
	for _, c := range []struct {
		name string
		p    Params
	}{
		{"greedy", Params{}},
		{"default-chain", Params{Temperature: 0.8, TopK: 40, TopP: 0.95, MinP: 0.05}},
		{"top-p-only", Params{Temperature: 1, TopP: 0.9}},
		{"temperature-only", Params{Temperature: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := New(V, c.p, 1)
			buf := make([]float32, V)
			for b.Loop() {
				copy(buf, z)
				s.Pick(buf)
			}
		})
	}
}
