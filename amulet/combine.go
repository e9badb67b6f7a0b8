package amulet

import (
	"fmt"
	"math"

	"github.com/amulet-llm/amulet/amulet/sample"
)

// Combiner turns one row of logits per context into the realigned scores of the next token:
// z = b + (1+k) * sum_j w_j (p_j - b), where b is the base context's log-distribution and p_j
// preference j's. With one preference of weight 1 this is the paper's z = p + k (p - b).
//
// Because log-softmax only subtracts a per-row constant and softmax ignores constants, the
// default (collapsed) form works on raw logits in one fused O(V) pass:
// z_i = c_b l_b,i + sum_j c_j l_j,i. A token whose input is not finite in any row that counts
// gets -Inf (never NaN). A Combiner holds buffers sized once for the vocabulary; it is not safe
// for concurrent use.
type Combiner struct {
	method  Method
	k       float64
	weights []float64
	coefB   float64   // coefficient of the base row
	coefP   []float64 // coefficient of each preference row
	literal bool
	prm     Params

	// scratch, allocated once (literal form and the LA mask only)
	p64, b64, ftrl []float64
	ids            []int32 // LA mask: candidate token ids
	keep           []bool  // LA mask: tokens inside some preference's nucleus
}

// NewCombiner builds the combiner for a method, its parameters and the preference weights
// (one per preference context; 0 means 1) over a vocabulary of the given size.
func NewCombiner(method Method, prm Params, weights []float64, vocab int) (*Combiner, error) {
	prm = prm.withDefaults()
	if err := prm.validate(); err != nil {
		return nil, err
	}
	if vocab <= 0 {
		return nil, fmt.Errorf("vocabulary size %d: want > 0", vocab)
	}
	c := &Combiner{method: method, prm: prm, weights: make([]float64, len(weights))}
	sum := 0.0
	for i, w := range weights {
		if !finite(w) {
			return nil, fmt.Errorf("preference %d: weight %v is not finite", i+1, w)
		}
		if w == 0 {
			w = 1
		}
		c.weights[i] = w
		sum += w
	}
	if method != MethodBase && len(weights) == 0 {
		return nil, fmt.Errorf("method %s needs at least one preference", method)
	}
	switch method {
	case MethodBase:
		c.coefB = 1
		c.coefP = make([]float64, len(weights))
		return c, nil
	case MethodPref:
		c.k = 0
	case MethodAmulet:
		if prm.K != nil {
			c.k = *prm.K
		} else {
			c.k = Coefficient(prm.Alpha, prm.Lambda, prm.Eta, prm.Iterations)
		}
		c.literal = prm.Literal
	case MethodLA:
		c.k = prm.LARatio
	case MethodCFG:
		c.k = prm.CFGScale - 1
	default:
		return nil, fmt.Errorf("unknown method %q (want one of base, pref, amulet, la, cfg)", method)
	}
	if c.literal && prm.K != nil {
		return nil, fmt.Errorf("the literal FTRL form derives k from alpha, lambda, eta and iterations: do not set k too")
	}
	c.coefP = make([]float64, len(weights))
	for j, w := range c.weights {
		c.coefP[j] = (1 + c.k) * w
	}
	c.coefB = 1 - (1+c.k)*sum
	if math.Abs(c.coefB) < 1e-12 {
		c.coefB = 0
	}
	if c.literal {
		c.p64 = make([]float64, vocab)
		c.b64 = make([]float64, vocab)
		c.ftrl = make([]float64, 3*vocab)
	}
	if method == MethodLA && prm.LATopP > 0 && prm.LATopP < 1 {
		c.ids = make([]int32, vocab)
		c.keep = make([]bool, vocab)
	}
	return c, nil
}

// K is the collapsed coefficient in effect (0 for base and pref).
func (c *Combiner) K() float64 { return c.k }

// NeedsBase reports whether the base context's logits are used.
func (c *Combiner) NeedsBase() bool { return c.coefB != 0 || c.literal }

// NeedsPrefs reports whether the preference contexts' logits are used.
func (c *Combiner) NeedsPrefs() bool { return c.method != MethodBase }

