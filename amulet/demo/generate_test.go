package demo

import (
	"math"
	"testing"
)

func TestGeneratorDeterministic(t *testing.T) {
	a, b := NewGenerator(7), NewGenerator(7)
	for i := 0; i < 200; i++ {
		x, y := a.Next(), b.Next()
		if x != y {
			t.Fatalf("sample %d differs for the same seed:\n%+v\n%+v", i, x, y)
		}
	}
	if NewGenerator(8).Next() == NewGenerator(7).Next() && NewGenerator(9).Next() == NewGenerator(7).Next() {
		t.Fatal("different seeds give the same samples")
	}
}

// Every generated answer is classified as the style it was written in and is well-formed.
func TestGeneratedAnswersClassifyExactly(t *testing.T) {
	g := NewGenerator(1)
	for i := 0; i < 20000; i++ {
		s := g.Next()
		if got := Classify(s.Answer); got != s.Style {
			t.Fatalf("sample %d: Classify = %v, want %v\n%q", i, got, s.Style, s.Answer)
		}
		if !WellFormed(s.Answer) {
			t.Fatalf("sample %d (%v) not well-formed:\n%q", i, s.Style, s.Answer)
		}
	}
}

// The rates the issue asks for: ~30% of samples state no preference, and when one is stated
// the answer follows it ~60% of the time; no held-out question is ever drawn.
func TestGeneratorRates(t *testing.T) {
	held := map[string]bool{}
	for _, q := range HeldOutPrompts() {
		held[q.Text] = true
	}
	g := NewGenerator(2)
	const n = 50000
	none, stated, followed := 0, 0, 0
	for i := 0; i < n; i++ {
		s := g.Next()
		if held[s.Text] {
			t.Fatalf("held-out question %q drawn for training", s.Text)
		}
		if s.Preference == NoStyle {
			none++
			continue
		}
		stated++
		if s.Style == s.Preference {
			followed++
		}
	}
	if r := float64(none) / n; math.Abs(r-0.30) > 0.01 {
		t.Errorf("no-preference rate %.3f, want 0.30", r)
	}
	if r := float64(followed) / float64(stated); r < 0.55 || r > 0.62 {
		t.Errorf("follow rate %.3f, want about 0.58", r)
	}
	if len(held) < 200 {
		t.Errorf("only %d held-out questions, want >= 200", len(held))
	}
}

func TestStyleWeightsSumToOne(t *testing.T) {
	for d := range domains {
		for p := NoStyle; p < NumStyles; p++ {
			w := styleWeights(d, p)
			sum := 0.0
			for _, x := range w {
				if x < 0 {
					t.Fatalf("negative weight %v for domain %d pref %v", w, d, p)
				}
				sum += x
			}
			if math.Abs(sum-1) > 1e-12 {
				t.Fatalf("weights %v sum to %v", w, sum)
			}
		}
	}
}
