package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/amulet/sample"
	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
)

// evalPrompt is one line of the --prompts file.
type evalPrompt struct {
	ID     string `json:"id,omitempty"`
	Prompt string `json:"prompt"`
}

// evalVariant is one column of methods: a method with its parameters and a display label.
type evalVariant struct {
	Label  string
	Method amulet.Method
	K      *float64 // amulet: the collapsed coefficient (nil: from alpha/lambda/eta/iterations)
}

// evalRecord is one answer: what answers.jsonl holds, one JSON object per line.
type evalRecord struct {
	PromptID    string   `json:"prompt_id"`
	Prompt      string   `json:"prompt"`
	Preference  string   `json:"preference"`
	Method      string   `json:"method"`
	K           float64  `json:"k"`
	Text        string   `json:"text"`
	Tokens      []int32  `json:"tokens"`
	Finish      string   `json:"finish_reason"`
	Style       string   `json:"style,omitempty"`       // demo model: the exact classifier's verdict
	Adherent    *bool    `json:"adherent,omitempty"`    // demo model: style == preference
	WellFormed  *bool    `json:"well_formed,omitempty"` // demo model: a sentence of the generator's grammar
	Words       int      `json:"words"`
	LexiconHits int      `json:"lexicon_hits"`
	LLGain      *float64 `json:"ll_gain,omitempty"` // mean per-token log p(answer|pref ctx) - log p(answer|base ctx)
	PrefillS    float64  `json:"prefill_s"`
	DecodeS     float64  `json:"decode_s"`
	TokPerS     float64  `json:"decode_tokens_per_s"`
}

// evalCell aggregates one method x preference.
type evalCell struct {
	Method       string   `json:"method"`
	Preference   string   `json:"preference"`
	N            int      `json:"n"`
	Adherence    *float64 `json:"adherence,omitempty"`
	WellFormed   *float64 `json:"well_formed,omitempty"`
	MeanTokens   float64  `json:"mean_tokens"`
	MeanWords    float64  `json:"mean_words"`
	LexiconRate  *float64 `json:"lexicon_rate,omitempty"`
	LLGain       *float64 `json:"ll_gain,omitempty"`
	TokensPerSec float64  `json:"tokens_per_s"`
}

// evalSummary is summary.json.
type evalSummary struct {
	Model       string     `json:"model"`
	Exact       bool       `json:"exact_classifier"`
	Measures    []string   `json:"measures"`
	Prompts     int        `json:"prompts"`
	Preferences []string   `json:"preferences"`
	Methods     []string   `json:"methods"`
	Temperature float64    `json:"temperature"`
	Seed        uint64     `json:"seed"`
	MaxTokens   int        `json:"max_tokens"`
	Cells       []evalCell `json:"cells"`
	Means       []evalCell `json:"means"` // per method, over preferences (Preference "mean")
}

// lexicons: words that signal a preference in free text, for models without an exact
// classifier (the share of answers with at least one is the lexicon rate).
var lexicons = map[string][]string{
	"uplifting":   {"great", "wonderful", "fantastic", "amazing", "brilliant", "hope", "happy", "joy", "love", "lovely", "bright", "you can do it", "you've got this", "!"},
	"pleasant":    {"glad", "happy", "lovely", "wonderful", "kind", "warm", "enjoy", "pleasure"},
	"formal":      {"furthermore", "moreover", "consequently", "therefore", "thus", "hence", "accordingly", "one should"},
	"creative":    {"imagine", "picture", "as if", "like a", "story", "magic", "dream"},
	"sycophantic": {"great question", "excellent", "brilliant", "absolutely", "you're right", "wise", "insightful"},
	"complex":     {"nevertheless", "notwithstanding", "multifaceted", "intricate", "nuanced", "paradigm"},
	"list":        {"\n- ", "\n* ", "\n1."},
	"question":    {"?"},
}

func lexiconHits(pref, text string) (int, bool) {
	words, ok := lexicons[strings.ToLower(pref)]
	if !ok {
		return 0, false
	}
	t := strings.ToLower(text)
	n := 0
	for _, w := range words {
		n += strings.Count(t, w)
	}
	return n, true
}