// Combine writes the realigned scores to dst. base is the base context's logits (may be nil
// when !NeedsBase), prefs one row per preference (may be nil when !NeedsPrefs). All rows and
// dst have the vocabulary's length.
func (c *Combiner) Combine(dst, base []float32, prefs [][]float32) {
	switch {
	case c.method == MethodBase:
		combine1(dst, base, 1)
	case c.literal:
		c.combineLiteral(dst, base, prefs)
	case c.coefB == 0 && len(prefs) == 1:
		combine1(dst, prefs[0], c.coefP[0])
	case len(prefs) == 1:
		combine2(dst, base, prefs[0], c.coefB, c.coefP[0])
	default:
		c.combineN(dst, base, prefs)
	}
	if c.keep != nil {
		c.maskNucleus(dst, prefs)
	}
}

// score converts a combined value to a float32 score: NaN and ±Inf (a token some context rules
// out, or an undefined -Inf - -Inf) become -Inf; finite values beyond float32's range saturate.
func score(z float64) float32 {
	if z >= -math.MaxFloat32 && z <= math.MaxFloat32 { // false for NaN
		return float32(z)
	}
	return scoreOutOfRange(z)
}

func scoreOutOfRange(z float64) float32 {
	switch {
	case z-z != 0: // NaN or ±Inf
		return float32(math.Inf(-1))
	case z > 0:
		return math.MaxFloat32
	}
	return -math.MaxFloat32
}

// combine1 is dst = c*x, non-finite inputs to -Inf.
func combine1(dst, x []float32, c float64) {
	x = x[:len(dst)]
	for i, v := range x {
		z := c * float64(v)
		dst[i] = score(z)
	}
}

// combine2 is the common fused pass: dst = cb*b + cp*p.
func combine2(dst, b, p []float32, cb, cp float64) {
	b = b[:len(dst)]
	p = p[:len(dst)]
	for i := range dst {
		z := cb*float64(b[i]) + cp*float64(p[i])
		dst[i] = score(z)
	}
}

func (c *Combiner) combineN(dst, base []float32, prefs [][]float32) {
	for i := range dst {
		z := 0.0
		if c.coefB != 0 {
			z = c.coefB * float64(base[i])
		}
		for j, row := range prefs {
			if c.coefP[j] != 0 {
				z += c.coefP[j] * float64(row[i])
			}
		}
		dst[i] = score(z)
	}
}

// combineLiteral runs the FTRL loop on p_eff = log_softmax(b + sum_j w_j (p_j - b)) and
// b = log_softmax(base).
func (c *Combiner) combineLiteral(dst, base []float32, prefs [][]float32) {
	n := len(dst)
	p, b := c.p64[:n], c.b64[:n]
	sum := 0.0
	for _, w := range c.weights {
		sum += w
	}
	for i := range n {
		bi := float64(base[i])
		z := (1 - sum) * bi
		for j, row := range prefs {
			z += c.weights[j] * float64(row[i])
		}
		if z-z != 0 || bi-bi != 0 {
			z, bi = math.Inf(-1), math.Inf(-1)
		}
		p[i], b[i] = z, bi
	}
	LogSoftmax(p, p)
	LogSoftmax(b, b)
	FTRL(p, p, b, c.prm.Alpha, c.prm.Lambda, c.prm.Eta, c.prm.Iterations, c.ftrl)
	for i, v := range p {
		dst[i] = score(v)
	}
}

// maskNucleus keeps only the tokens inside the top-p nucleus of some positively weighted
// preference distribution (LA's plausibility constraint). The nucleus is found by partial
// selection (sample.Nucleus), not by sorting the vocabulary every token.
func (c *Combiner) maskNucleus(dst []float32, prefs [][]float32) {
	n := len(dst)
	keep := c.keep[:n]
	clear(keep)
	for j, row := range prefs {
		if c.weights[j] <= 0 {
			continue
		}
		row = row[:n]
		ids := c.ids[:0]
		for i, v := range row {
			if v-v == 0 { // finite
				ids = append(ids, int32(i))
			}
		}
		for _, id := range sample.Nucleus(ids, row, c.prm.LATopP) {
			keep[id] = true
		}
	}
	neg := float32(math.Inf(-1))
	for i, k := range keep {
		if !k {
			dst[i] = neg
		}
	}
}
