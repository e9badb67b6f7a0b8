package amulet

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/amulet-llm/amulet/amulet/sample"
	"github.com/amulet-llm/amulet/internal/sharedtest"
)

// The spec's test vectors (docs/amulet.md section 3).
func TestCoefficientVectors(t *testing.T) {
	for _, c := range []struct {
		alpha, lambda, eta float64
		T                  int
		k, tol             float64
	}{
		{2, 2, 10, 1, 0.9524, 5e-5},
		{2, 2, 10, 5, 2.2512, 5e-5},
		{2, 2, 10, 10, 2.8976, 5e-5},
		{2, 2, 10, 20, 3.5665, 5e-5},
		{2, 2, 10, 40, 4.2474, 5e-5},
		{2, 2, 10, 60, 4.6487, 5e-5},
		{2, 2, 10, 100, 5.1562, 5e-5},
		{2, 2, 10, 200, 5.8469, 5e-5},
		{2, 2, 10, 60, 4.648699006951201, 1e-12}, // the reference file's k
		{1, 2, 10, 60, 0.926, 5e-4},
	} {
		if got := Coefficient(c.alpha, c.lambda, c.eta, c.T); math.Abs(got-c.k) > c.tol {
			t.Errorf("Coefficient(%v,%v,%v,%d) = %.10g, want %v", c.alpha, c.lambda, c.eta, c.T, got, c.k)
		}
	}
	// alpha > lambda diverges: about 23 at T=60.
	if got := Coefficient(3, 2, 10, 60); got < 20 || got > 26 {
		t.Errorf("Coefficient(3,2,10,60) = %v, want about 23", got)
	}
}

func logSoftmax64(x []float64) []float64 {
	out := make([]float64, len(x))
	LogSoftmax(out, x)
	return out
}

// The literal FTRL loop equals p + k(p-b) after normalisation, on random inputs (float64).
func TestFTRLMatchesCollapsedRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 20 {
		n := 50 + trial*13
		p, b := make([]float64, n), make([]float64, n)
		for i := range n {
			p[i] = rng.NormFloat64() * 3
			b[i] = p[i] + rng.NormFloat64()
		}
		p, b = logSoftmax64(p), logSoftmax64(b)
		alpha, lambda, eta := 0.5+rng.Float64()*1.5, 2.0, 1+rng.Float64()*20
		T := 1 + rng.IntN(100)
		lit := make([]float64, n)
		FTRL(lit, p, b, alpha, lambda, eta, T, nil)
		k := Coefficient(alpha, lambda, eta, T)
		col := make([]float64, n)
		for i := range n {
			col[i] = p[i] + k*(p[i]-b[i])
		}
		lit, col = logSoftmax64(lit), logSoftmax64(col)
		for i := range n {
			if d := math.Abs(lit[i] - col[i]); d > 1e-10 {
				t.Fatalf("trial %d token %d: literal %v collapsed %v (diff %g)", trial, i, lit[i], col[i], d)
			}
		}
	}
}

type logitsFile struct {
	Vocab     int `json:"vocab_size"`
	Positions []struct {
		Logits []float32 `json:"logits"`
	} `json:"positions"`
}

func loadLogits(t *testing.T) [][]float32 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(sharedtest.Dir(t), "reference", "stories260k-f32__once-upon-a-time.logits.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f logitsFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	rows := make([][]float32, len(f.Positions))
	for i, p := range f.Positions {
		rows[i] = p.Logits
	}
	return rows
}

// On real model logits (llama.cpp's stories260K rows taken as pref/base pairs), the literal
// loop and the one-line form agree within 1e-5 and choose the same tokens, both in float64
// and through the Combiner's float32 fast path.
func TestLiteralMatchesCollapsedRealLogits(t *testing.T) {
	rows := loadLogits(t)
	V := len(rows[0])
	k := Coefficient(2, 2, 10, 60)
	lit, err := NewCombiner(MethodAmulet, Params{Literal: true}, []float64{1}, V)
	if err != nil {
		t.Fatal(err)
	}
	col, err := NewCombiner(MethodAmulet, Params{}, []float64{1}, V)
	if err != nil {
		t.Fatal(err)
	}
	zl, zc := make([]float32, V), make([]float32, V)
	pairs := 0
	for i := 0; i+1 < len(rows); i++ {
		for _, j := range []int{i + 1, len(rows) - 1 - i} {
			if j == i {
				continue
			}
			pref, base := rows[i], rows[j]
			p64, b64 := make([]float64, V), make([]float64, V)
			for v := range V {
				p64[v], b64[v] = float64(pref[v]), float64(base[v])
			}
			p64, b64 = logSoftmax64(p64), logSoftmax64(b64)
			l := make([]float64, V)
			FTRL(l, p64, b64, 2, 2, 10, 60, nil)
			c := make([]float64, V)
			for v := range V {
				c[v] = p64[v] + k*(p64[v]-b64[v])
			}
			l, c = logSoftmax64(l), logSoftmax64(c)
			for v := range V {
				if d := math.Abs(l[v] - c[v]); d > 1e-5 {
					t.Fatalf("rows %d/%d token %d: literal %v collapsed %v", i, j, v, l[v], c[v])
				}
			}
			lit.Combine(zl, base, [][]float32{pref})
			col.Combine(zc, base, [][]float32{pref})
			if a, b := sample.Argmax(zl), sample.Argmax(zc); a != b || a != argmax64(c) {
				t.Fatalf("rows %d/%d: literal picks %d, collapsed %d, float64 %d", i, j, a, b, argmax64(c))
			}
			pairs++
		}
	}
	t.Logf("%d pref/base pairs agree", pairs)
}

