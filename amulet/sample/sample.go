// Package sample picks the next token from a row of scores (logits or realigned log-scores):
// logit bias, repetition / presence / frequency penalties over a window of recent tokens,
// then greedy (temperature 0) or top-k, top-p, min-p, temperature and a seeded random draw.
//
// A Sampler holds every buffer it needs, sized once for the vocabulary, so picking a token
// allocates nothing. The same seed and the same scores give the same tokens.
package sample

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Params configure the chain. The zero value is greedy decoding with no penalties.
type Params struct {
	Temperature      float64           `json:"temperature,omitempty"`       // 0 = greedy (argmax)
	TopK             int               `json:"top_k,omitempty"`             // keep the K best; 0 = off
	TopP             float64           `json:"top_p,omitempty"`             // nucleus; 0 or 1 = off
	MinP             float64           `json:"min_p,omitempty"`             // drop p < MinP * p_max; 0 = off
	RepeatPenalty    float64           `json:"repeat_penalty,omitempty"`    // divide positive / multiply negative scores of recent tokens; 0 or 1 = off
	PresencePenalty  float64           `json:"presence_penalty,omitempty"`  // subtract once per recent token
	FrequencyPenalty float64           `json:"frequency_penalty,omitempty"` // subtract per occurrence
	PenaltyWindow    int               `json:"penalty_window,omitempty"`    // recent tokens the penalties see; 0 = 64
	LogitBias        map[int32]float64 `json:"logit_bias,omitempty"`        // added to a token's score; -Inf bans it
}

// DefaultPenaltyWindow is the window used when Params.PenaltyWindow is 0.
const DefaultPenaltyWindow = 64

// Validate reports the first unusable parameter for a vocabulary of the given size.
func (p Params) Validate(vocab int) error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case bad(p.Temperature) || p.Temperature < 0:
		return fmt.Errorf("temperature %v: want a finite value >= 0", p.Temperature)
	case p.TopK < 0:
		return fmt.Errorf("top-k %d: want >= 0", p.TopK)
	case bad(p.TopP) || p.TopP < 0 || p.TopP > 1:
		return fmt.Errorf("top-p %v: want 0..1", p.TopP)
	case bad(p.MinP) || p.MinP < 0 || p.MinP > 1:
		return fmt.Errorf("min-p %v: want 0..1", p.MinP)
	case bad(p.RepeatPenalty) || p.RepeatPenalty < 0:
		return fmt.Errorf("repeat penalty %v: want a finite value >= 0", p.RepeatPenalty)
	case bad(p.PresencePenalty):
		return fmt.Errorf("presence penalty %v: want a finite number", p.PresencePenalty)
	case bad(p.FrequencyPenalty):
		return fmt.Errorf("frequency penalty %v: want a finite number", p.FrequencyPenalty)
	case p.PenaltyWindow < 0 || p.PenaltyWindow > 1<<20:
		return fmt.Errorf("penalty window %d: want 0..%d", p.PenaltyWindow, 1<<20)
	}
	for id, v := range p.LogitBias {
		if id < 0 || int(id) >= vocab {
			return fmt.Errorf("logit bias: token %d outside the vocabulary (size %d)", id, vocab)
		}
		if math.IsNaN(v) || math.IsInf(v, 1) {
			return fmt.Errorf("logit bias for token %d: %v (want a number or -Inf)", id, v)
		}
	}
	return nil
}

// Logprob is one token with its log-probability.
type Logprob struct {
	ID      int32   `json:"id"`
	Logprob float64 `json:"logprob"`
}

// Sampler is the chain for one request. Not safe for concurrent use.
type Sampler struct {
	p      Params
	rng    *rand.Rand
	bias   []Logprob // LogitBias as a sorted list (ID, bias)
	window []int32   // ring of recent tokens
	head   int       // next write position in window
	filled int
	counts []int32 // occurrences of each token in the window
	stamp  []int32 // per token: last step its penalty was applied
	step   int32

	ids   []int32   // candidates
	probs []float64 // candidate probabilities / scratch
	top   []Logprob // top-N log-probs
}

// New returns a sampler for a vocabulary of the given size, seeded with seed.
func New(vocab int, p Params, seed uint64) (*Sampler, error) {
	if vocab <= 0 {
		return nil, fmt.Errorf("vocabulary size %d: want > 0", vocab)
	}
	if err := p.Validate(vocab); err != nil {
		return nil, err
	}
	if p.PenaltyWindow == 0 {
		p.PenaltyWindow = DefaultPenaltyWindow
	}
	s := &Sampler{
		p:     p,
		rng:   rand.New(rand.NewPCG(seed, 0x616d756c6574)), // "amulet"
		ids:   make([]int32, vocab),
		probs: make([]float64, vocab),
	}
	for id, v := range p.LogitBias {
		s.bias = append(s.bias, Logprob{id, v})
	}
	sortLogprobsByID(s.bias)
	if s.penalties() {
		s.window = make([]int32, p.PenaltyWindow)
		s.counts = make([]int32, vocab)
		s.stamp = make([]int32, vocab)
	}
	return s, nil
}

