// Package chat renders a conversation into the prompt text a chat model was trained on, the way
// the model's own chat template (the GGUF key tokenizer.chat_template) does.
//
// # Native renderers, not a Jinja engine
//
// Chat templates are Jinja programs written for Python's jinja2. Running them faithfully needs a
// large part of Jinja and of Python with it: string methods (strip, title), filters (trim, tojson),
// undefined values, Python truthiness and comparison rules, loop variables, namespaces, macros, and
// the trim_blocks/lstrip_blocks whitespace rules the templates are written for. A "small subset"
// engine either grows into all of that or renders some real template slightly wrong, and such
// errors are silent: the model just answers worse.
//
// The templates that matter are few and well known, so this package instead has one short Go
// renderer per template family, chosen from the template text by fingerprint (substrings that
// only that family's template contains). The renderers are plain string building: fast, easy to
// read next to the template they mirror, and easy to fuzz. Their exactness is not assumed: the
// tests compare every renderer byte for byte with the real template rendered by Python's jinja2
// (testdata/render_golden.py writes the golden files) on conversations that exercise each
// template's quirks: default system prompts, stripping, role alternation errors, empty and
// Unicode content. A template that no fingerprint recognizes is an error naming the families;
// the caller can then pick one by name.
//
// # What Render reproduces
//
// Render produces exactly what the real template produces when rendered the way Hugging Face
// transformers and llama.cpp render it (jinja2 with trim_blocks and lstrip_blocks). Where the
// template raises an exception (for example Mistral and Gemma templates on roles that do not
// alternate user/assistant), Render returns an error. For templates that ignore or reject a
// leading system message (Gemma 2, Mistral v0.1, Mixtral, the first Phi-3 mini/medium), Render
// first merges that message into the next one as "system\nnext", as llama.cpp does before
// rendering, so a system prompt is not lost. Roles other than system, user and assistant are
// rejected.
//
// # Families
//
//	chatml             plain ChatML (OpenHermes and other ChatML fine-tunes)
//	qwen2              Qwen2 instruct: ChatML, default system "You are a helpful assistant"
//	qwen2.5            Qwen2.5 instruct: ChatML, default system "You are Qwen, created by Alibaba Cloud. ..."
//	smollm2            SmolLM2 instruct: ChatML, default system "You are a helpful AI assistant named SmolLM, ..."
//	llama3             Llama 3 (8B/70B Instruct)
//	llama3.1           Llama 3.1 and 3.3: system header with "Today Date: 26 Jul 2024" (see Options.Date)
//	llama3.2           Llama 3.2: the same with the current date
//	llama2             Llama 2 chat: <<SYS>> inside the first [INST]
//	mistral-v0.1       Mistral-7B-Instruct-v0.1
//	mixtral            Mixtral-8x7B-Instruct-v0.1 and the first Mistral-7B-Instruct-v0.2 template
//	mistral-v1         Mistral-7B-Instruct-v0.2 (system before the first user message)
//	mistral-v3         Mistral "v3" template of Mistral-Large-Instruct-2407 (system before the last user message)
//	mistral-v3-tekken  Mistral-Nemo-Instruct-2407
//	zephyr             Zephyr 7B beta, TinyLlama-1.1B-Chat
//	phi3.5             Phi-3.5-mini-instruct
//	phi3-mini          the first Phi-3-mini template (user and assistant only)
//	phi3-medium        Phi-3-medium
//	phi3-small         Phi-3-small
//	phi3-vision        Phi-3-vision
//	gemma2             Gemma 2 (and Gemma 1 templates that start with BOS): "model" role, no system role
package chat

