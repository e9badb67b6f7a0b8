package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// families is the fixed table of built-in template families, in Names order. It is never
// modified; ByName and Detect return copies.
var families = []Template{
	{Name: "chatml", render: renderChatML("")},
	{Name: "qwen2", render: renderChatML("You are a helpful assistant")},
	{Name: "qwen2.5", render: renderQwen25},
	{Name: "smollm2", render: renderChatML("You are a helpful AI assistant named SmolLM, trained by Hugging Face")},
	{Name: "llama3", render: renderLlama3},
	{Name: "llama3.1", render: renderLlama31(func() string { return "26 Jul 2024" })},
	{Name: "llama3.2", render: renderLlama31(func() string { return time.Now().Format("02 Jan 2006") })},
	{Name: "llama2", render: renderLlama2},
	{Name: "mistral-v0.1", render: renderMistralLegacy(" "), noSystem: true},
	{Name: "mixtral", render: renderMistralLegacy(""), noSystem: true},
	{Name: "mistral-v1", render: renderMistralV1},
	{Name: "mistral-v3", render: renderMistralV3(false)},
	{Name: "mistral-v3-tekken", render: renderMistralV3(true)},
	{Name: "zephyr", render: renderZephyr},
	{Name: "phi3.5", render: renderPhi35},
	{Name: "phi3-mini", render: renderPhi3Legacy(true), noSystem: true},
	{Name: "phi3-medium", render: renderPhi3Legacy(false), noSystem: true},
	{Name: "phi3-small", render: renderPhi3Roles(true)},
	{Name: "phi3-vision", render: renderPhi3Roles(false)},
	{Name: "gemma2", render: renderGemma2, noSystem: true},
}

// ChatML: Qwen2, SmolLM2, OpenHermes and many others. defaultSystem, when not empty, is the
// system turn the template writes when the conversation does not start with one.
func renderChatML(defaultSystem string) func(*strings.Builder, []Message, Options) error {
	return func(b *strings.Builder, msgs []Message, o Options) error {
		for i, m := range msgs {
			if i == 0 && defaultSystem != "" && m.Role != "system" {
				b.WriteString("<|im_start|>system\n" + defaultSystem + "<|im_end|>\n")
			}
			b.WriteString("<|im_start|>" + m.Role + "\n" + m.Content + "<|im_end|>\n")
		}
		if o.AddGenerationPrompt {
			b.WriteString("<|im_start|>assistant\n")
		}
		return nil
	}
}

// Qwen2.5 (Qwen/Qwen2.5-7B-Instruct, without tools): ChatML that always has a system turn, with
// Qwen's default text when the conversation has none; an empty conversation is an error.
func renderQwen25(b *strings.Builder, msgs []Message, o Options) error {
	if len(msgs) == 0 {
		return errNoMessages
	}
	return renderChatML("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")(b, msgs, o)
}

func writeLlama3Turn(b *strings.Builder, role, content string) {
	b.WriteString("<|start_header_id|>" + role + "<|end_header_id|>\n\n" + pyStrip(content) + "<|eot_id|>")
}

// Llama 3 (meta-llama/Meta-Llama-3-8B-Instruct): BOS before the first turn only, content trimmed.
func renderLlama3(b *strings.Builder, msgs []Message, o Options) error {
	for i, m := range msgs {
		if i == 0 {
			b.WriteString(o.BOSToken)
		}
		writeLlama3Turn(b, m.Role, m.Content)
	}
	if o.AddGenerationPrompt {
		b.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
	}
	return nil
}

// Llama 3.1, 3.2 and 3.3 (without tools): BOS, then always a system turn carrying the knowledge
// cutoff and today's date, with the conversation's system message (trimmed) after them.
func renderLlama31(defaultDate func() string) func(*strings.Builder, []Message, Options) error {
	return func(b *strings.Builder, msgs []Message, o Options) error {
		if len(msgs) == 0 {
			return errNoMessages
		}
		date := o.Date
		if date == "" {
			date = defaultDate()
		}
		system := ""
		if msgs[0].Role == "system" {
			system = pyStrip(msgs[0].Content)
			msgs = msgs[1:]
		}
		b.WriteString(o.BOSToken)
		b.WriteString("<|start_header_id|>system<|end_header_id|>\n\n")
		b.WriteString("Cutting Knowledge Date: December 2023\nToday Date: " + date + "\n\n")
		b.WriteString(system + "<|eot_id|>")
		for _, m := range msgs {
			writeLlama3Turn(b, m.Role, m.Content)
		}
		if o.AddGenerationPrompt {
			b.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
		}
		return nil
	}
}