func sortLogprobsByID(x []Logprob) {
	for i := 1; i < len(x); i++ {
		for j := i; j > 0 && x[j].ID < x[j-1].ID; j-- {
			x[j], x[j-1] = x[j-1], x[j]
		}
	}
}

func (s *Sampler) penalties() bool {
	return (s.p.RepeatPenalty != 0 && s.p.RepeatPenalty != 1) || s.p.PresencePenalty != 0 || s.p.FrequencyPenalty != 0
}

// Accept records a token that was generated (for the penalties).
func (s *Sampler) Accept(id int32) {
	if s.window == nil || id < 0 || int(id) >= len(s.counts) {
		return
	}
	if s.filled == len(s.window) {
		s.counts[s.window[s.head]]--
	} else {
		s.filled++
	}
	s.window[s.head] = id
	s.counts[id]++
	s.head = (s.head + 1) % len(s.window)
}

// Apply adds the logit bias and the penalties to z in place.
func (s *Sampler) Apply(z []float32) {
	for _, b := range s.bias {
		z[b.ID] = saturate(float64(z[b.ID]) + b.Logprob)
	}
	if s.window == nil {
		return
	}
	s.step++
	rp := float32(s.p.RepeatPenalty)
	for i := range s.filled {
		id := s.window[i]
		if s.stamp[id] == s.step {
			continue
		}
		s.stamp[id] = s.step
		v := z[id]
		if rp != 0 && rp != 1 {
			if v > 0 {
				v /= rp
			} else {
				v *= rp
			}
		}
		z[id] = saturate(float64(v) - s.p.PresencePenalty - s.p.FrequencyPenalty*float64(s.counts[id]))
	}
}

// saturate converts to float32, keeping finite values finite (NaN and -Inf pass through:
// the token is excluded).
func saturate(v float64) float32 {
	switch {
	case v > math.MaxFloat32:
		return math.MaxFloat32
	case v < -math.MaxFloat32 && !math.IsInf(v, -1):
		return -math.MaxFloat32
	}
	return float32(v)
}

// Pick applies bias and penalties to z (in place) and chooses a token: Apply then Choose.
func (s *Sampler) Pick(z []float32) int32 {
	s.Apply(z)
	return s.Choose(z)
}

// Choose picks a token from z (already through Apply) without changing z: the argmax at
// temperature 0, else a seeded draw after top-k, top-p and min-p (computed at temperature 1)
// and temperature. z must be the length of the vocabulary. If no token has a finite score,
// Choose returns -1.
func (s *Sampler) Choose(z []float32) int32 {
	if s.p.Temperature == 0 {
		return Argmax(z)
	}
	// Candidates: every finite score.
	n := 0
	for i, v := range z {
		if v-v == 0 {
			s.ids[n] = int32(i)
			n++
		}
	}
	if n == 0 {
		return -1
	}
	ids := s.ids[:n]
	if k := s.p.TopK; k > 0 && k < n {
		selectTop(ids, z, k)
		ids = ids[:k]
	}
	if s.p.TopP > 0 && s.p.TopP < 1 {
		ids = Nucleus(ids, z, s.p.TopP)
	}
	if s.p.MinP > 0 {
		ids = s.minP(ids, z)
	}
	probs := s.softmax(ids, z, s.p.Temperature)
	u := s.rng.Float64()
	cum := 0.0
	for i, p := range probs {
		cum += p
		if u < cum {
			return ids[i]
		}
	}
	return ids[len(ids)-1]
}

// maxScore is the largest z over ids, in float64.
func maxScore(ids []int32, z []float32) float64 {
	m := math.Inf(-1)
	for _, id := range ids {
		if v := float64(z[id]); v > m {
			m = v
		}
	}
	return m
}

// Nucleus returns the top-p nucleus of ids: it reorders ids best first (score descending,
// ties by lower id) as far as needed and returns the smallest prefix whose probability
// (softmax of z over ids, at temperature 1) reaches topP. ids are token ids whose scores in z
// are finite. It sorts only as many of the best tokens as the nucleus needs: the top 64, then
// 4 times more while the mass is short. It allocates nothing.
func Nucleus(ids []int32, z []float32, topP float64) []int32 {
	m := maxScore(ids, z)
	total := 0.0
	for _, id := range ids {
		total += math.Exp(float64(z[id]) - m)
	}
	k := min(len(ids), 64)
	for {
		if k < len(ids) {
			selectTop(ids, z, k)
		}
		sortDesc(ids[:k], z)
		cum := 0.0
		for i, id := range ids[:k] {
			cum += math.Exp(float64(z[id])-m) / total
			if cum >= topP {
				return ids[:i+1]
			}
		}
		if k == len(ids) {
			return ids
		}
		k = min(4*k, len(ids))
	}
}

