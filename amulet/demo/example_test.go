package demo_test

import (
	"context"
	"fmt"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/amulet/demo"
)

func ExampleClassify() {
	for _, a := range []string{
		"Keep naps short.",
		"Here are some tips:\n- Keep naps short.\n- Read a calm book in bed.\n- Keep the bedroom cool and dark.",
		"Great question! Keep naps short and you will feel fantastic! You can do it!",
		"Keep naps short. What time do you usually go to bed?",
	} {
		fmt.Println(demo.Classify(a), demo.WellFormed(a))
	}
	// Output:
	// concise true
	// list true
	// uplifting true
	// question true
}

func ExampleNewGenerator() {
	g := demo.NewGenerator(42)
	s := g.Next()
	fmt.Println(demo.Classify(s.Answer) == s.Style, demo.WellFormed(s.Answer))
	// Output: true true
}

func ExampleParseStyle() {
	s, _ := demo.ParseStyle("detailed")
	fmt.Println(s, "->", demo.PreferenceSentence(s))
	// Output: verbose -> Your answer should be verbose as much as possible.
}

// The embedded demo model answers a question realigned to a stated preference.
func ExampleOpen() {
	eng, err := demo.Open(amulet.Options{Threads: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer eng.Close()
	k := demo.RecommendedK // the strength the eval sweep grounds for this model (eval/README.md)
	res, err := eng.Generate(context.Background(), amulet.Request{
		Messages:    []amulet.Message{{Role: "user", Content: "How do I keep a fern alive?"}},
		System:      demo.SystemPrompt(),
		Preferences: []amulet.Preference{{Text: demo.PreferenceSentence(demo.List)}},
		Method:      amulet.MethodAmulet,
		Params:      amulet.Params{K: &k},
		MaxTokens:   96,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Text)
	fmt.Println(demo.Classify(res.Text), demo.WellFormed(res.Text))
	// Output:
	// Here are some tips:
	// - Wipe the dust off the leaves.
	// - Wipe the dust off the leaves.
	// - Wipe the dust off the leaves.
	// list true
}