// Llama 2 chat (meta-llama/Llama-2-7b-chat-hf): the system message goes inside the first user
// turn between <<SYS>> markers; every user turn starts with BOS; turns are stripped; there is no
// generation prompt (a prompt ending in [/INST] already asks for the answer).
func renderLlama2(b *strings.Builder, msgs []Message, o Options) error {
	if len(msgs) == 0 {
		return errNoMessages
	}
	system, hasSystem, msgs := splitSystem(msgs)
	if err := checkAlternation(msgs, errAlternate); err != nil {
		return err
	}
	for i, m := range msgs {
		content := m.Content
		if i == 0 && hasSystem {
			content = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + content
		}
		switch m.Role {
		case "user":
			b.WriteString(o.BOSToken + "[INST] " + pyStrip(content) + " [/INST]")
		case "assistant":
			b.WriteString(" " + pyStrip(content) + " " + o.EOSToken)
		}
	}
	return nil
}

var errMistralRoles = errors.New("only user and assistant roles are supported")

// Mistral-7B-Instruct-v0.1 (afterEOS " ") and Mixtral-8x7B-Instruct-v0.1 / the first
// Mistral-7B-Instruct-v0.2 template (afterEOS ""): no system role, strict alternation.
func renderMistralLegacy(afterEOS string) func(*strings.Builder, []Message, Options) error {
	return func(b *strings.Builder, msgs []Message, o Options) error {
		b.WriteString(o.BOSToken)
		for i, m := range msgs {
			if (m.Role == "user") != (i%2 == 0) {
				return fmt.Errorf("message %d (%s): %w", i, m.Role, errAlternate)
			}
			switch m.Role {
			case "user":
				b.WriteString("[INST] " + m.Content + " [/INST]")
			case "assistant":
				b.WriteString(m.Content + o.EOSToken + afterEOS)
			default:
				return errMistralRoles
			}
		}
		return nil
	}
}

var (
	errMistralAlternate = errors.New("after the optional system message, conversation roles must alternate user/assistant/user/assistant")
	errMistralSystem    = errors.New("only user and assistant roles are supported, with the exception of an initial optional system message")
)

// Mistral-7B-Instruct-v0.2 (mistral "v1" tokenizer): the system message is put before the first
// user message, with " [INST] " and " [/INST]" spaced on both sides.
func renderMistralV1(b *strings.Builder, msgs []Message, o Options) error {
	if len(msgs) == 0 {
		return errNoMessages
	}
	system, hasSystem, msgs := splitSystem(msgs)
	b.WriteString(o.BOSToken)
	for i, m := range msgs {
		if (m.Role == "user") != (i%2 == 0) {
			return errMistralAlternate
		}
		switch m.Role {
		case "user":
			if i == 0 && hasSystem {
				b.WriteString(" [INST] " + system + "\n\n" + m.Content + " [/INST]")
			} else {
				b.WriteString(" [INST] " + m.Content + " [/INST]")
			}
		case "assistant":
			b.WriteString(" " + m.Content + o.EOSToken)
		default:
			return errMistralSystem
		}
	}
	return nil
}

// Mistral "v3" (Mistral-7B-Instruct-v0.3, Mistral-Large-Instruct-2407) and "v3-tekken"
// (Mistral-Nemo-Instruct-2407), without tools: the system message goes before the LAST user
// message, and only when the conversation ends with a user message.
func renderMistralV3(tekken bool) func(*strings.Builder, []Message, Options) error {
	inst, answer := "[INST] ", func(s string) string { return " " + pyStrip(s) }
	if tekken {
		inst, answer = "[INST]", func(s string) string { return s }
	}
	return func(b *strings.Builder, msgs []Message, o Options) error {
		if len(msgs) == 0 {
			return errNoMessages
		}
		system, hasSystem, msgs := splitSystem(msgs)
		if err := checkAlternation(msgs, errMistralAlternate); err != nil {
			return err
		}
		b.WriteString(o.BOSToken)
		for i, m := range msgs {
			switch m.Role {
			case "user":
				if i == len(msgs)-1 && hasSystem {
					b.WriteString(inst + system + "\n\n" + m.Content + "[/INST]")
				} else {
					b.WriteString(inst + m.Content + "[/INST]")
				}
			case "assistant":
				b.WriteString(answer(m.Content) + o.EOSToken)
			default:
				return errMistralSystem
			}
		}
		return nil
	}
}