func runEval(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(s.err)
	modelPath := fs.String("m", "", "GGUF model `file` (default: the embedded demo model)")
	promptsPath := fs.String("prompts", "", "JSONL `file` of {\"prompt\":...} lines (default for the demo model: its held-out questions)")
	prefList := fs.String("preferences", "", "comma-separated preferences (default for the demo model: its six styles)")
	methodList := fs.String("methods", "base,pref,la,cfg,amulet", "comma-separated methods")
	sweep := fs.String("sweep-k", "", "also run amulet at each of these comma-separated k values")
	n := fs.Int("n", 0, "number of prompts (0 = all; the demo's held-out set defaults to 200)")
	seed := fs.Uint64("seed", 1, "seed for sampling and for picking the demo's held-out prompts")
	out := fs.String("out", "", "output `dir` for answers.jsonl, summary.json, summary.md, adherence.svg")
	system := fs.String("system", "", "system prompt (default for the demo model: its neutral system sentence)")
	maxTokens := fs.Int("max-tokens", 96, "maximum tokens per answer")
	temp := fs.Float64("temp", 0, "temperature (0 = greedy, as in the paper)")
	threads := fs.Int("t", 1, "threads per generation")
	k := fs.String("k", "", "amulet: the collapsed coefficient k (default: the embedded demo model's demo.RecommendedK, else from the paper's alpha, lambda, eta, iterations)")
	laRatio := fs.Float64("la-ratio", amulet.DefaultLARatio, "la: ratio r")
	cfgScale := fs.Float64("cfg-scale", amulet.DefaultCFGScale, "cfg: guidance scale gamma")
	llgain := fs.Bool("llgain", true, "score each answer's log-likelihood gain under the preference context (two extra prefills per answer)")
	quiet := fs.Bool("q", false, "no progress on stderr")
	replot := fs.String("replot", "", "only rewrite summary.md and adherence.svg of an earlier --out `dir` from its summary.json")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run eval [-m FILE] [--prompts FILE.jsonl] [--preferences a,b,...] [--methods base,pref,la,cfg,amulet] [-n N] [--seed S] [--out DIR]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *replot != "" {
		return replotSummary(*replot, s.out)
	}
	switch {
	case *n < 0:
		return fmt.Errorf("-n %d: want >= 0", *n)
	case *maxTokens <= 0:
		return fmt.Errorf("--max-tokens %d: want > 0", *maxTokens)
	case *threads < 0:
		return fmt.Errorf("-t %d: want >= 0", *threads)
	case math.IsNaN(*temp) || math.IsInf(*temp, 0) || *temp < 0:
		return fmt.Errorf("--temp %v: want a finite value >= 0", *temp)
	}
	if *k == "" && *modelPath == "" {
		*k = strconv.FormatFloat(demo.RecommendedK, 'g', -1, 64) // the demo model's grounded strength
	}
	variants, err := parseVariants(*methodList, *sweep, *k)
	if err != nil {
		return err
	}

	eng, err := openEngine(*modelPath, amulet.Options{Threads: *threads, KVType: gguf.TypeF32})
	if err != nil {
		return err
	}
	modelName := *modelPath
	if modelName == "" {
		modelName = "embedded demo model (" + demo.ModelName + ")"
	}
	defer eng.Close()
	exact := *modelPath == "" || isDemoFile(*modelPath)

	prompts, err := loadPrompts(*promptsPath, exact, *n, *seed)
	if err != nil {
		return err
	}
	prefs, err := parsePreferences(*prefList, exact)
	if err != nil {
		return err
	}
	sys := *system
	if sys == "" && exact {
		sys = demo.SystemPrompt()
	}
	if eng.Template() == nil {
		return errors.New("eval needs a chat model (the model has no chat template)")
	}

	var scorer *llScorer
	if *llgain {
		scorer, err = newLLScorer(eng, *threads)
		if err != nil {
			return err
		}
		defer scorer.Close()
	}

	var recW io.Writer = io.Discard
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(*out, "answers.jsonl"))
		if err != nil {
			return err
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		defer bw.Flush()
		recW = bw
	}
	enc := json.NewEncoder(recW)
	enc.SetEscapeHTML(false)

	var records []evalRecord
	total := len(prompts) * len(prefs) * len(variants)
	start := time.Now()
	for pi, p := range prompts {
		for _, pref := range prefs {
			for _, v := range variants {
				req := amulet.Request{
					Messages:    []amulet.Message{{Role: "user", Content: p.Prompt}},
					System:      sys,
					Preferences: []amulet.Preference{{Text: pref.text, Weight: 1}},
					Method:      v.Method,
					Params:      amulet.Params{K: v.K, LARatio: *laRatio, CFGScale: *cfgScale},
					Seed:        *seed,
					MaxTokens:   *maxTokens,
				}
				req.Sampling.Temperature = *temp
				res, err := eng.Generate(ctx, req, nil)
				if err != nil {
					return fmt.Errorf("prompt %s, preference %s, method %s: %w", p.ID, pref.name, v.Label, err)
				}
				r := evalRecord{
					PromptID: p.ID, Prompt: p.Prompt, Preference: pref.name, Method: v.Label, K: res.K,
					Text: res.Text, Tokens: res.Tokens, Finish: res.FinishReason,
					Words:    len(strings.Fields(res.Text)),
					PrefillS: res.Timings.PrefillSeconds, DecodeS: res.Timings.DecodeSeconds,
					TokPerS: res.Timings.DecodeTokensPerSec,
				}
				if r.Tokens == nil {
					r.Tokens = []int32{}
				}
				r.LexiconHits, _ = lexiconHits(pref.name, res.Text)
				if exact {
					st := demo.Classify(res.Text)
					adh, wf := st == pref.style, demo.WellFormed(res.Text)
					r.Style, r.Adherent, r.WellFormed = st.String(), &adh, &wf
				}
				if scorer != nil {
					g, err := scorer.gain(ctx, sys, p.Prompt, pref.text, res.Tokens)
					if err != nil {
						return fmt.Errorf("prompt %s: log-likelihood gain: %w", p.ID, err)
					}
					r.LLGain = g
				}
				if err := enc.Encode(r); err != nil {
					return err
				}
				records = append(records, r)
				if !*quiet && len(records)%100 == 0 {
					fmt.Fprintf(s.err, "eval: %d/%d answers (prompt %d/%d), %.0fs\n", len(records), total, pi+1, len(prompts), time.Since(start).Seconds())
				}
			}
		}
	}

	sum := summarize(records, prefs, variants, exact)
	sum.Model, sum.Prompts, sum.Temperature, sum.Seed, sum.MaxTokens = modelName, len(prompts), *temp, *seed, *maxTokens
	sum.Measures = []string{"mean_tokens", "mean_words", "tokens_per_s", "lexicon_rate (preferences with a lexicon)"}
	if exact {
		sum.Measures = append([]string{"adherence (exact style classifier)", "well_formed (generator grammar)"}, sum.Measures...)
	}
	if *llgain {
		sum.Measures = append(sum.Measures, "ll_gain (mean per-token log-likelihood gain of the answer under the preference context)")
	}
	md := markdownSummary(&sum)
	if _, err := io.WriteString(s.out, md); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	js, err := json.MarshalIndent(sum, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "summary.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*out, "summary.md"), []byte(md), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(*out, "adherence.svg"), []byte(barChart(&sum)), 0o644)
}

