package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/internal/sharedtest"
)

func runCLI(stdin string, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, streams{strings.NewReader(stdin), &out, &errOut})
	return code, out.String(), errOut.String()
}

type refGreedy struct {
	Greedy struct {
		Tokens []int32 `json:"tokens"`
	} `json:"greedy"`
}

// `run -p TEXT -n N --temp 0` on stories260K continues the story exactly as llama.cpp does.
func TestRunPlainCompletionMatchesReference(t *testing.T) {
	shared := sharedtest.Dir(t)
	var ref refGreedy
	data, err := os.ReadFile(filepath.Join(shared, "reference", "stories260k-f32__once-upon-a-time.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	code, out, errOut := runCLI("", "run", "-m", model, "-p", "Once upon a time", "-n", "64", "--temp", "0", "--ignore-eos", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got genJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if !slices.Equal(got.Tokens, ref.Greedy.Tokens) {
		t.Fatalf("tokens %v\nwant   %v", got.Tokens, ref.Greedy.Tokens)
	}
	if got.Timings.DecodeTokensPerSec <= 0 || got.Usage.CompletionTokens != 64 {
		t.Fatalf("timings %+v usage %+v", got.Timings, got.Usage)
	}
	// Streaming prints the same text.
	code, stream, errOut := runCLI("", "run", "-m", model, "-p", "Once upon a time", "-n", "64", "--temp", "0", "--ignore-eos")
	if code != 0 || stream != got.Text+"\n" {
		t.Fatalf("exit %d (%s): streamed %q, json text %q", code, errOut, stream, got.Text)
	}
}

// Raw realignment through the CLI reproduces the reference case lily-red-ball.
func TestRunRawRealignMatchesReference(t *testing.T) {
	shared := sharedtest.Dir(t)
	var ref struct {
		Cases []struct {
			Name   string  `json:"name"`
			Tokens []int32 `json:"tokens"`
		} `json:"cases"`
	}
	data, err := os.ReadFile(filepath.Join(shared, "reference", "amulet-stories260k.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	base := "Once upon a time, there was a little girl named Lily."
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"lily-red-ball", nil},
		{"lily-red-ball-k2", []string{"--k", "2"}},
		{"lily-red-ball-k0", []string{"--k", "0"}},
		{"lily-red-ball-k2", []string{"--k", "1", "--weight", "1.5"}}, // (1+1)*1.5 = 1+2: the same z
	} {
		var want []int32
		for _, rc := range ref.Cases {
			if rc.Name == c.name {
				want = rc.Tokens
			}
		}
		args := append([]string{"run", "-m", model, "--raw", "--base-context", base,
			"--pref-context", base + " She had a big red ball.", "-n", "40", "--temp", "0", "--json"}, c.extra...)
		code, out, errOut := runCLI("", args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.name, code, errOut)
		}
		var got genJSON
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Tokens, want) {
			t.Errorf("%s: tokens %v\nwant %v", c.name, got.Tokens, want)
		}
	}
}

// Same seed and flags: byte-identical output.
func TestRunDeterministic(t *testing.T) {
	shared := sharedtest.Dir(t)
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	args := []string{"run", "-m", model, "--raw", "--base-context", "Tom had a dog.", "--pref-context",
		"Tom had a dog. The dog loved to sing.", "-n", "60", "--temp", "1", "--seed", "11", "-t", "2", "--json"}
	_, a, _ := runCLI("", args...)
	_, b, _ := runCLI("", args...)
	var ja, jb genJSON
	if err := json.Unmarshal([]byte(a), &ja); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal([]byte(b), &jb)
	if ja.Text != jb.Text || !slices.Equal(ja.Tokens, jb.Tokens) {
		t.Fatalf("two runs differ:\n%s\n%s", a, b)
	}
	// A different seed gives a different sample (sanity check that the seed is used).
	args[len(args)-4] = "12"
	_, c, _ := runCLI("", args...)
	var jc genJSON
	json.Unmarshal([]byte(c), &jc)
	if slices.Equal(ja.Tokens, jc.Tokens) {
		t.Fatal("seeds 11 and 12 gave the same 60 tokens")
	}
}

