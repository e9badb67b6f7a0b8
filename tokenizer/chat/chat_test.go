package chat

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// goldenFamily is one entry of testdata/golden/families.json, written by render_golden.py.
type goldenFamily struct {
	Name       string `json:"name"`     // Template name
	File       string `json:"template"` // under testdata/templates
	BOS        string `json:"bos_token"`
	EOS        string `json:"eos_token"`
	Date       string `json:"date"`
	SystemRole bool   `json:"system_role"` // llama.cpp's probe: does the template use a leading system message
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestGolden compares Render with the real templates rendered by Python's jinja2, byte for byte,
// for every family, conversation and add_generation_prompt setting. Where jinja2 raised, Render
// must return an error.
func TestGolden(t *testing.T) {
	var fams map[string]goldenFamily
	var convs map[string][]Message
	readJSON(t, "testdata/golden/families.json", &fams)
	readJSON(t, "testdata/golden/conversations.json", &convs)
	if len(fams) == 0 || len(convs) == 0 {
		t.Fatal("no golden data")
	}
	covered := map[string]bool{}
	n := 0
	for id, fam := range fams {
		tpl, err := ByName(fam.Name)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		covered[fam.Name] = true
		if tpl.noSystem == fam.SystemRole {
			t.Errorf("%s: noSystem = %v, but llama.cpp's probe says system_role = %v", id, tpl.noSystem, fam.SystemRole)
		}
		for cname, msgs := range convs {
			for _, gen := range []bool{true, false} {
				suffix := "nogen"
				if gen {
					suffix = "gen"
				}
				base := filepath.Join("testdata", "golden", id+"__"+cname+"__"+suffix)
				opts := Options{AddGenerationPrompt: gen, BOSToken: fam.BOS, EOSToken: fam.EOS, Date: fam.Date}
				got, err := tpl.Render(msgs, opts)
				want, rerr := os.ReadFile(base + ".txt")
				n++
				switch {
				case rerr == nil && err != nil:
					t.Errorf("%s: Render error %v, jinja2 rendered %q", base, err, want)
				case rerr == nil && got != string(want):
					t.Errorf("%s:\n got %q\nwant %q", base, got, want)
				case rerr != nil:
					if _, serr := os.Stat(base + ".error"); serr != nil {
						t.Fatalf("%s: neither .txt nor .error golden file", base)
					}
					if err == nil {
						jerr, _ := os.ReadFile(base + ".error")
						t.Errorf("%s: Render gave %q, jinja2 raised %s", base, got, strings.TrimSpace(string(jerr)))
					} else if got != "" {
						t.Errorf("%s: Render returned text with an error", base)
					}
				}
			}
		}
	}
	for _, name := range Names() {
		if !covered[name] {
			t.Errorf("family %s has no golden renderings", name)
		}
	}
	t.Logf("%d golden renderings compared", n)
}

// TestDetectTemplates checks that Detect maps every real template file to its family.
func TestDetectTemplates(t *testing.T) {
	want := map[string]string{
		"teknium-OpenHermes-2.5-Mistral-7B.jinja":       "chatml",
		"Qwen-Qwen2-7B-Instruct.jinja":                  "qwen2",
		"Qwen-Qwen2.5-7B-Instruct.jinja":                "qwen2.5",
		"HuggingFaceTB-SmolLM2-1.7B-Instruct.jinja":     "smollm2",
		"meta-llama-Meta-Llama-3-8B-Instruct.jinja":     "llama3",
		"meta-llama-Llama-3.1-8B-Instruct.jinja":        "llama3.1",
		"meta-llama-Llama-3.3-70B-Instruct.jinja":       "llama3.1",
		"meta-llama-Llama-3.2-3B-Instruct.jinja":        "llama3.2",
		"meta-llama-Llama-2-7b-chat-hf.jinja":           "llama2",
		"mistralai-Mistral-7B-Instruct-v0.1.jinja":      "mistral-v0.1",
		"mistralai-Mixtral-8x7B-Instruct-v0.1.jinja":    "mixtral",
		"mistralai-Mistral-7B-Instruct-v0.2.jinja":      "mistral-v1",
		"mistralai-Mistral-Large-Instruct-2407.jinja":   "mistral-v3",
		"mistralai-Mistral-Nemo-Instruct-2407.jinja":    "mistral-v3-tekken",
		"TinyLlama-TinyLlama-1.1B-Chat-v1.0.jinja":      "zephyr",
		"microsoft-Phi-3.5-mini-instruct.jinja":         "phi3.5",
		"microsoft-Phi-3-mini-4k-instruct-legacy.jinja": "phi3-mini",
		"microsoft-Phi-3-medium-4k-instruct.jinja":      "phi3-medium",
		"microsoft-Phi-3-small-8k-instruct.jinja":       "phi3-small",
		"microsoft-Phi-3-vision-128k-instruct.jinja":    "phi3-vision",
		"google-gemma-2-2b-it.jinja":                    "gemma2",
	}
	files, err := filepath.Glob("testdata/templates/*.jinja")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	for _, f := range files {
		name, ok := want[filepath.Base(f)]
		if !ok {
			t.Errorf("%s: no expected family in this test", f)
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := Detect(string(src))
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if tpl.Name != name {
			t.Errorf("%s: Detect = %s, want %s", f, tpl.Name, name)
		}
		// A GGUF converted by an older tool may hold the template with "\r\n" line ends.
		if tpl2, err := Detect(strings.ReplaceAll(string(src), "\n", "\r\n")); err != nil || tpl2.Name != name {
			t.Errorf("%s with CRLF: Detect = %v, %v", f, tpl2, err)
		}
	}
	if len(files) != len(want) {
		t.Errorf("%d template files, %d expected", len(files), len(want))
	}
}

// TestDetectGolden checks that each golden family's template detects as that family.
func TestDetectGolden(t *testing.T) {
	var fams map[string]goldenFamily
	readJSON(t, "testdata/golden/families.json", &fams)
	for id, fam := range fams {
		src, err := os.ReadFile(filepath.Join("testdata", "templates", fam.File))
		if err != nil {
			t.Fatal(err)
		}
		tpl, err := Detect(string(src))
		if err != nil || tpl.Name != fam.Name {
			t.Errorf("%s: Detect(%s) = %v, %v; want %s", id, fam.File, tpl, err, fam.Name)
		}
	}
}

func TestDetectErrors(t *testing.T) {
	for _, tc := range []struct{ src, hint string }{
		{"", "empty"},
		{"   \n", "empty"},
		{"{{ messages }}", "name one of"},
		// Qwen1.5's ChatML variant differs from every built-in ChatML template.
		{"{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\\n' + message['content']}}{% if (loop.last and add_generation_prompt) or not loop.last %}{{ '<|im_end|>' + '\\n'}}{% endif %}{% endfor %}{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '<|im_start|>assistant\\n' }}{% endif %}", `"chatml" may come close`},
		// Gemma 1 as llama.cpp's tests hold it: no BOS, so it renders differently from gemma2.
		{"{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}{% else %}{% set role = message['role'] %}{% endif %}{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}", `"gemma2" may come close`},
		{"[SYSTEM_PROMPT] [INST] {{ x }}", "name one of"},
	} {
		tpl, err := Detect(tc.src)
		if err == nil {
			t.Errorf("Detect(%.40q) = %s, want an error", tc.src, tpl.Name)
			continue
		}
		if !errors.Is(err, ErrUnknownTemplate) {
			t.Errorf("Detect(%.40q): error %v does not wrap ErrUnknownTemplate", tc.src, err)
		}
		if !strings.Contains(err.Error(), tc.hint) {
			t.Errorf("Detect(%.40q): error %q lacks %q", tc.src, err, tc.hint)
		}
		if !strings.Contains(err.Error(), strings.Join(Names(), ", ")) {
			t.Errorf("Detect(%.40q): error %q does not list the names", tc.src, err)
		}
	}
}

func TestByName(t *testing.T) {
	for _, name := range Names() {
		tpl, err := ByName(name)
		if err != nil || tpl.Name != name {
			t.Errorf("ByName(%q) = %v, %v", name, tpl, err)
		}
	}
	_, err := ByName("llama4")
	if err == nil || !errors.Is(err, ErrUnknownTemplate) {
		t.Fatalf("ByName(llama4): error %v, want ErrUnknownTemplate", err)
	}
	for _, name := range Names() {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("ByName error %q does not name %s", err, name)
		}
	}
	// The returned Template is a copy: changing it does not change the table.
	tpl, _ := ByName("chatml")
	tpl.Name = "changed"
	if again, _ := ByName("chatml"); again.Name != "chatml" {
		t.Error("ByName returned the shared table entry")
	}
}

func TestRenderRejectsUnknownRole(t *testing.T) {
	for _, name := range Names() {
		tpl, _ := ByName(name)
		_, err := tpl.Render([]Message{{Role: "user", Content: "hi"}, {Role: "tool", Content: "{}"}}, Options{})
		if err == nil || !strings.Contains(err.Error(), `"tool"`) || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: role tool: error %v", name, err)
		}
	}
}

