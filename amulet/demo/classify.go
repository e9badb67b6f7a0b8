package demo

import (
	"regexp"
	"strings"
)

// Classify returns the style an answer is written in, recognised exactly from the markers of
// the generator's grammar: a bullet line (list), "!" (uplifting), "?" (question), "one should"
// (formal); with none of these, text ending with a full stop is concise if it is one sentence
// and verbose if it is three or more. Anything else (markers of two styles, two plain
// sentences, no final full stop) is NoStyle. Surrounding white space is ignored.
func Classify(answer string) Style {
	a := strings.TrimSpace(answer)
	found, n := NoStyle, 0
	mark := func(ok bool, s Style) {
		if ok {
			found, n = s, n+1
		}
	}
	mark(strings.HasPrefix(a, "- ") || strings.Contains(a, "\n- "), List)
	mark(strings.Contains(a, "!"), Uplifting)
	mark(strings.Contains(a, "?"), Question)
	mark(strings.Contains(strings.ToLower(a), "one should"), Formal)
	switch {
	case n == 1:
		return found
	case n > 1 || a == "":
		return NoStyle
	}
	if !strings.HasSuffix(a, ".") {
		return NoStyle
	}
	switch sentences := countSentences(a); {
	case sentences == 1:
		return Concise
	case sentences >= 3:
		return Verbose
	}
	return NoStyle
}

// countSentences counts runs of text ended by '.' (or by the end of the text).
func countSentences(a string) int {
	n := 0
	for _, part := range strings.Split(a, ".") {
		if strings.TrimSpace(part) != "" {
			n++
		}
	}
	return n
}

// grammar holds one anchored regular expression per style that accepts exactly the answers
// the generator can write in that style (with advice, follow-ups and fixed phrases from any
// topic).
type grammar [NumStyles]*regexp.Regexp

var styleGrammar = buildGrammar()

func alt(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = regexp.QuoteMeta(s)
	}
	return "(?:" + strings.Join(q, "|") + ")"
}

func buildGrammar() *grammar {
	var adv, advCap, follow []string
	for _, d := range domains {
		for _, a := range d.advice {
			adv = append(adv, a)
			advCap = append(advCap, capitalize(a))
		}
		follow = append(follow, d.followUps...)
	}
	follow = append(follow, genericFollowUps...)
	A, C := alt(adv), alt(advCap)
	var g grammar
	g[Concise] = regexp.MustCompile(`^` + C + `\.$`)
	g[Question] = regexp.MustCompile(`^` + C + `\. ` + alt(follow) + `$`)
	s := func(i int) string { return regexp.QuoteMeta(verboseSteps[i]) }
	g[Verbose] = regexp.MustCompile(`^` + regexp.QuoteMeta(verboseOpener) +
		` ` + s(0) + A + `\. ` + s(1) + A + `\. (?:` + s(2) + A + `\. )?` + s(3) + A + `\. ` +
		regexp.QuoteMeta(verboseCloser) + `$`)
	g[Uplifting] = regexp.MustCompile(`^` + alt(upliftingOpeners) + ` ` + C + ` and ` +
		alt(upliftingOutcomes) + `! ` + alt(upliftingClosers) + `$`)
	g[Formal] = regexp.MustCompile(`^One should ` + A + `\. ` + regexp.QuoteMeta(formalLinks[0]) + A +
		`\.(?: ` + regexp.QuoteMeta(formalLinks[1]) + A + `\.)?(?: ` + regexp.QuoteMeta(formalCloser) + `)?$`)
	g[List] = regexp.MustCompile(`^` + regexp.QuoteMeta(listOpener) + `(?:\n- ` + C + `\.){3,4}$`)
	return &g
}

// WellFormed reports whether an answer is exactly a sentence of the generator's grammar for
// the style Classify gives it (surrounding white space ignored). Repeated advice is allowed.
func WellFormed(answer string) bool {
	st := Classify(answer)
	if st == NoStyle {
		return false
	}
	return styleGrammar[st].MatchString(strings.TrimSpace(answer))
}