func TestRunCompare(t *testing.T) {
	shared := sharedtest.Dir(t)
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	code, out, errOut := runCLI("", "run", "-m", model, "--raw", "--base-context", "Tom had a dog.",
		"--pref-context", "Tom had a dog. The dog loved to sing.", "-n", "20", "--temp", "0", "--compare=base,pref,amulet,la,cfg")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, m := range []string{"=== base", "=== pref", "=== amulet (k=4.649)", "=== la", "=== cfg"} {
		if !strings.Contains(out, m) {
			t.Errorf("output lacks %q:\n%s", m, out)
		}
	}
}

// TestRunDemoDefault checks the README's first command: with no -m the embedded demo model
// answers, the concise preference gives one short sentence (the demo's exact "concise" style),
// and the same flags give the same bytes.
func TestRunDemoDefault(t *testing.T) {
	args := []string{"run", "-p", "How do I keep a plant alive?", "--preference", "concise"}
	code, out, errOut := runCLI("", args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := demo.Classify(out); got != demo.Concise {
		t.Errorf("answer %q classified as %v, want concise", out, got)
	}
	_, again, _ := runCLI("", args...)
	if again != out {
		t.Errorf("same flags, different output:\n%q\n%q", out, again)
	}
}

func TestRunBadFlags(t *testing.T) {
	shared := sharedtest.Dir(t)
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-m", model, "-p", "x", "-n", "-5"}, "-n -5"},
		{[]string{"-m", model, "-p", "x", "--temp", "-1"}, "--temp"},
		{[]string{"-m", model, "-p", "x", "--method", "magic"}, "unknown method"},
		{[]string{"-m", model, "-p", "x", "--preference", "concise", "--k", "NaN"}, "--k"},
		{[]string{"-m", model, "-p", "x", "--top-p", "2"}, "--top-p"},
		{[]string{"-m", model, "-p", "x", "--method", "amulet"}, "needs at least one preference"},
		{[]string{"-m", model, "--base-context", "x"}, "--raw"},
		{[]string{"-m", model}, "-p is required"},
		{[]string{}, "-p is required"},
		{[]string{"-m", model, "-p", "x", "--weight", "2"}, "--weight"},
		{[]string{"-m", model, "--raw", "--base-context", "a", "--pref-context", "b", "--weight", "1", "--weight", "2"}, "--weight"},
		{[]string{"-m", "/nonexistent.gguf", "-p", "x"}, "nonexistent"},
		{[]string{"-p", "x", "-n", "-1"}, "-n"}, // no -m: the embedded demo model, same checks
	} {
		code, _, errOut := runCLI("", append([]string{"run"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("run %q: exit %d, stderr %q (want it to mention %q)", c.args, code, errOut, c.want)
		}
	}
}

func TestChat(t *testing.T) {
	shared := sharedtest.Dir(t)
	model := filepath.Join(shared, "models", "stories260k-f32.gguf")
	script := "/help\n/preference She had a red ball.\n/preference +\n/method pref\nTell me a story.\n/method bogus\n/reset\n/preference none\nHi\n/quit\nnever read\n"
	code, out, errOut := runCLI(script, "chat", "-m", model, "-n", "10", "--temp", "0")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"/preference TEXT", "preferences: \"She had a red ball.\"", "method: pref", "error: unknown method", "conversation cleared", "error: /preference +TEXT: the text is missing"} {
		if !strings.Contains(out, want) {
			t.Errorf("chat output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(errOut, "tokens in") != 2 {
		t.Errorf("want two answers' timings on stderr, got:\n%s", errOut)
	}
}

// Ctrl-C (a cancelled context) ends the chat while it waits for input that never comes.
func TestChatCancelWhileWaitingForInput(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runChat(ctx, []string{"-n", "4"}, streams{pr, io.Discard, io.Discard}) }()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second): // a hang guard, not a timing
		t.Fatal("chat still waiting for input after its context was cancelled")
	}
}
