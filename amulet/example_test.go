package amulet_test

import (
	"context"
	"fmt"
	"os"

	"github.com/amulet-llm/amulet/amulet"
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