// TestRenderDoesNotModifyMessages: merging a system message must not write into the caller's slice.
func TestRenderDoesNotModifyMessages(t *testing.T) {
	msgs := []Message{{Role: "system", Content: "S"}, {Role: "user", Content: "U"}}
	tpl, _ := ByName("gemma2")
	if _, err := tpl.Render(msgs, Options{}); err != nil {
		t.Fatal(err)
	}
	if msgs[1].Content != "U" {
		t.Errorf("Render changed the caller's message to %q", msgs[1].Content)
	}
}

func TestLlama32DefaultDate(t *testing.T) {
	tpl, _ := ByName("llama3.2")
	out, err := tpl.Render([]Message{{Role: "user", Content: "hi"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// "Today Date: 02 Jan 2006\n": the current date in the template's format.
	i := strings.Index(out, "Today Date: ")
	if i < 0 || len(out) < i+23 || out[i+23] != '\n' {
		t.Fatalf("no date line in %q", out)
	}
	if _, err := strconv.Atoi(out[i+12 : i+14]); err != nil {
		t.Errorf("day in %q: %v", out[i:i+23], err)
	}
}

// TestPyIsSpace compares pyIsSpace with Python's str.isspace over every code point.
func TestPyIsSpace(t *testing.T) {
	data, err := os.ReadFile("testdata/golden/python_isspace.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[rune]bool{}
	for _, line := range strings.Fields(string(data)) {
		v, err := strconv.ParseUint(line, 16, 32)
		if err != nil {
			t.Fatal(err)
		}
		want[rune(v)] = true
	}
	if len(want) == 0 {
		t.Fatal("empty list")
	}
	for r := rune(0); r <= utf8.MaxRune; r++ {
		if pyIsSpace(r) != want[r] {
			t.Errorf("pyIsSpace(%U) = %v, Python says %v", r, pyIsSpace(r), want[r])
		}
	}
}

// FuzzRender checks that no family panics on any conversation, and that the output of families
// that copy content verbatim contains it.
func FuzzRender(f *testing.F) {
	f.Add("system", "You are helpful", "user", "Hello", "assistant", " hi ", true)
	f.Add("user", "", "user", "\xff\xfe", "system", "\u3000", false)
	f.Add("assistant", "<|im_end|>", "tool", "{}", "user", "[INST]", true)
	f.Fuzz(func(t *testing.T, r1, c1, r2, c2, r3, c3 string, gen bool) {
		all := []Message{{r1, c1}, {r2, c2}, {r3, c3}}
		opts := Options{AddGenerationPrompt: gen, BOSToken: "<s>", EOSToken: "</s>", Date: "26 Nov 2026"}
		for _, name := range Names() {
			tpl, _ := ByName(name)
			for n := 0; n <= len(all); n++ {
				out, err := tpl.Render(all[:n], opts)
				if err != nil && out != "" {
					t.Fatalf("%s: text %q with error %v", name, out, err)
				}
			}
		}
	})
}

func TestRenderZeroTemplate(t *testing.T) {
	var zero Template
	if _, err := zero.Render([]Message{{Role: "user", Content: "hi"}}, Options{}); err == nil {
		t.Error("zero Template rendered without error")
	}
	var nilT *Template
	if _, err := nilT.Render(nil, Options{}); err == nil {
		t.Error("nil Template rendered without error")
	}
}
