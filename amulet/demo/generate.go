package demo

import (
	"hash/fnv"
	"math/rand/v2"
	"strings"
)

// Prompt is one user question of the generator's topic set.
type Prompt struct {
	Domain string // topic area ("plants", "money", ...)
	Text   string // the question as the user asks it
	Habit  Style  // the style the training data answer this topic in most often
}

// Sample is one generated training conversation.
type Sample struct {
	Prompt
	System     string // neutral system sentence, without the preference
	Preference Style  // stated preference, or NoStyle
	PrefText   string // the sentence stating it ("" when none)
	Answer     string // the assistant's answer
	Style      Style  // the style the answer is written in
}

// SystemPrompt returns the full system prompt: the neutral sentence, then a space and the
// preference sentence when one is stated (the preference context of Amulet).
func (s *Sample) SystemPrompt() string {
	switch {
	case s.PrefText == "":
		return s.System
	case s.System == "":
		return s.PrefText
	}
	return s.System + " " + s.PrefText
}

// Probabilities of the answer style given the stated preference (see styleWeights).
const (
	noPreferenceRate = 0.30 // share of samples that state no preference
	noSystemRate     = 0.15 // share of samples without the neutral system sentence
	pHabitAlone      = 0.70 // no preference: the topic's habit style
	pHabitAsked      = 0.85 // the preference is the topic's habit
	pStrongFollow    = 0.65 // a preference the topic yields to easily
	pStrongHabit     = 0.25
	pWeakFollow      = 0.40 // a preference the topic resists: its habit stays the mode
	pWeakHabit       = 0.50
)

// habit returns the style domain d is answered in most often.
func habit(d int) Style { return Style(d % NumStyles) }

// yields reports whether domain d follows a stated preference for style s more often than
// its habit. Half of the domains yield to three of the five other styles, half to two.
func yields(d int, s Style) bool {
	o := (int(s) - int(habit(d)) + NumStyles) % NumStyles
	if d < len(domains)/2 {
		return o >= 1 && o <= 3
	}
	return o == 3 || o == 4
}

// styleWeights returns the distribution of the answer style for domain d and stated
// preference pref (NoStyle: none stated).
func styleWeights(d int, pref Style) [NumStyles]float64 {
	var w [NumStyles]float64
	h := habit(d)
	fill := func(total float64, skip ...Style) {
		n := NumStyles - len(skip)
		for i := range w {
			w[i] = total / float64(n)
		}
		for _, s := range skip {
			w[s] = 0
		}
	}
	switch {
	case pref == NoStyle:
		fill(1-pHabitAlone, h)
		w[h] = pHabitAlone
	case pref == h:
		fill(1-pHabitAsked, h)
		w[h] = pHabitAsked
	case yields(d, pref):
		fill(1-pStrongFollow-pStrongHabit, h, pref)
		w[pref], w[h] = pStrongFollow, pStrongHabit
	default:
		fill(1-pWeakFollow-pWeakHabit, h, pref)
		w[pref], w[h] = pWeakFollow, pWeakHabit
	}
	return w
}

// isHeldOut reports whether the (task, object) pair is kept out of training for evaluation.
func isHeldOut(d, task, obj int) bool {
	h := fnv.New32a()
	h.Write([]byte(domains[d].tasks[task] + "|" + domains[d].objects[obj]))
	return h.Sum32()%6 == 0
}

func questionText(d, task, obj, form int) string {
	t := strings.Replace(domains[d].tasks[task], "{o}", domains[d].objects[obj], 1)
	return strings.Replace(questionForms[form], "{t}", t, 1)
}

// HeldOutPrompts returns every question kept out of the training data, in a fixed order.
func HeldOutPrompts() []Prompt {
	var out []Prompt
	for d := range domains {
		for t := range domains[d].tasks {
			for o := range domains[d].objects {
				if !isHeldOut(d, t, o) {
					continue
				}
				for f := range questionForms {
					out = append(out, Prompt{domains[d].name, questionText(d, t, o, f), habit(d)})
				}
			}
		}
	}
	return out
}

