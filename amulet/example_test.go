package amulet_test

import (
	"context"
	"fmt"
	"os"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/amulet/sample"
)

// Realigned generation in raw mode on a base model: the preference context adds a sentence,
// and Amulet pushes the continuation towards it. Tokens stream through the callback.
func ExampleEngine_Generate() {
	eng, err := amulet.Open("../../shared/models/stories260k-f32.gguf", amulet.Options{Threads: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer eng.Close()
	base := "Once upon a time, there was a little girl named Lily."
	req := amulet.Request{
		BaseContext: base,
		Preferences: []amulet.Preference{{Context: base + " She had a big red ball."}},
		Method:      amulet.MethodAmulet, // k = 4.6487 from the paper's defaults
		MaxTokens:   12,
		Sampling:    sample.Params{Temperature: 0}, // greedy
	}
	res, err := eng.Generate(context.Background(), req, func(t amulet.Token) error {
		fmt.Print(t.Text) // streamed as chosen
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("\n%d tokens, finish %s, %d contexts in one batch\n", len(res.Tokens), res.FinishReason, res.Usage.Contexts)
}

// A chat request as a server would decode it from JSON: two weighted preferences, one of them
// pushed away from.
func ExampleRequest() {
	req := amulet.Request{
		System:   "You are a helpful assistant.",
		Messages: []amulet.Message{{Role: "user", Content: "How do plants grow?"}},
		Preferences: []amulet.Preference{
			{Text: "concise", Weight: 1},
			{Text: "formal", Weight: -0.5}, // avoid formal language
		},
		Method:    amulet.MethodAmulet,
		Sampling:  sample.Params{Temperature: 0.7, TopP: 0.9},
		Seed:      42,
		MaxTokens: 200,
	}
	fmt.Println(req.Preferences[0].Text, "->", amulet.PreferenceSentence(req.Preferences[0].Text))
	// Output: concise -> Keep the answer short: say only what is needed, in as few words as possible.
}

// The token lists a request's contexts start from, as Generate frames them: here the embedded
// demo model's chat template with the base system prompt, and the same with the preference
// sentence added.
func ExampleEngine_ContextTokens() {
	eng, err := demo.Open(amulet.Options{Threads: 1})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	defer eng.Close()
	req := amulet.Request{
		System:      "Answer the question.",
		Messages:    []amulet.Message{{Role: "user", Content: "How do I keep a plant alive?"}},
		Preferences: []amulet.Preference{{Text: "Be brief."}},
	}
	base, prefs, err := eng.ContextTokens(req)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	fmt.Printf("base:       %q\n", eng.Tokenizer().Decode(base, false))
	fmt.Printf("preference: %q\n", eng.Tokenizer().Decode(prefs[0], false))
	// Output:
	// base:       "<s><|im_start|> system\nAnswer the question.<|im_end|> \n<|im_start|> user\nHow do I keep a plant alive?<|im_end|> \n<|im_start|> assistant\n"
	// preference: "<s><|im_start|> system\nAnswer the question. Be brief.<|im_end|> \n<|im_start|> user\nHow do I keep a plant alive?<|im_end|> \n<|im_start|> assistant\n"
}
