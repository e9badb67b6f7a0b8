package amulet

import (
	"fmt"
	"math"
	"strings"
)

// Method selects how the next-token distribution is formed from the base context (system prompt
// without a preference) and the preference contexts (system prompt plus one preference each).
type Method string

// The realignment methods. See docs/amulet.md in the shared data for the maths.
const (
	// MethodBase decodes the base context alone.
	MethodBase Method = "base"
	// MethodPref decodes the preference context alone (with several weighted preferences:
	// b + sum_j w_j (p_j - b), which is p for one preference of weight 1).
	MethodPref Method = "pref"
	// MethodAmulet is the FTRL realignment: z = p + k (p - b) with k from alpha, lambda, eta and
	// the iteration count (or given directly).
	MethodAmulet Method = "amulet"
	// MethodLA is Linear Alignment: l_pref + r (l_pref - l_base), optionally restricted to the
	// top-p nucleus of the preference distribution.
	MethodLA Method = "la"
	// MethodCFG is classifier-free guidance: b + gamma (p - b).
	MethodCFG Method = "cfg"
)

// Methods lists every method name in a stable order.
func Methods() []Method {
	return []Method{MethodBase, MethodPref, MethodAmulet, MethodLA, MethodCFG}
}

// ParseMethod maps a name (any case) to a Method; the error lists the valid names.
func ParseMethod(name string) (Method, error) {
	m := Method(strings.ToLower(strings.TrimSpace(name)))
	for _, v := range Methods() {
		if m == v {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown method %q (want one of base, pref, amulet, la, cfg)", name)
}

// Default Amulet parameters: the paper's setting.
const (
	DefaultAlpha      = 2.0
	DefaultLambda     = 2.0
	DefaultEta        = 10.0
	DefaultIterations = 60
	DefaultLARatio    = 2.0 // the Amulet paper's code; the LA authors used 5 with a top-p mask
	DefaultCFGScale   = 1.5
)

// Params are the realignment method's parameters. Zero values mean the defaults above, except K
// and LATopP whose zero values are meaningful (K: nil means "derive from the FTRL parameters").
type Params struct {
	Alpha      float64  `json:"alpha,omitempty"`      // utility scale (default 2)
	Lambda     float64  `json:"lambda,omitempty"`     // KL weight towards the preference policy (default 2)
	Eta        float64  `json:"eta,omitempty"`        // FTRL learning rate (default 10)
	Iterations int      `json:"iterations,omitempty"` // FTRL iterations per token (default 60)
	K          *float64 `json:"k,omitempty"`          // amulet: the collapsed coefficient, overriding the four above
	Literal    bool     `json:"literal,omitempty"`    // amulet: run the per-iteration FTRL loop instead of the one-line form
	LARatio    float64  `json:"la_ratio,omitempty"`   // la: r (default 2)
	LATopP     float64  `json:"la_top_p,omitempty"`   // la: keep only the top-p nucleus of pi_pref; 0 or 1 = off
	CFGScale   float64  `json:"cfg_scale,omitempty"`  // cfg: gamma (default 1.5)
}

func (p Params) withDefaults() Params {
	if p.Alpha == 0 {
		p.Alpha = DefaultAlpha
	}
	if p.Lambda == 0 {
		p.Lambda = DefaultLambda
	}
	if p.Eta == 0 {
		p.Eta = DefaultEta
	}
	if p.Iterations == 0 {
		p.Iterations = DefaultIterations
	}
	if p.LARatio == 0 {
		p.LARatio = DefaultLARatio
	}
	if p.CFGScale == 0 {
		p.CFGScale = DefaultCFGScale
	}
	return p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

func (p Params) validate() error {
	switch {
	case !finite(p.Alpha) || p.Alpha < 0:
		return fmt.Errorf("alpha %v: want a finite value >= 0", p.Alpha)
	case !finite(p.Lambda) || p.Lambda <= 0:
		return fmt.Errorf("lambda %v: want a finite value > 0", p.Lambda)
	case !finite(p.Eta) || p.Eta <= 0:
		return fmt.Errorf("eta %v: want a finite value > 0", p.Eta)
	case p.Iterations < 1 || p.Iterations > 100000:
		return fmt.Errorf("iterations %d: want 1..100000", p.Iterations)
	case p.K != nil && !finite(*p.K):
		return fmt.Errorf("k %v: want a finite number", *p.K)
	case !finite(p.LARatio):
		return fmt.Errorf("la ratio %v: want a finite number", p.LARatio)
	case !finite(p.LATopP) || p.LATopP < 0 || p.LATopP > 1:
		return fmt.Errorf("la top-p %v: want 0..1", p.LATopP)
	case !finite(p.CFGScale):
		return fmt.Errorf("cfg scale %v: want a finite number", p.CFGScale)
	}
	return nil
}

// Coefficient returns Amulet's collapsed coefficient k for the FTRL parameters: after the
// given number of iterations the realigned scores are z = p + k (p - b) + const. It runs the
// scalar recurrence k_1 = 0, k_{t+1} = ((alpha/t) sum_{i<=t} (1+k_i) + k_t/(eta t)) /
// (lambda + 1/(eta t)) and returns k_{T+1}. The paper's defaults (2, 2, 10, 60) give 4.6487.
func Coefficient(alpha, lambda, eta float64, iterations int) float64 {
	k, sum := 0.0, 0.0
	for t := 1; t <= iterations; t++ {
		ft := float64(t)
		sum += 1 + k
		k = (alpha/ft*sum + k/(eta*ft)) / (lambda + 1/(eta*ft))
	}
	return k
}

// LogSoftmax writes log(softmax(x)) to dst, stably (max-subtract, log-sum-exp). Entries equal
// to -Inf stay -Inf; if every entry is -Inf (or x is empty) dst is all -Inf, never NaN.
// dst and x may be the same slice.
func LogSoftmax(dst, x []float64) {
	m := math.Inf(-1)
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	if math.IsInf(m, -1) {
		for i := range dst[:len(x)] {
			dst[i] = math.Inf(-1)
		}
		return
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	lse := m + math.Log(s)
	for i, v := range x {
		dst[i] = v - lse
	}
}

// FTRL runs Amulet's per-token online optimisation literally, iteration by iteration, and
// writes the final scores z_T to dst (log-space, up to a constant). p and b are the
// log-probabilities of the preference and base contexts (use LogSoftmax). Tokens where p or b
// is -Inf get -Inf. scratch must hold 3*len(p) values (or be nil to allocate).
//
// This is the reference form; Coefficient gives the same result in one line:
// z_T = p + k (p - b) + const.
func FTRL(dst, p, b []float64, alpha, lambda, eta float64, iterations int, scratch []float64) {
	n := len(p)
	if len(scratch) < 3*n {
		scratch = make([]float64, 3*n)
	}
	x, sumU, z := scratch[:n], scratch[n:2*n], scratch[2*n:3*n]
	neg := math.Inf(-1)
	if iterations < 1 {
		copy(dst[:n], p)
		return
	}
	for i := range n {
		sumU[i] = 0
		if math.IsInf(p[i], -1) || math.IsInf(b[i], -1) {
			x[i] = neg
			continue
		}
		x[i] = p[i]
	}
	for t := 1; t <= iterations; t++ {
		ft := float64(t)
		inv := 1 / (eta * ft)
		den := lambda + inv
		for i := range n {
			if math.IsInf(x[i], -1) {
				z[i] = neg
				continue
			}
			sumU[i] += alpha * (x[i] - b[i])
			z[i] = (lambda*p[i] + sumU[i]/ft + x[i]*inv) / den
		}
		if t < iterations {
			LogSoftmax(x, z)
		}
	}
	copy(dst[:n], z)
}