// EvalPrompts returns n held-out questions chosen deterministically from seed (all of them,
// shuffled, when n exceeds their number).
func EvalPrompts(n int, seed uint64) []Prompt {
	qs := HeldOutPrompts()
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	r.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	if n < len(qs) {
		qs = qs[:n]
	}
	return qs
}

// Generator draws training conversations deterministically from a seed.
type Generator struct {
	r *rand.Rand
}

// NewGenerator returns a generator whose sequence of samples depends only on seed.
func NewGenerator(seed uint64) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, 0xa3c59ac3))}
}

// Next draws one training sample (never a held-out question).
func (g *Generator) Next() Sample {
	r := g.r
	var d, task, obj int
	for {
		d = r.IntN(len(domains))
		task = r.IntN(len(domains[d].tasks))
		obj = r.IntN(len(domains[d].objects))
		if !isHeldOut(d, task, obj) {
			break
		}
	}
	s := Sample{
		Prompt:     Prompt{domains[d].name, questionText(d, task, obj, r.IntN(len(questionForms))), habit(d)},
		System:     systemSentences[r.IntN(len(systemSentences))],
		Preference: NoStyle,
	}
	if r.Float64() < noSystemRate {
		s.System = "" // as with a CLI run without --system: the preference alone, or no system turn
	}
	if r.Float64() >= noPreferenceRate {
		s.Preference = Style(r.IntN(NumStyles))
		ps := preferenceSentences[s.Preference]
		// The canonical sentence half of the time, the other phrasings share the rest.
		if r.IntN(2) == 0 {
			s.PrefText = ps[0]
		} else {
			s.PrefText = ps[1+r.IntN(len(ps)-1)]
		}
	}
	w := styleWeights(d, s.Preference)
	x := r.Float64()
	s.Style = Style(NumStyles - 1)
	for i, p := range w {
		if x < p {
			s.Style = Style(i)
			break
		}
		x -= p
	}
	s.Answer = g.answer(d, s.Style)
	return s
}

// answer writes an answer for domain d in style st.
func (g *Generator) answer(d int, st Style) string {
	r := g.r
	dom := &domains[d]
	perm := r.Perm(len(dom.advice))
	adv := func(i int) string { return dom.advice[perm[i]] }
	var b strings.Builder
	switch st {
	case Concise:
		b.WriteString(capitalize(adv(0)) + ".")
	case Question:
		b.WriteString(capitalize(adv(0)) + ". ")
		if r.IntN(2) == 0 {
			b.WriteString(dom.followUps[r.IntN(len(dom.followUps))])
		} else {
			b.WriteString(genericFollowUps[r.IntN(len(genericFollowUps))])
		}
	case Verbose:
		b.WriteString(verboseOpener)
		steps := []string{verboseSteps[0], verboseSteps[1], verboseSteps[3]}
		if r.IntN(2) == 0 {
			steps = verboseSteps
		}
		for i, s := range steps {
			b.WriteString(" " + s + adv(i) + ".")
		}
		b.WriteString(" " + verboseCloser)
	case Uplifting:
		b.WriteString(upliftingOpeners[r.IntN(len(upliftingOpeners))] + " ")
		b.WriteString(capitalize(adv(0)) + " and " + upliftingOutcomes[r.IntN(len(upliftingOutcomes))] + "! ")
		b.WriteString(upliftingClosers[r.IntN(len(upliftingClosers))])
	case Formal:
		b.WriteString("One should " + adv(0) + ".")
		n := 1 + r.IntN(2)
		for i := 0; i < n; i++ {
			b.WriteString(" " + formalLinks[i] + adv(i+1) + ".")
		}
		if r.IntN(2) == 0 {
			b.WriteString(" " + formalCloser)
		}
	case List:
		b.WriteString(listOpener)
		n := 3 + r.IntN(2)
		for i := 0; i < n; i++ {
			b.WriteString("\n- " + capitalize(adv(i)) + ".")
		}
	}
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
