// Package demo is the project's own preference-following demo chat model and everything that
// makes and measures it: a deterministic synthetic conversation generator whose answers come in
// six exactly recognisable styles, the exact style classifier and well-formedness checker for
// that grammar, a small SentencePiece-style vocabulary trainer and encoder, and the trained
// model itself, embedded in the binary (see Model).
//
// The training data state a preference in the system prompt, and the answer follows it only
// about 60% of the time, so the trained model follows preferences weakly and test-time
// realignment (Amulet) has room to help; the eval command measures how much.
package demo

import (
	"fmt"
	"strings"
)

// Style is one of the six mutually exclusive answer styles of the generator's grammar.
type Style int

// The answer styles. Their names are also the preference names the demo model was trained on.
const (
	Concise   Style = iota // one short sentence
	Verbose                // five or six plain sentences, step by step
	Uplifting              // exclamations and a positive lexicon
	Formal                 // "One should ..." sentences with fixed connectives, no contractions
	List                   // a bulleted list
	Question               // one sentence of advice, then a question back to the user
	NumStyles       = 6    // number of styles
	NoStyle   Style = -1   // no style: unclassifiable text, or no preference stated
)

var styleNames = [NumStyles]string{"concise", "verbose", "uplifting", "formal", "list", "question"}

// Aliases accepted by ParseStyle besides the canonical names.
var styleAliases = map[string]Style{
	"short": Concise, "detailed": Verbose, "long": Verbose, "upbeat": Uplifting,
	"positive": Uplifting, "bullets": List, "question-back": Question, "questions": Question,
}

// String returns the style's canonical name ("none" for NoStyle).
func (s Style) String() string {
	if s >= 0 && s < NumStyles {
		return styleNames[s]
	}
	return "none"
}

// Styles returns every style in order.
func Styles() []Style {
	out := make([]Style, NumStyles)
	for i := range out {
		out[i] = Style(i)
	}
	return out
}

// ParseStyle maps a style or preference name (or an alias such as "detailed" or "upbeat") to
// its Style; the error lists the names.
func ParseStyle(name string) (Style, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for i, s := range styleNames {
		if n == s {
			return Style(i), nil
		}
	}
	if s, ok := styleAliases[n]; ok {
		return s, nil
	}
	return NoStyle, fmt.Errorf("demo: unknown style %q (want one of %s)", name, strings.Join(styleNames[:], ", "))
}

// preferenceSentences holds, per style, the sentences that state the preference in training
// data. The first one of each is the canonical sentence used by eval and by the CLI. The last
// ones of concise, verbose, uplifting and formal are the amulet package's preset sentences of
// the same names, so `amulet-run run --preference concise` works on the demo model as it is.
var preferenceSentences = [NumStyles][]string{
	Concise: {
		"Your answer should be concise as much as possible.",
		"Please keep your answer short.",
		"Answer in one short sentence.",
		"Keep the answer short: say only what is needed, in as few words as possible.",
	},
	Verbose: {
		"Your answer should be verbose as much as possible.",
		"Please give a detailed answer.",
		"Explain it step by step in several sentences.",
		"Give a long, thorough answer with plenty of detail, examples and explanation.",
	},
	Uplifting: {
		"Your answer should be uplifting as much as possible.",
		"Please sound cheerful and positive.",
		"Keep the tone upbeat.",
		"Be hopeful and encouraging, so that the reader comes away feeling better.",
	},
	Formal: {
		"Your answer should be formal as much as possible.",
		"Please use a formal tone.",
		"Write in formal language.",
		"Use a formal, professional register, with no slang or casual phrasing.",
	},
	List: {
		"Your answer should be a list as much as possible.",
		"Please answer with a bulleted list.",
		"Format your answer as a list of tips.",
	},
	Question: {
		"Your answer should end with a question as much as possible.",
		"Please ask me a question back.",
		"End your answer with a follow-up question.",
	},
}

// systemSentences are the neutral system prompts of the training data; the first is the one
// eval and the CLI use.
var systemSentences = []string{
	"You are a helpful assistant.",
	"You are an assistant that answers everyday questions.",
	"You help people with everyday tasks.",
	"You are a friendly helper.",
}

// PreferenceSentence returns the canonical sentence stating a preference for style s, the one
// the demo model saw most in training ("Your answer should be concise as much as possible.").
func PreferenceSentence(s Style) string {
	if s < 0 || s >= NumStyles {
		return ""
	}
	return preferenceSentences[s][0]
}

// PreferenceSentences returns every phrasing of the preference for style s used in training.
func PreferenceSentences(s Style) []string {
	if s < 0 || s >= NumStyles {
		return nil
	}
	return append([]string(nil), preferenceSentences[s]...)
}

// RecommendedK is the Amulet strength (the collapsed coefficient k) for the demo model, grounded
// by the sweep in eval/README.md: adherence saturates at k = 1.5 while answers stay well-formed;
// from k = 3 on fluency breaks (the paper's default k = 4.65 leaves 45% of answers well-formed),
// because this small model's log-probabilities of unlikely tokens are noisy and k amplifies
// their differences between the two contexts.
const RecommendedK = 1.5

// SystemPrompt returns the canonical neutral system prompt ("You are a helpful assistant.").
func SystemPrompt() string { return systemSentences[0] }
