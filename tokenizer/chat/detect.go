package chat

import (
	"fmt"
	"strings"
)

// fingerprint recognizes one family's template text: every string in all must occur in it and
// none in none. The strings are whole statements of the real template, so a look-alike template
// that would render differently (another default system prompt, other spacing around [INST],
// extra roles) does not match.
type fingerprint struct {
	name      string
	all, none []string
}

// Fingerprints are written on the normalized source (see normalize): single quotes only, and
// "\n" escapes inside string literals written as real newlines.
var fingerprints = []fingerprint{
	{name: "qwen2.5", all: []string{
		"You are Qwen, created by Alibaba Cloud. You are a helpful assistant.",
		"(message.role == 'user') or (message.role == 'system' and not loop.first) or (message.role == 'assistant' and not message.tool_calls)",
		"{{- '<|im_start|>' + message.role + '\n' + message.content + '<|im_end|>' + '\n' }}",
	}},
	{name: "smollm2", all: []string{
		"{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}{% endif %}",
		chatMLLoop,
	}},
	{name: "qwen2", all: []string{
		"{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}{% endif %}",
		chatMLLoop,
	}},
	{name: "chatml", all: []string{
		"{% for message in messages %}" + chatMLLoop + "{% endfor %}",
		"{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
	}, none: []string{"system", "tool", "bos_token"}},

	{name: "llama3", all: []string{
		"{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
	}, none: []string{"Cutting Knowledge", "tool"}},
	{name: "llama3.2", all: append([]string{
		"{%- set date_string = strftime_now('%d %b %Y') %}",
	}, llama31Body...)},
	{name: "llama3.1", all: append([]string{
		"{%- set date_string = '26 Jul 2024' %}",
	}, llama31Body...), none: []string{"strftime_now"}},

	{name: "llama2", all: []string{
		"{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}",
		"{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}",
		"{% set content = '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' + message['content'] %}",
		"{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
	}},
	{name: "mistral-v0.1", all: append([]string{
		"{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token + ' ' }}",
	}, mistralLegacyBody...), none: []string{"system_message"}},
	{name: "mixtral", all: append([]string{
		"{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}",
	}, mistralLegacyBody...), none: []string{"system_message"}},
	{name: "mistral-v1", all: []string{
		"{%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}",
		"{%- if loop.first and system_message is defined %}\n            {{- ' [INST] ' + system_message + '\n\n' + message['content'] + ' [/INST]' }}",
		"{{- ' [INST] ' + message['content'] + ' [/INST]' }}",
		"{%- elif message['role'] == 'assistant' %}\n        {{- ' ' + message['content'] + eos_token}}",
	}},
	{name: "mistral-v3", all: append([]string{
		"{{- '[INST] ' + system_message + '\n\n' + message['content'] + '[/INST]' }}",
		"{{- '[INST] ' + message['content'] + '[/INST]' }}",
		"{%- elif message['role'] == 'assistant' %}\n        {{- ' ' + message['content']|trim + eos_token}}",
	}, mistralV3Body...), none: []string{"[SYSTEM_PROMPT]"}},
	{name: "mistral-v3-tekken", all: append([]string{
		"{{- '[INST]' + system_message + '\n\n' + message['content'] + '[/INST]' }}",
		"{{- '[INST]' + message['content'] + '[/INST]' }}",
		"{%- elif message['role'] == 'assistant' %}\n        {{- message['content'] + eos_token}}",
	}, mistralV3Body...), none: []string{"[SYSTEM_PROMPT]"}},

	{name: "zephyr", all: []string{
		"{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n" +
			"{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n" +
			"{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n" +
			"{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
	}},
	{name: "phi3.5", all: []string{
		"{% for message in messages %}{% if message['role'] == 'system' and message['content'] %}{{'<|system|>\n' + message['content'] + '<|end|>\n'}}" +
			"{% elif message['role'] == 'user' %}{{'<|user|>\n' + message['content'] + '<|end|>\n'}}" +
			"{% elif message['role'] == 'assistant' %}{{'<|assistant|>\n' + message['content'] + '<|end|>\n'}}{% endif %}{% endfor %}" +
			"{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
	}},
	{name: "phi3-mini", all: []string{"{{ bos_token }}" + phi3LegacyBody}},
	{name: "phi3-medium", all: []string{phi3LegacyBody}, none: []string{"bos_token"}},
	{name: "phi3-small", all: []string{
		"{{ bos_token }}{% for message in messages %}" + phi3RolesLoop +
			"{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% else %}{{ eos_token }}{% endif %}",
	}},
	{name: "phi3-vision", all: []string{
		"{% for message in messages %}" + phi3RolesLoop +
			"{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{- '<|assistant|>\n' -}}{% endif %}",
	}, none: []string{"bos_token"}},

	{name: "gemma2", all: []string{
		"{{ bos_token }}{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}",
		"{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}",
		"{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}" +
			"{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}{% endfor %}" +
			"{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}",
	}},
}

