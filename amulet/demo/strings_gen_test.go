package demo

import (
	"encoding/json"
	"os"
	"testing"
)

func TestWriteTokenizeStrings(t *testing.T) {
	if os.Getenv("DEMO_WRITE_STRINGS") == "" {
		t.Skip("set DEMO_WRITE_STRINGS=1 to rewrite testdata/tokenize-strings.json")
	}
	g := NewGenerator(99)
	var strs []string
	for i := 0; i < 300; i++ {
		s := g.Next()
		strs = append(strs, RenderChatML(s.SystemPrompt(), s.Text, s.Answer))
	}
	strs = append(strs, "Zebra quux!", "  two  spaces\n\n\tand tabs ", "naïve café ☕", "<|im_start|>user\n<|im_end|>", "", "plain text without specials")
	data, _ := json.MarshalIndent(strs, "", " ")
	if err := os.WriteFile("testdata/tokenize-strings.json", data, 0o644); err != nil {
		t.Fatal(err)
	}
}