// replotSummary rewrites summary.md and adherence.svg in dir from its summary.json.
func replotSummary(dir string, out io.Writer) error {
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		return err
	}
	var sum evalSummary
	if err := json.Unmarshal(data, &sum); err != nil {
		return fmt.Errorf("%s: %w", filepath.Join(dir, "summary.json"), err)
	}
	md := markdownSummary(&sum)
	if _, err := io.WriteString(out, md); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "summary.md"), []byte(md), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "adherence.svg"), []byte(barChart(&sum)), 0o644)
}

func isDemoFile(path string) bool {
	f, err := gguf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return demo.IsDemo(f)
}

func parseVariants(methods, sweep, k string) ([]evalVariant, error) {
	var kp *float64
	if k != "" {
		x, err := parseFinite(k)
		if err != nil {
			return nil, fmt.Errorf("--k: %w", err)
		}
		kp = &x
	}
	var vs []evalVariant
	seen := map[string]bool{}
	add := func(v evalVariant) error {
		if seen[v.Label] {
			return fmt.Errorf("method %s given twice", v.Label)
		}
		seen[v.Label] = true
		vs = append(vs, v)
		return nil
	}
	if methods != "" {
		for _, name := range strings.Split(methods, ",") {
			m, err := amulet.ParseMethod(name)
			if err != nil {
				return nil, fmt.Errorf("--methods: %w", err)
			}
			v := evalVariant{Label: string(m), Method: m}
			if m == amulet.MethodAmulet && kp != nil {
				v.K = kp
				v.Label = "amulet k=" + strconv.FormatFloat(*kp, 'g', -1, 64)
			}
			if err := add(v); err != nil {
				return nil, err
			}
		}
	}
	if sweep != "" {
		for _, f := range strings.Split(sweep, ",") {
			x, err := parseFinite(f)
			if err != nil {
				return nil, fmt.Errorf("--sweep-k: %w", err)
			}
			if err := add(evalVariant{Label: "amulet k=" + strconv.FormatFloat(x, 'g', -1, 64), Method: amulet.MethodAmulet, K: &x}); err != nil {
				return nil, err
			}
		}
	}
	if len(vs) == 0 {
		return nil, errors.New("no methods to run")
	}
	return vs, nil
}