func argmax64(x []float64) int32 {
	bi := 0
	for i, v := range x {
		if v > x[bi] {
			bi = i
		}
	}
	return int32(bi)
}

// Several preferences: z = b + (1+k) sum_j w_j (p_j - b), checked against a scalar evaluation
// (up to a constant), for every method.
func TestCombinerWeightedFormula(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const V = 64
	base := make([]float32, V)
	prefs := [][]float32{make([]float32, V), make([]float32, V)}
	for i := range V {
		base[i] = float32(rng.NormFloat64())
		prefs[0][i] = float32(rng.NormFloat64())
		prefs[1][i] = float32(rng.NormFloat64())
	}
	w := []float64{0.7, -0.4}
	k2 := 2.0
	for _, c := range []struct {
		m   Method
		prm Params
		k   float64
	}{
		{MethodPref, Params{}, 0},
		{MethodAmulet, Params{}, Coefficient(2, 2, 10, 60)},
		{MethodAmulet, Params{K: &k2}, 2},
		{MethodLA, Params{LARatio: 5}, 5},
		{MethodCFG, Params{CFGScale: 3}, 2},
	} {
		comb, err := NewCombiner(c.m, c.prm, w, V)
		if err != nil {
			t.Fatal(err)
		}
		if comb.K() != c.k {
			t.Errorf("%s: K = %v, want %v", c.m, comb.K(), c.k)
		}
		z := make([]float32, V)
		comb.Combine(z, base, prefs)
		want := make([]float64, V)
		for i := range V {
			b := float64(base[i])
			s := w[0]*(float64(prefs[0][i])-b) + w[1]*(float64(prefs[1][i])-b)
			want[i] = b + (1+c.k)*s
		}
		off := float64(z[0]) - want[0]
		for i := range V {
			if d := math.Abs(float64(z[i]) - want[i] - off); d > 1e-4 {
				t.Fatalf("%s token %d: got %v want %v (+%v)", c.m, i, z[i], want[i], off)
			}
		}
	}
}

// -Inf inputs (masked tokens) never produce NaN, with either form.
func TestCombinerNoNaN(t *testing.T) {
	inf := float32(math.Inf(-1))
	base := []float32{inf, 1, inf, 2, 0}
	pref := []float32{inf, inf, 3, 1, float32(math.Inf(1))}
	for _, literal := range []bool{false, true} {
		comb, err := NewCombiner(MethodAmulet, Params{Literal: literal}, []float64{1}, len(base))
		if err != nil {
			t.Fatal(err)
		}
		z := make([]float32, len(base))
		comb.Combine(z, base, [][]float32{pref})
		for i, v := range z {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 1) {
				t.Fatalf("literal=%v: z[%d] = %v", literal, i, v)
			}
		}
		if sample.Argmax(z) != 3 {
			t.Fatalf("literal=%v: argmax %d, want 3 (the only token finite in both)", literal, sample.Argmax(z))
		}
	}
	all := []float64{math.Inf(-1), math.Inf(-1)}
	LogSoftmax(all, all)
	for _, v := range all {
		if !math.IsInf(v, -1) {
			t.Fatalf("LogSoftmax of all -Inf gave %v", v)
		}
	}
}

// LA's plausibility mask keeps only the top-p nucleus of pi_pref.
func TestLANucleusMask(t *testing.T) {
	// pref probabilities ~ 0.6, 0.3, 0.1 (tokens 0, 1, 2); base favours token 2.
	pref := []float32{float32(math.Log(0.6)), float32(math.Log(0.3)), float32(math.Log(0.1))}
	base := []float32{0, 0, 5}
	comb, err := NewCombiner(MethodLA, Params{LARatio: 5, LATopP: 0.85}, []float64{1}, 3)
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float32, 3)
	comb.Combine(z, base, [][]float32{pref})
	if !math.IsInf(float64(z[2]), -1) || math.IsInf(float64(z[1]), -1) {
		t.Fatalf("mask: z = %v, want token 2 masked and 0, 1 kept", z)
	}
}