const (
	chatMLLoop     = "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
	phi3LegacyBody = "{% for message in messages %}{% if (message['role'] == 'user') %}{{'<|user|>' + '\n' + message['content'] + '<|end|>' + '\n' + '<|assistant|>' + '\n'}}" +
		"{% elif (message['role'] == 'assistant') %}{{message['content'] + '<|end|>' + '\n'}}{% endif %}{% endfor %}"
	phi3RolesLoop = "{{'<|' + message['role'] + '|>' + '\n' + message['content'] + '<|end|>\n' }}{% endfor %}"
)

var (
	llama31Body = []string{
		"{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content']|trim %}\n    {%- set messages = messages[1:] %}\n{%- else %}\n    {%- set system_message = '' %}\n{%- endif %}",
		"{{- 'Cutting Knowledge Date: December 2023\n' }}\n{{- 'Today Date: ' + date_string + '\n\n' }}",
		"{{- system_message }}\n{{- '<|eot_id|>' }}",
		"{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' }}",
		"{%- if add_generation_prompt %}\n    {{- '<|start_header_id|>assistant<|end_header_id|>\n\n' }}\n{%- endif %}",
	}
	mistralLegacyBody = []string{
		"{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}",
		"{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}",
		"{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
	}
	mistralV3Body = []string{
		"{%- if messages[0]['role'] == 'system' %}\n    {%- set system_message = messages[0]['content'] %}\n    {%- set loop_messages = messages[1:] %}",
		"{%- if (message['role'] == 'user') != (ns.index % 2 == 0) %}",
		"{%- if loop.last and system_message is defined %}",
	}
)

// normalize rewrites a template so that fingerprints need not care how its string literals were
// written: double quotes become single quotes, the escape \n becomes a newline, and Windows line
// ends become "\n".
func normalize(src string) string {
	return strings.NewReplacer(`"`, `'`, `\n`, "\n", "\r\n", "\n").Replace(src)
}

// Detect picks the built-in family whose template the GGUF's tokenizer.chat_template text is.
// A template that no family matches exactly is an error that lists the names (and, when the text
// uses a known family's markers, says which family comes closest), so that the caller can choose
// one with ByName.
func Detect(source string) (*Template, error) {
	if strings.TrimSpace(source) == "" {
		return nil, fmt.Errorf("%w: the chat template text is empty; name one of: %s", ErrUnknownTemplate, strings.Join(Names(), ", "))
	}
	src := normalize(source)
	for _, fp := range fingerprints {
		if matches(src, fp) {
			return ByName(fp.name)
		}
	}
	hint := ""
	for _, mk := range markers {
		if strings.Contains(src, mk.marker) {
			hint = fmt.Sprintf(" (it uses %s markers; %q may come close)", mk.marker, mk.name)
			break
		}
	}
	return nil, fmt.Errorf("%w: not one of the built-in templates%s; name one of: %s", ErrUnknownTemplate, hint, strings.Join(Names(), ", "))
}

func matches(src string, fp fingerprint) bool {
	for _, s := range fp.all {
		if !strings.Contains(src, s) {
			return false
		}
	}
	for _, s := range fp.none {
		if strings.Contains(src, s) {
			return false
		}
	}
	return true
}

// markers name the family whose wire format a template uses, for Detect's error message.
var markers = []struct{ marker, name string }{
	{"<|im_start|>", "chatml"},
	{"<|start_header_id|>", "llama3"},
	{"<start_of_turn>", "gemma2"},
	{"<<SYS>>", "llama2"},
}