// evalPref is one preference: its name in reports, the text given to the model, and (demo
// model) the style it asks for.
type evalPref struct {
	name, text string
	style      demo.Style
}

func parsePreferences(list string, exact bool) ([]evalPref, error) {
	if list == "" {
		if !exact {
			return nil, errors.New("--preferences is required for a model other than the demo model")
		}
		var ps []evalPref
		for _, st := range demo.Styles() {
			ps = append(ps, evalPref{st.String(), demo.PreferenceSentence(st), st})
		}
		return ps, nil
	}
	var ps []evalPref
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, errors.New("--preferences: empty name")
		}
		if !exact {
			ps = append(ps, evalPref{name, name, demo.NoStyle})
			continue
		}
		st, err := demo.ParseStyle(name)
		if err != nil {
			return nil, fmt.Errorf("--preferences: %w", err)
		}
		ps = append(ps, evalPref{st.String(), demo.PreferenceSentence(st), st})
	}
	return ps, nil
}

// loadPrompts reads the JSONL prompt file, or (demo model, no file) picks held-out questions.
func loadPrompts(path string, exact bool, n int, seed uint64) ([]evalPrompt, error) {
	var ps []evalPrompt
	if path == "" {
		if !exact {
			return nil, errors.New("--prompts is required for a model other than the demo model")
		}
		if n == 0 {
			n = 200
		}
		for i, q := range demo.EvalPrompts(n, seed) {
			ps = append(ps, evalPrompt{ID: fmt.Sprintf("heldout-%d", i), Prompt: q.Text})
		}
		return ps, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for line := 1; sc.Scan(); line++ {
		t := strings.TrimSpace(sc.Text())
		if t == "" {
			continue
		}
		var p evalPrompt
		if err := json.Unmarshal([]byte(t), &p); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		if strings.TrimSpace(p.Prompt) == "" {
			return nil, fmt.Errorf("%s:%d: empty \"prompt\"", path, line)
		}
		if p.ID == "" {
			p.ID = strconv.Itoa(line)
		}
		ps = append(ps, p)
		if n > 0 && len(ps) == n {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("%s: no prompts", path)
	}
	return ps, nil
}

func summarize(recs []evalRecord, prefs []evalPref, variants []evalVariant, exact bool) evalSummary {
	var sum evalSummary
	sum.Exact = exact
	for _, p := range prefs {
		sum.Preferences = append(sum.Preferences, p.name)
	}
	for _, v := range variants {
		sum.Methods = append(sum.Methods, v.Label)
	}
	type key struct{ m, p string }
	groups := map[key][]*evalRecord{}
	for i := range recs {
		r := &recs[i]
		groups[key{r.Method, r.Preference}] = append(groups[key{r.Method, r.Preference}], r)
		groups[key{r.Method, "mean"}] = append(groups[key{r.Method, "mean"}], r)
	}
	cell := func(m, p string) evalCell {
		rs := groups[key{m, p}]
		c := evalCell{Method: m, Preference: p, N: len(rs)}
		if len(rs) == 0 {
			return c
		}
		var adh, wf, toks, words, tps, lexN, lexHit, gain float64
		gainN := 0
		for _, r := range rs {
			if r.Adherent != nil && *r.Adherent {
				adh++
			}
			if r.WellFormed != nil && *r.WellFormed {
				wf++
			}
			toks += float64(len(r.Tokens))
			words += float64(r.Words)
			tps += r.TokPerS
			if _, ok := lexicons[strings.ToLower(r.Preference)]; ok {
				lexN++
				if r.LexiconHits > 0 {
					lexHit++
				}
			}
			if r.LLGain != nil {
				gain += *r.LLGain
				gainN++
			}
		}
		n := float64(len(rs))
		ptr := func(x float64) *float64 { return &x }
		if exact {
			c.Adherence, c.WellFormed = ptr(adh/n), ptr(wf/n)
		}
		c.MeanTokens, c.MeanWords, c.TokensPerSec = toks/n, words/n, tps/n
		if lexN > 0 {
			c.LexiconRate = ptr(lexHit / lexN)
		}
		if gainN > 0 {
			c.LLGain = ptr(gain / float64(gainN))
		}
		return c
	}
	for _, v := range variants {
		for _, p := range prefs {
			sum.Cells = append(sum.Cells, cell(v.Label, p.name))
		}
		sum.Means = append(sum.Means, cell(v.Label, "mean"))
	}
	return sum
}

func pct(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", 100**x)
}

// markdownSummary renders the paper-style table: one row per method, one column per
// preference, then the mean; the cell is the main measure.
func markdownSummary(s *evalSummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Eval: %s\n\n%d prompts x %d preferences x %d methods, temperature %g, seed %d, max %d tokens.\n",
		s.Model, s.Prompts, len(s.Preferences), len(s.Methods), s.Temperature, s.Seed, s.MaxTokens)
	fmt.Fprintf(&b, "Measures: %s.\n\n", strings.Join(s.Measures, "; "))
	cells := map[string]evalCell{}
	for _, c := range s.Cells {
		cells[c.Method+"\x00"+c.Preference] = c
	}
	means := map[string]evalCell{}
	for _, c := range s.Means {
		means[c.Method] = c
	}
	table := func(title string, val func(evalCell) string) {
		fmt.Fprintf(&b, "## %s\n\n| method | %s | mean |\n|---|%s---:|\n", title, strings.Join(s.Preferences, " | "),
			strings.Repeat("---:|", len(s.Preferences)))
		for _, m := range s.Methods {
			fmt.Fprintf(&b, "| %s |", m)
			for _, p := range s.Preferences {
				fmt.Fprintf(&b, " %s |", val(cells[m+"\x00"+p]))
			}
			fmt.Fprintf(&b, " %s |\n", val(means[m]))
		}
		b.WriteString("\n")
	}
	if s.Exact {
		table("Adherence (%, exact classifier)", func(c evalCell) string { return pct(c.Adherence) })
		table("Well-formed (%, generator grammar)", func(c evalCell) string { return pct(c.WellFormed) })
	} else {
		table("Lexicon rate (% of answers with a preference word)", func(c evalCell) string { return pct(c.LexiconRate) })
	}
	table("Mean answer length (tokens)", func(c evalCell) string { return fmt.Sprintf("%.1f", c.MeanTokens) })
	if len(s.Means) > 0 && s.Means[0].LLGain != nil {
		table("Log-likelihood gain of the answer under the preference context (nats/token)", func(c evalCell) string {
			if c.LLGain == nil {
				return "-"
			}
			return fmt.Sprintf("%.3f", *c.LLGain)
		})
	}
	table("Decode speed (tokens/s)", func(c evalCell) string { return fmt.Sprintf("%.0f", c.TokensPerSec) })
	return b.String()
}

// barChart draws the mean main measure per method (adherence, or the lexicon rate) as an SVG
// bar chart, with well-formed rate bars beside it when known.
func barChart(s *evalSummary) string {
	const w, h, left, bottom, top = 720, 400, 60, 130, 40
	n := len(s.Means)
	slot := float64(w-left-20) / float64(max(n, 1))
	var b strings.Builder
	title := "Mean adherence to the stated preference per method"
	if !s.Exact {
		title = "Mean lexicon rate per method"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, title)
	plotH := float64(h - bottom - top)
	for i := 0; i <= 4; i++ {
		y := float64(top) + plotH*(1-float64(i)/4)
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/><text x="%d" y="%.1f" text-anchor="end">%d%%</text>`+"\n",
			left, y, w-20, y, left-6, y+4, i*25)
	}
	for i, c := range s.Means {
		x := float64(left) + slot*float64(i)
		v, wf := c.Adherence, c.WellFormed
		if !s.Exact {
			v, wf = c.LexiconRate, nil
		}
		bar := func(off float64, val *float64, color string) {
			if val == nil {
				return
			}
			bh := plotH * *val
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/><text x="%.1f" y="%.1f" text-anchor="middle" font-size="10">%.0f</text>`+"\n",
				x+off, float64(top)+plotH-bh, slot*0.35, bh, color, x+off+slot*0.175, float64(top)+plotH-bh-3, 100**val)
		}
		bar(slot*0.12, v, "#3b6fb6")
		bar(slot*0.5, wf, "#9cc3e6")
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-30 %.1f %d)">%s</text>`+"\n",
			x+slot*0.6, h-bottom+16, x+slot*0.6, h-bottom+16, c.Method)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="#3b6fb6"/><text x="%d" y="%d">%s</text>`+"\n",
		left, h-40, left+18, h-30, map[bool]string{true: "adherence (exact classifier)", false: "lexicon rate"}[s.Exact])
	if s.Exact {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="#9cc3e6"/><text x="%d" y="%d">well-formed</text>`+"\n",
			left+260, h-40, left+278, h-30)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" fill="#555">%d prompts x %d preferences (%s), temperature %g</text>`+"\n",
		left, h-10, s.Prompts, len(s.Preferences), strings.Join(s.Preferences, ", "), s.Temperature)
	b.WriteString("</svg>\n")
	return b.String()
}