import (
	"errors"
	"fmt"
	"strings"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Options are the inputs a chat template takes besides the messages.
type Options struct {
	// AddGenerationPrompt ends the prompt with the header of an assistant turn, so the model
	// writes the answer next.
	AddGenerationPrompt bool
	// BOSToken and EOSToken are the text of the vocabulary's beginning- and end-of-sequence
	// tokens (for example "<s>" and "</s>"); templates insert them as text.
	BOSToken, EOSToken string
	// Date is the "Today Date" the Llama 3.1/3.2/3.3 templates write into the system header, in
	// the template's format "02 Jan 2006" (for example "26 Jul 2024"). Empty means the
	// template's own default: "26 Jul 2024" for Llama 3.1 and 3.3, and the current local date for
	// Llama 3.2. Other families ignore it.
	Date string
}

// Template renders conversations for one chat template family.
type Template struct {
	Name string // family name, as accepted by ByName

	render func(b *strings.Builder, msgs []Message, opts Options) error
	// noSystem: the template ignores or rejects a leading system message, so Render merges it
	// into the next message first, as llama.cpp does.
	noSystem bool
}

// ErrUnknownTemplate is wrapped by the errors of ByName and Detect when no family matches.
var ErrUnknownTemplate = errors.New("chat: unknown chat template")

// Names returns the names of every built-in template family, in a fixed order.
func Names() []string {
	names := make([]string, len(families))
	for i, f := range families {
		names[i] = f.Name
	}
	return names
}

// ByName returns the built-in template family with the given name (see Names).
func ByName(name string) (*Template, error) {
	for i := range families {
		if families[i].Name == name {
			t := families[i]
			return &t, nil
		}
	}
	return nil, fmt.Errorf("%w %q; known names: %s", ErrUnknownTemplate, name, strings.Join(Names(), ", "))
}

// Render renders msgs with the template. It returns an error, and no text, where the real
// template raises an exception, and for roles other than system, user and assistant.
func (t *Template) Render(msgs []Message, opts Options) (string, error) {
	if t == nil || t.render == nil {
		return "", errors.New("chat: Render on a Template not made by ByName or Detect")
	}
	for i, m := range msgs {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return "", fmt.Errorf("chat: %s: message %d has role %q; supported roles are system, user and assistant", t.Name, i, m.Role)
		}
	}
	if t.noSystem {
		msgs = mergeSystem(msgs)
	}
	var b strings.Builder
	if err := t.render(&b, msgs, opts); err != nil {
		return "", fmt.Errorf("chat: %s: %w", t.Name, err)
	}
	return b.String(), nil
}

// mergeSystem folds a leading system message into the next message ("system\nnext"), or drops it
// when it is the only one: llama.cpp's workaround for templates without a system role
// (common/chat.cpp, system_message_not_supported). msgs is not modified.
func mergeSystem(msgs []Message) []Message {
	if len(msgs) == 0 || msgs[0].Role != "system" {
		return msgs
	}
	if len(msgs) == 1 {
		return nil
	}
	out := make([]Message, len(msgs)-1)
	copy(out, msgs[1:])
	out[0].Content = msgs[0].Content + "\n" + msgs[1].Content
	return out
}

// errAlternate is the exception most templates raise when roles do not alternate.
var errAlternate = errors.New("conversation roles must alternate user/assistant/user/assistant")

// checkAlternation mirrors the templates' test
// (message['role'] == 'user') != (loop.index0 % 2 == 0).
func checkAlternation(msgs []Message, err error) error {
	for i, m := range msgs {
		if (m.Role == "user") != (i%2 == 0) {
			return fmt.Errorf("message %d (%s): %w", i, m.Role, err)
		}
	}
	return nil
}

// splitSystem separates a leading system message from the rest of the conversation.
func splitSystem(msgs []Message) (system string, hasSystem bool, rest []Message) {
	if len(msgs) > 0 && msgs[0].Role == "system" {
		return msgs[0].Content, true, msgs[1:]
	}
	return "", false, msgs
}

// errNoMessages is what templates that read messages[0] raise (jinja2's UndefinedError) on an
// empty conversation.
var errNoMessages = errors.New("the template needs at least one message")

// pyStrip removes leading and trailing whitespace as Python's str.strip() and Jinja's trim filter
// do: every character for which str.isspace() is true. That is Go's unicode.IsSpace plus the
// ASCII separators U+001C..U+001F.
func pyStrip(s string) string {
	return strings.TrimFunc(s, pyIsSpace)
}

func pyIsSpace(r rune) bool {
	switch {
	case r >= '\t' && r <= '\r', r == ' ', r >= 0x1c && r <= 0x1f, r == 0x85, r == 0xa0:
		return true
	case r < 0x1680:
		return false
	}
	return r == 0x1680 || (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 ||
		r == 0x202f || r == 0x205f || r == 0x3000
}