// On random rows the LA mask keeps exactly the union of the positively weighted preferences'
// nuclei found by sorting the whole vocabulary (the plain reference), and allocates nothing.
func TestLANucleusMaskMatchesFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const vocab = 3000
	for trial := range 20 {
		topP := 0.05 + 0.9*rng.Float64()
		comb, err := NewCombiner(MethodLA, Params{LATopP: topP}, []float64{1, -0.5, 0.7}, vocab)
		if err != nil {
			t.Fatal(err)
		}
		base := make([]float32, vocab)
		prefs := make([][]float32, 3)
		for j := range prefs {
			prefs[j] = make([]float32, vocab)
			for i := range prefs[j] {
				prefs[j][i] = float32(rng.NormFloat64() * []float64{0.3, 2, 5}[trial%3])
			}
		}
		z := make([]float32, vocab)
		comb.Combine(z, base, prefs)
		want := make([]bool, vocab)
		for j, row := range prefs {
			if j == 1 { // negative weight: no nucleus of its own
				continue
			}
			order := make([]int, vocab)
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return row[order[a]] > row[order[b]] })
			m, total := float64(row[order[0]]), 0.0
			for _, v := range row {
				total += math.Exp(float64(v) - m)
			}
			cum := 0.0
			for _, id := range order {
				want[id] = true
				if cum += math.Exp(float64(row[id])-m) / total; cum >= topP {
					break
				}
			}
		}
		for i := range z {
			if kept := !math.IsInf(float64(z[i]), -1); kept != want[i] {
				t.Fatalf("trial %d (top-p %.3f): token %d kept=%v, want %v", trial, topP, i, kept, want[i])
			}
		}
		if n := testing.AllocsPerRun(3, func() { comb.Combine(z, base, prefs) }); n != 0 {
			t.Fatalf("LA mask allocates %v times per token", n)
		}
	}
}

func TestBadParams(t *testing.T) {
	nan := math.NaN()
	for _, c := range []struct {
		m   Method
		prm Params
		w   []float64
	}{
		{"nope", Params{}, []float64{1}},
		{MethodAmulet, Params{K: &nan}, []float64{1}},
		{MethodAmulet, Params{Iterations: -1}, []float64{1}},
		{MethodAmulet, Params{Lambda: -2}, []float64{1}},
		{MethodAmulet, Params{}, nil},
		{MethodAmulet, Params{}, []float64{math.Inf(1)}},
		{MethodLA, Params{LATopP: 2}, []float64{1}},
	} {
		if _, err := NewCombiner(c.m, c.prm, c.w, 10); err == nil {
			t.Errorf("NewCombiner(%q, %+v, %v): no error", c.m, c.prm, c.w)
		}
	}
	if _, err := ParseMethod("AMULET"); err != nil {
		t.Error(err)
	}
}

// The combine step allocates nothing.
func TestCombineNoAlloc(t *testing.T) {
	const V = 1000
	comb, _ := NewCombiner(MethodAmulet, Params{}, []float64{1}, V)
	z, b, p := make([]float32, V), make([]float32, V), make([]float32, V)
	prefs := [][]float32{p}
	if n := testing.AllocsPerRun(10, func() { comb.Combine(z, b, prefs) }); n != 0 {
		t.Fatalf("Combine allocates %v times", n)
	}
}

// Whatever the inputs (±Inf, NaN, huge values), the combined scores are never NaN or +Inf, in
// either form.
func FuzzCombineNoNaN(f *testing.F) {
	f.Add(float32(1), float32(2), float32(math.Inf(-1)), float32(0), 4.6, 0.5)
	f.Add(float32(math.NaN()), float32(math.Inf(1)), float32(3e38), float32(-3e38), 1e6, -2.0)
	f.Add(float32(0), float32(1), float32(3e38), float32(-3e38), 1e6, 1.0) // beyond float32: saturates
	f.Fuzz(func(t *testing.T, b0, b1, p0, p1 float32, k, w float64) {
		if math.IsNaN(k) || math.IsInf(k, 0) || math.IsNaN(w) || math.IsInf(w, 0) {
			return
		}
		base, pref := []float32{b0, b1, 0}, []float32{p0, p1, 0}
		for _, literal := range []bool{false, true} {
			prm := Params{K: &k}
			if literal {
				prm = Params{Literal: true, Iterations: 5}
			}
			comb, err := NewCombiner(MethodAmulet, prm, []float64{w}, 3)
			if err != nil {
				t.Fatal(err)
			}
			z := make([]float32, 3)
			comb.Combine(z, base, [][]float32{pref})
			for i, v := range z {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 1) {
					t.Fatalf("literal=%v k=%v w=%v base %v pref %v: z[%d] = %v", literal, k, w, base, pref, i, v)
				}
			}
		}
	})
}