// llScorer measures how much more likely an answer is after the preference context than after
// the base context: mean over the answer's tokens of log p(token | pref) - log p(token | base).
type llScorer struct {
	eng  *amulet.Engine
	sess *model.Session
	lp   *sample.Sampler // for its log-softmax (TopLogprobs)
	ctx  int
}

func newLLScorer(eng *amulet.Engine, threads int) (*llScorer, error) {
	m := eng.Model()
	// ContextLength 0: the model's, at most model.DefaultContextLength.
	sess, err := m.NewSession(model.SessionOptions{Threads: threads, MaxSequences: 1, KVType: gguf.TypeF32})
	if err != nil {
		return nil, err
	}
	lp, err := sample.New(m.Config.Vocab, sample.Params{}, 0)
	if err != nil {
		sess.Close()
		return nil, err
	}
	return &llScorer{eng: eng, sess: sess, lp: lp, ctx: sess.Options().ContextLength}, nil
}

func (l *llScorer) Close() { l.sess.Close() }

// logLik returns the summed log-probability of answer after prompt.
func (l *llScorer) logLik(ctx context.Context, prompt, answer []int32) (float64, error) {
	all := append(append([]int32(nil), prompt...), answer...)
	if len(all) > l.ctx {
		return 0, fmt.Errorf("%d tokens exceed the scoring context of %d", len(all), l.ctx)
	}
	if err := l.sess.Truncate(0, 0); err != nil {
		return 0, err
	}
	b := model.Batch{Tokens: all, Positions: make([]int32, len(all)), Seqs: make([]int32, len(all)), Logits: make([]bool, len(all))}
	for i := range all {
		b.Positions[i] = int32(i)
		b.Logits[i] = i >= len(prompt)-1 && i < len(all)-1
	}
	if err := l.sess.Forward(ctx, b); err != nil {
		return 0, err
	}
	sum := 0.0
	for i := len(prompt) - 1; i < len(all)-1; i++ {
		lp, _ := l.lp.TopLogprobs(l.sess.Logits(i), all[i+1], 0)
		sum += lp
	}
	return sum, nil
}

func (l *llScorer) gain(ctx context.Context, system, question, pref string, answer []int32) (*float64, error) {
	if len(answer) == 0 {
		return nil, nil
	}
	base, prefs, err := l.eng.ContextTokens(amulet.Request{
		System:      system,
		Messages:    []amulet.Message{{Role: "user", Content: question}},
		Preferences: []amulet.Preference{{Text: pref}},
	})
	if err != nil {
		return nil, err
	}
	lb, err := l.logLik(ctx, base, answer)
	if err != nil {
		return nil, err
	}
	lp, err := l.logLik(ctx, prefs[0], answer)
	if err != nil {
		return nil, err
	}
	g := (lp - lb) / float64(len(answer))
	return &g, nil
}