// minP keeps the tokens whose probability is at least MinP times the best one's: z >= max +
// log(MinP). The order of ids is kept.
func (s *Sampler) minP(ids []int32, z []float32) []int32 {
	thr := maxScore(ids, z) + math.Log(s.p.MinP)
	keep := 0
	for _, id := range ids {
		if float64(z[id]) >= thr {
			ids[keep] = id
			keep++
		}
	}
	return ids[:keep]
}

// softmax of z[ids]/temp into s.probs[:len(ids)], in float64.
func (s *Sampler) softmax(ids []int32, z []float32, temp float64) []float64 {
	probs := s.probs[:len(ids)]
	m := math.Inf(-1)
	for _, id := range ids {
		if v := float64(z[id]); v > m {
			m = v
		}
	}
	sum := 0.0
	for i, id := range ids {
		e := math.Exp((float64(z[id]) - m) / temp)
		probs[i] = e
		sum += e
	}
	for i := range probs {
		probs[i] /= sum
	}
	return probs
}

// Argmax returns the index of the largest finite value (the lowest index on ties), or -1 if
// none is finite.
func Argmax(z []float32) int32 {
	best, bi := float32(math.Inf(-1)), int32(-1)
	for i, v := range z {
		if v > best && v-v == 0 {
			best, bi = v, int32(i)
		}
	}
	return bi
}

// TopLogprobs computes the log-softmax of z and returns the log-probability of token chosen
// and the n most probable tokens (best first, ties by lower id). The returned slice is reused
// by the next call.
func (s *Sampler) TopLogprobs(z []float32, chosen int32, n int) (float64, []Logprob) {
	m := math.Inf(-1)
	for _, v := range z {
		if float64(v) > m {
			m = float64(v)
		}
	}
	if math.IsInf(m, -1) {
		return math.Inf(-1), s.top[:0]
	}
	sum := 0.0
	for _, v := range z {
		sum += math.Exp(float64(v) - m)
	}
	lse := m + math.Log(sum)
	n = max(min(n, len(z)), 0) // there are no more than len(z) tokens to list
	if cap(s.top) < n {
		s.top = make([]Logprob, 0, n)
	}
	top := s.top[:0]
	for i, v := range z {
		if v-v != 0 {
			continue
		}
		lp := float64(v) - lse
		if len(top) == n && (n == 0 || lp <= top[n-1].Logprob) {
			continue
		}
		if len(top) < n {
			top = append(top, Logprob{})
		}
		j := len(top) - 1
		for j > 0 && top[j-1].Logprob < lp {
			top[j] = top[j-1]
			j--
		}
		top[j] = Logprob{int32(i), lp}
	}
	s.top = top
	lp := math.Inf(-1)
	if chosen >= 0 && int(chosen) < len(z) {
		lp = float64(z[chosen]) - lse
	}
	return lp, top
}

// less orders by score descending, then id ascending: a total order, so every selection and
// sort gives one answer.
func less(z []float32, a, b int32) bool {
	if z[a] != z[b] {
		return z[a] > z[b]
	}
	return a < b
}

// selectTop reorders ids so that its first k entries are the k best (in no particular order).
func selectTop(ids []int32, z []float32, k int) {
	lo, hi := 0, len(ids)-1
	for lo < hi {
		// median of three as pivot
		mid := lo + (hi-lo)/2
		if less(z, ids[mid], ids[lo]) {
			ids[mid], ids[lo] = ids[lo], ids[mid]
		}
		if less(z, ids[hi], ids[lo]) {
			ids[hi], ids[lo] = ids[lo], ids[hi]
		}
		if less(z, ids[hi], ids[mid]) {
			ids[hi], ids[mid] = ids[mid], ids[hi]
		}
		pivot := ids[mid]
		i, j := lo, hi
		for i <= j {
			for less(z, ids[i], pivot) {
				i++
			}
			for less(z, pivot, ids[j]) {
				j--
			}
			if i <= j {
				ids[i], ids[j] = ids[j], ids[i]
				i++
				j--
			}
		}
		switch {
		case k-1 <= j:
			hi = j
		case k-1 >= i:
			lo = i
		default:
			return
		}
	}
}

// sortDesc sorts ids best first (heap sort: no allocation, deterministic).
func sortDesc(ids []int32, z []float32) {
	n := len(ids)
	// worse(a, b): a sorts after b. Build a heap whose root is the worst element.
	worse := func(a, b int32) bool { return less(z, b, a) }
	sift := func(root, end int) {
		for {
			child := 2*root + 1
			if child >= end {
				return
			}
			if child+1 < end && worse(ids[child+1], ids[child]) {
				child++
			}
			if !worse(ids[child], ids[root]) {
				return
			}
			ids[root], ids[child] = ids[child], ids[root]
			root = child
		}
	}
	for i := n/2 - 1; i >= 0; i-- {
		sift(i, n)
	}
	for end := n - 1; end > 0; end-- {
		ids[0], ids[end] = ids[end], ids[0]
		sift(0, end)
	}
}
