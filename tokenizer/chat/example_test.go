package chat_test

import (
	"fmt"

	"github.com/amulet-llm/amulet/tokenizer/chat"
)

// Detect picks the renderer from the template text a GGUF file holds in tokenizer.chat_template.
func ExampleDetect() {
	source := "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}" +
		"{{ '<|im_start|>system\\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\\n' }}{% endif %}" +
		"{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}" +
		"{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
	tpl, err := chat.Detect(source)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tpl.Name)

	_, err = chat.Detect("{{ messages }}")
	fmt.Println(err != nil)
	// Output:
	// smollm2
	// true
}

// ByName chooses a family explicitly; unknown names are an error that lists the known ones.
func ExampleByName() {
	tpl, err := chat.ByName("llama2")
	fmt.Println(tpl.Name, err)
	_, err = chat.ByName("llama9")
	fmt.Println(err)
	// Output:
	// llama2 <nil>
	// chat: unknown chat template "llama9"; known names: chatml, qwen2, qwen2.5, smollm2, llama3, llama3.1, llama3.2, llama2, mistral-v0.1, mixtral, mistral-v1, mistral-v3, mistral-v3-tekken, zephyr, phi3.5, phi3-mini, phi3-medium, phi3-small, phi3-vision, gemma2
}

func ExampleNames() {
	fmt.Println(len(chat.Names()), chat.Names()[0])
	// Output: 20 chatml
}

// Render writes the prompt; Gemma has no system role, so the system message is merged into the
// first user turn, as llama.cpp does.
func ExampleTemplate_Render() {
	tpl, _ := chat.ByName("gemma2")
	prompt, err := tpl.Render([]chat.Message{
		{Role: "system", Content: "Answer in French."},
		{Role: "user", Content: "Hello!"},
	}, chat.Options{AddGenerationPrompt: true, BOSToken: "<bos>"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(prompt)

	// Roles must alternate, as the template demands.
	_, err = tpl.Render([]chat.Message{{Role: "user", Content: "a"}, {Role: "user", Content: "b"}}, chat.Options{})
	fmt.Println(err)
	// Output:
	// <bos><start_of_turn>user
	// Answer in French.
	// Hello!<end_of_turn>
	// <start_of_turn>model
	// chat: gemma2: message 1 (user): conversation roles must alternate user/assistant/user/assistant
}

// Llama 3.1 and later write today's date into the system header; Options.Date fixes it.
func ExampleTemplate_Render_llama3() {
	tpl, _ := chat.ByName("llama3.2")
	prompt, _ := tpl.Render([]chat.Message{{Role: "user", Content: "Hi"}},
		chat.Options{AddGenerationPrompt: true, BOSToken: "<|begin_of_text|>", Date: "26 Nov 2026"})
	fmt.Printf("%q\n", prompt)
	// Output:
	// "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Nov 2026\n\n<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
}