// Zephyr (HuggingFaceH4/zephyr-7b-beta, TinyLlama/TinyLlama-1.1B-Chat-v1.0): <|role|> headers,
// every turn ends with EOS and a newline.
func renderZephyr(b *strings.Builder, msgs []Message, o Options) error {
	for i, m := range msgs {
		b.WriteString("<|" + m.Role + "|>\n" + m.Content + o.EOSToken + "\n")
		if i == len(msgs)-1 && o.AddGenerationPrompt {
			b.WriteString("<|assistant|>\n")
		}
	}
	return nil
}

// Phi-3.5 (microsoft/Phi-3.5-mini-instruct): an empty system message is left out; without a
// generation prompt the text ends with EOS.
func renderPhi35(b *strings.Builder, msgs []Message, o Options) error {
	for _, m := range msgs {
		if m.Role == "system" && m.Content == "" {
			continue
		}
		b.WriteString("<|" + m.Role + "|>\n" + m.Content + "<|end|>\n")
	}
	if o.AddGenerationPrompt {
		b.WriteString("<|assistant|>\n")
	} else {
		b.WriteString(o.EOSToken)
	}
	return nil
}

// The first Phi-3 mini (bos true) and Phi-3 medium (bos false) templates: user and assistant
// only, and every user turn is followed by the assistant header whatever AddGenerationPrompt is.
func renderPhi3Legacy(bos bool) func(*strings.Builder, []Message, Options) error {
	return func(b *strings.Builder, msgs []Message, o Options) error {
		if bos {
			b.WriteString(o.BOSToken)
		}
		for _, m := range msgs {
			switch m.Role {
			case "user":
				b.WriteString("<|user|>\n" + m.Content + "<|end|>\n<|assistant|>\n")
			case "assistant":
				b.WriteString(m.Content + "<|end|>\n")
			}
		}
		return nil
	}
}

// Phi-3 small (small true: BOS first, EOS when there is no generation prompt) and Phi-3 vision
// (no generation prompt after an assistant turn).
func renderPhi3Roles(small bool) func(*strings.Builder, []Message, Options) error {
	return func(b *strings.Builder, msgs []Message, o Options) error {
		if small {
			b.WriteString(o.BOSToken)
		}
		for _, m := range msgs {
			b.WriteString("<|" + m.Role + "|>\n" + m.Content + "<|end|>\n")
		}
		switch {
		case small && o.AddGenerationPrompt:
			b.WriteString("<|assistant|>\n")
		case small:
			b.WriteString(o.EOSToken)
		case o.AddGenerationPrompt && len(msgs) == 0:
			return errNoMessages
		case o.AddGenerationPrompt && msgs[len(msgs)-1].Role != "assistant":
			b.WriteString("<|assistant|>\n")
		}
		return nil
	}
}

var errGemmaSystem = errors.New("system role not supported")

// Gemma 2 (google/gemma-2-2b-it): "model" instead of "assistant", content trimmed, strict
// alternation, no system role (Render merges a leading system message into the first turn).
func renderGemma2(b *strings.Builder, msgs []Message, o Options) error {
	if len(msgs) == 0 {
		return errNoMessages
	}
	if msgs[0].Role == "system" {
		return errGemmaSystem
	}
	if err := checkAlternation(msgs, errAlternate); err != nil {
		return err
	}
	b.WriteString(o.BOSToken)
	for _, m := range msgs {
		role := m.Role
		if role == "assistant" {
			role = "model"
		}
		b.WriteString("<start_of_turn>" + role + "\n" + pyStrip(m.Content) + "<end_of_turn>\n")
	}
	if o.AddGenerationPrompt {
		b.WriteString("<start_of_turn>model\n")
	}
	return nil
}
