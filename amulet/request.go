package amulet

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/amulet-llm/amulet/amulet/sample"
)

// Message is one turn of a conversation. Role is "system", "user" or "assistant".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Preference is one stated preference. In chat and prompt mode Text is a preset name (see
// Presets) or a free-text sentence; it is added to the system prompt of its own context. In raw
// mode Context holds the whole preference context verbatim instead.
type Preference struct {
	Text    string  `json:"text,omitempty"`
	Context string  `json:"context,omitempty"` // raw mode: the preference context, verbatim
	Weight  float64 `json:"weight,omitempty"`  // 0 means 1; negative pushes away from the preference
}

// Request is one generation. It maps to JSON field by field, so a server can decode it from a
// request body. Exactly one of Messages (chat mode, framed by the model's chat template),
// Prompt (plain completion, no template) or BaseContext/Preference.Context (raw mode) is used.
type Request struct {
	Messages    []Message    `json:"messages,omitempty"`
	Prompt      string       `json:"prompt,omitempty"`
	System      string       `json:"system,omitempty"`       // system prompt of every context (or a first message with role "system")
	BaseContext string       `json:"base_context,omitempty"` // raw mode: the base context verbatim
	Preferences []Preference `json:"preferences,omitempty"`

	Method Method `json:"method,omitempty"` // "" = amulet with preferences, base without
	Params Params `json:"params,omitempty"`

	Sampling  sample.Params `json:"sampling,omitempty"`
	Seed      uint64        `json:"seed,omitempty"`
	MaxTokens int           `json:"max_tokens,omitempty"` // 0 = up to the context length
	Stop      []string      `json:"stop,omitempty"`       // stop strings (not included in the output)
	IgnoreEOS bool          `json:"ignore_eos,omitempty"` // feed end-of-generation tokens back instead of stopping
	Logprobs  int           `json:"logprobs,omitempty"`   // top-N log-probs per token; 0 = none
}

// Raw reports whether the request gives its contexts verbatim.
func (r *Request) Raw() bool {
	if r.BaseContext != "" {
		return true
	}
	for _, p := range r.Preferences {
		if p.Context != "" {
			return true
		}
	}
	return false
}

// method returns the effective method, in the canonical spelling of the Method constants
// (validate accepts any case, as ParseMethod does).
func (r *Request) method() Method {
	if r.Method != "" {
		return Method(strings.ToLower(strings.TrimSpace(string(r.Method))))
	}
	if len(r.Preferences) > 0 {
		return MethodAmulet
	}
	return MethodBase
}

func (r *Request) validate() error {
	if _, err := ParseMethod(string(r.method())); err != nil {
		return err
	}
	if r.MaxTokens < 0 {
		return fmt.Errorf("max tokens %d: want >= 0", r.MaxTokens)
	}
	if r.Logprobs < 0 || r.Logprobs > 100 {
		return fmt.Errorf("logprobs %d: want 0..100", r.Logprobs)
	}
	modes := 0
	if len(r.Messages) > 0 {
		modes++
	}
	if r.Prompt != "" {
		modes++
	}
	if r.Raw() {
		modes++
	}
	if modes != 1 {
		return fmt.Errorf("give exactly one of messages, prompt, or raw contexts (base_context + preference contexts)")
	}
	for i, p := range r.Preferences {
		if math.IsNaN(p.Weight) || math.IsInf(p.Weight, 0) {
			return fmt.Errorf("preference %d: weight %v is not finite", i+1, p.Weight)
		}
		if r.Raw() && p.Context == "" {
			return fmt.Errorf("preference %d: raw mode needs its context", i+1)
		}
		if !r.Raw() && strings.TrimSpace(p.Text) == "" {
			return fmt.Errorf("preference %d: empty text", i+1)
		}
	}
	if r.System != "" && len(r.Messages) > 0 && r.Messages[0].Role == "system" {
		return fmt.Errorf("two system prompts: give it either as system or as the first message, not both")
	}
	if r.Raw() && r.BaseContext == "" && r.method() != MethodPref {
		return fmt.Errorf("raw mode needs the base context")
	}
	if r.method() != MethodBase && len(r.Preferences) == 0 {
		return fmt.Errorf("method %s needs at least one preference", r.method())
	}
	return nil
}

// Presets are the built-in preference sentences, by name.
var presets = map[string]string{
	"creative":    "Be imaginative and original: offer fresh ideas, unexpected angles and vivid images.",
	"verbose":     "Give a long, thorough answer with plenty of detail, examples and explanation.",
	"concise":     "Keep the answer short: say only what is needed, in as few words as possible.",
	"uplifting":   "Be hopeful and encouraging, so that the reader comes away feeling better.",
	"formal":      "Use a formal, professional register, with no slang or casual phrasing.",
	"pleasant":    "Keep a warm, friendly and agreeable tone from start to finish.",
	"complex":     "Use sophisticated vocabulary and intricate, layered reasoning.",
	"sycophantic": "Flatter the user, praise their question and agree with them eagerly.",
}

// Presets returns the built-in preset names, sorted.
func Presets() []string {
	names := make([]string, 0, len(presets))
	for n := range presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// PreferenceSentence expands a preset name (any case) to its sentence; any other text is
// returned as it is (free-text preference).
func PreferenceSentence(text string) string {
	if s, ok := presets[strings.ToLower(strings.TrimSpace(text))]; ok {
		return s
	}
	return strings.TrimSpace(text)
}

// Token is one generated token as it is chosen.
type Token struct {
	ID          int32            `json:"id"`                     // -1 for the final held-back text
	Text        string           `json:"text"`                   // text ready to show (may be empty while a stop string or UTF-8 sequence is pending)
	Logprob     float64          `json:"logprob,omitempty"`      // log-probability under the realigned distribution (with Logprobs > 0)
	TopLogprobs []sample.Logprob `json:"top_logprobs,omitempty"` // valid only during the callback
}

// Finish reasons.
const (
	FinishStop      = "stop"      // end-of-generation token or stop string
	FinishLength    = "length"    // max tokens or context length
	FinishCancelled = "cancelled" // the context was cancelled
)

// Usage counts tokens.
type Usage struct {
	PromptTokens     int   `json:"prompt_tokens"`     // tokens prefilled (a shared prefix counted once)
	CompletionTokens int   `json:"completion_tokens"` // tokens generated
	ContextTokens    []int `json:"context_tokens"`    // prompt length of each context used: base first (if used), then preferences
	SharedPrefix     int   `json:"shared_prefix"`     // tokens prefilled once and shared between contexts
	Contexts         int   `json:"contexts"`          // rows per decode step
}

// Timings measures the request.
type Timings struct {
	PrefillSeconds      float64 `json:"prefill_s"`
	DecodeSeconds       float64 `json:"decode_s"`
	PrefillTokensPerSec float64 `json:"prefill_tokens_per_s"`
	DecodeTokensPerSec  float64 `json:"decode_tokens_per_s"`
}

// Result is the outcome of Generate.
type Result struct {
	Tokens       []int32 `json:"tokens"`
	Text         string  `json:"text"`
	FinishReason string  `json:"finish_reason"`
	Method       Method  `json:"method"` // the method used (Request.Method, or its default)
	K            float64 `json:"k"`      // the realignment coefficient used
	Usage        Usage   `json:"usage"`
	Timings      Timings `json:"timings"`
}

// Logprob is a token with its log-probability (see Request.Logprobs).
type Logprob = sample.Logprob
