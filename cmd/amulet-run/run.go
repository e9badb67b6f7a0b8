package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/amulet/demo"
	"github.com/amulet-llm/amulet/gguf"
)

// genListFlag collects a repeatable string flag.
type genListFlag []string

func (l *genListFlag) String() string     { return strings.Join(*l, ", ") }
func (l *genListFlag) Set(v string) error { *l = append(*l, v); return nil }

// genFloatListFlag collects a repeatable number flag.
type genFloatListFlag []float64

func (l *genFloatListFlag) String() string { return fmt.Sprint(*l) }
func (l *genFloatListFlag) Set(v string) error {
	f, err := parseFinite(v)
	if err != nil {
		return err
	}
	*l = append(*l, f)
	return nil
}

// parseFinite parses a flag value that must be a finite number (surrounding spaces allowed).
func parseFinite(v string) (float64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%q is not a finite number", v)
	}
	return f, nil
}

// genCompareFlag is --compare (base, pref, amulet) or --compare=LIST.
type genCompareFlag struct{ methods []amulet.Method }

func (c *genCompareFlag) IsBoolFlag() bool { return true }
func (c *genCompareFlag) String() string   { return "" }
func (c *genCompareFlag) Set(v string) error {
	switch v {
	case "true":
		c.methods = []amulet.Method{amulet.MethodBase, amulet.MethodPref, amulet.MethodAmulet}
		return nil
	case "false":
		c.methods = nil
		return nil
	}
	c.methods = nil
	for _, name := range strings.Split(v, ",") {
		m, err := amulet.ParseMethod(name)
		if err != nil {
			return err
		}
		c.methods = append(c.methods, m)
	}
	return nil
}

// genFlags are the model, realignment and sampling flags shared by run and chat.
type genFlags struct {
	modelPath   string
	system      string
	preferences genListFlag
	weights     genFloatListFlag
	method      string
	alpha       float64
	lambda      float64
	eta         float64
	iterations  int
	laRatio     float64
	laTopP      float64
	cfgScale    float64
	k           string
	literal     bool

	maxTokens    int
	threads      int
	ctxSize      int
	template     string
	noRepack     bool
	temp         float64
	topK         int
	topP         float64
	minP         float64
	repeatPen    float64
	presencePen  float64
	frequencyPen float64
	repeatLastN  int
	seed         int64
	stops        genListFlag
	ignoreEOS    bool
}

func (g *genFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.modelPath, "m", "", "GGUF model `file` (default: the embedded demo chat model)")
	fs.StringVar(&g.system, "system", "", "system prompt of every context")
	fs.Var(&g.preferences, "preference", "preference: a preset ("+strings.Join(amulet.Presets(), ", ")+") or free text; repeatable")
	fs.Var(&g.weights, "weight", "weight of the preference at the same position (default 1; negative pushes away); repeatable")
	fs.StringVar(&g.method, "method", "", "realignment: base, pref, amulet, la, cfg (default amulet with a preference, else base)")
	fs.Float64Var(&g.alpha, "alpha", amulet.DefaultAlpha, "amulet: utility scale")
	fs.Float64Var(&g.lambda, "lambda", amulet.DefaultLambda, "amulet: KL weight towards the preference policy")
	fs.Float64Var(&g.eta, "eta", amulet.DefaultEta, "amulet: learning rate")
	fs.IntVar(&g.iterations, "iterations", amulet.DefaultIterations, "amulet: FTRL iterations")
	fs.StringVar(&g.k, "k", "", "amulet: the collapsed coefficient k, overriding alpha/lambda/eta/iterations")
	fs.BoolVar(&g.literal, "literal", false, "amulet: run the literal per-iteration FTRL loop (reference form)")
	fs.Float64Var(&g.laRatio, "la-ratio", amulet.DefaultLARatio, "la: ratio r")
	fs.Float64Var(&g.laTopP, "la-top-p", 0, "la: keep only the top-p nucleus of the preference distribution (0 = off)")
	fs.Float64Var(&g.cfgScale, "cfg-scale", amulet.DefaultCFGScale, "cfg: guidance scale gamma")

	fs.IntVar(&g.maxTokens, "n", 256, "maximum tokens to generate (0 = up to the context length)")
	fs.IntVar(&g.threads, "t", 0, "threads (0 = all CPUs)")
	fs.IntVar(&g.ctxSize, "c", 0, "context length per context (0 = the model's)")
	fs.BoolVar(&g.noRepack, "no-repack", false, "keep the weights in the file's layout (no repacking at load)")
	fs.StringVar(&g.template, "template", "", "chat template family (default: detected from the model; \"none\" for plain prompts)")
	fs.Float64Var(&g.temp, "temp", 0.8, "temperature (0 = greedy)")
	fs.IntVar(&g.topK, "top-k", 40, "top-k (0 = off)")
	fs.Float64Var(&g.topP, "top-p", 0.95, "top-p (1 = off)")
	fs.Float64Var(&g.minP, "min-p", 0.05, "min-p (0 = off)")
	fs.Float64Var(&g.repeatPen, "repeat-penalty", 1, "repetition penalty (1 = off)")
	fs.Float64Var(&g.presencePen, "presence-penalty", 0, "presence penalty")
	fs.Float64Var(&g.frequencyPen, "frequency-penalty", 0, "frequency penalty")
	fs.IntVar(&g.repeatLastN, "repeat-last-n", 64, "tokens the penalties look back over")
	fs.Int64Var(&g.seed, "seed", 0, "random seed (negative, e.g. -1: a random one)")
	fs.Var(&g.stops, "stop", "stop string (not printed); repeatable")
	fs.BoolVar(&g.ignoreEOS, "ignore-eos", false, "do not stop at end-of-generation tokens")
}

// check rejects absurd values with the flag's name.
func (g *genFlags) check() error {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	switch {
	case g.maxTokens < 0:
		return fmt.Errorf("-n %d: want >= 0", g.maxTokens)
	case g.threads < 0:
		return fmt.Errorf("-t %d: want >= 0", g.threads)
	case g.ctxSize < 0:
		return fmt.Errorf("-c %d: want >= 0", g.ctxSize)
	case bad(g.temp) || g.temp < 0:
		return fmt.Errorf("--temp %v: want a finite value >= 0", g.temp)
	case g.topK < 0:
		return fmt.Errorf("--top-k %d: want >= 0", g.topK)
	case bad(g.topP) || g.topP < 0 || g.topP > 1:
		return fmt.Errorf("--top-p %v: want 0..1", g.topP)
	case bad(g.minP) || g.minP < 0 || g.minP > 1:
		return fmt.Errorf("--min-p %v: want 0..1", g.minP)
	case bad(g.repeatPen) || g.repeatPen <= 0:
		return fmt.Errorf("--repeat-penalty %v: want > 0", g.repeatPen)
	case g.repeatLastN < 0:
		return fmt.Errorf("--repeat-last-n %d: want >= 0", g.repeatLastN)
	case g.iterations < 1:
		return fmt.Errorf("--iterations %d: want >= 1", g.iterations)
	}
	return nil
}

// request builds the parts of a request the flags decide (everything but the prompt).
// rawContexts are the --pref-context texts of raw mode (nil otherwise): they are then the
// preferences, and --weight applies to them.
func (g *genFlags) request(rawContexts []string) (amulet.Request, error) {
	var req amulet.Request
	if err := g.check(); err != nil {
		return req, err
	}
	req.System = g.system
	if g.usingDemo() && req.System == "" {
		req.System = demo.SystemPrompt()
	}
	if g.method != "" {
		m, err := amulet.ParseMethod(g.method)
		if err != nil {
			return req, fmt.Errorf("--method: %w", err)
		}
		req.Method = m
	}
	req.Params = amulet.Params{
		Alpha: g.alpha, Lambda: g.lambda, Eta: g.eta, Iterations: g.iterations,
		Literal: g.literal, LARatio: g.laRatio, LATopP: g.laTopP, CFGScale: g.cfgScale,
	}
	if g.k != "" {
		k, err := parseFinite(g.k)
		if err != nil {
			return req, fmt.Errorf("--k: %w", err)
		}
		req.Params.K = &k
	}
	if g.usingDemo() && req.Params.K == nil && g.paperStrength() {
		k := demo.RecommendedK
		req.Params.K = &k
	}
	texts, what := []string(g.preferences), "preferences"
	if len(rawContexts) > 0 {
		if len(g.preferences) > 0 {
			return req, errors.New("in raw mode the preferences are the --pref-context texts; drop --preference")
		}
		texts, what = rawContexts, "preference contexts"
	}
	if len(g.weights) > len(texts) {
		return req, fmt.Errorf("%d --weight values for %d %s", len(g.weights), len(texts), what)
	}
	for i, t := range texts {
		p := amulet.Preference{Text: g.preferenceText(t), Weight: 1}
		if len(rawContexts) > 0 {
			p = amulet.Preference{Context: t, Weight: 1}
		}
		if i < len(g.weights) {
			p.Weight = g.weights[i]
		}
		req.Preferences = append(req.Preferences, p)
	}
	req.Sampling.Temperature = g.temp
	req.Sampling.TopK = g.topK
	req.Sampling.TopP = g.topP
	req.Sampling.MinP = g.minP
	req.Sampling.RepeatPenalty = g.repeatPen
	req.Sampling.PresencePenalty = g.presencePen
	req.Sampling.FrequencyPenalty = g.frequencyPen
	req.Sampling.PenaltyWindow = g.repeatLastN
	if g.seed < 0 {
		req.Seed = genRandomSeed()
	} else {
		req.Seed = uint64(g.seed)
	}
	req.MaxTokens = g.maxTokens
	req.Stop = g.stops
	req.IgnoreEOS = g.ignoreEOS
	return req, nil
}

// usingDemo reports whether no -m was given, so the embedded demo chat model answers.
func (g *genFlags) usingDemo() bool { return g.modelPath == "" }

// modelName names the model for messages.
func (g *genFlags) modelName() string {
	if g.usingDemo() {
		return "the embedded demo model"
	}
	return g.modelPath
}

// preferenceText maps the demo model's style names (concise, verbose, uplifting, formal, list,
// question) to the sentences it was trained on; any other preference passes unchanged.
func (g *genFlags) preferenceText(p string) string {
	if s, err := demo.ParseStyle(p); err == nil && g.usingDemo() {
		return demo.PreferenceSentence(s)
	}
	return p
}

// paperStrength reports whether the Amulet parameters are still the paper's defaults. The demo
// model then uses demo.RecommendedK instead: its sweep shows the paper's k breaks its fluency.
func (g *genFlags) paperStrength() bool {
	return g.alpha == amulet.DefaultAlpha && g.lambda == amulet.DefaultLambda &&
		g.eta == amulet.DefaultEta && g.iterations == amulet.DefaultIterations
}

func (g *genFlags) open() (*amulet.Engine, error) {
	return openEngine(g.modelPath, amulet.Options{Threads: g.threads, ContextLength: g.ctxSize, Template: g.template, KVType: gguf.TypeF32, NoRepack: g.noRepack})
}

// openEngine opens the GGUF model at path, or the embedded demo model when path is "".
func openEngine(path string, opts amulet.Options) (*amulet.Engine, error) {
	if path == "" {
		return demo.Open(opts)
	}
	return amulet.Open(path, opts)
}

// genJSON is what --json prints.
type genJSON struct {
	Method       amulet.Method     `json:"method"`
	K            float64           `json:"k"`
	Seed         uint64            `json:"seed"`
	Tokens       []int32           `json:"tokens"`
	Text         string            `json:"text"`
	FinishReason string            `json:"finish_reason"`
	Usage        amulet.Usage      `json:"usage"`
	Timings      amulet.Timings    `json:"timings"`
	Logprobs     []genTokenLogprob `json:"logprobs,omitempty"`
}

type genTokenLogprob struct {
	ID      int32            `json:"id"`
	Logprob float64          `json:"logprob"`
	Top     []amulet.Logprob `json:"top"`
}

func runRun(ctx context.Context, args []string, s streams) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(s.err)
	var g genFlags
	g.register(fs)
	prompt := fs.String("p", "", "the question (chat models) or the text to continue (plain models)")
	raw := fs.Bool("raw", false, "no chat template: -p is plain text, or give --base-context and --pref-context verbatim")
	baseCtx := fs.String("base-context", "", "raw mode: the base context, verbatim")
	var prefCtx genListFlag
	fs.Var(&prefCtx, "pref-context", "raw mode: a preference context, verbatim; repeatable")
	jsonOut := fs.Bool("json", false, `print {"tokens":[ids],"text":...,"timings":{...}} instead of streaming`)
	logprobs := fs.Int("logprobs", 0, "with --json: top-N log-probs per token")
	var cmp genCompareFlag
	fs.Var(&cmp, "compare", "run base, pref and amulet (or --compare=M1,M2,...) and print each answer with its timings")
	fs.Usage = func() {
		fmt.Fprintln(s.err, "usage: amulet-run run [-m FILE] -p QUESTION [--preference P ...] [--method M] [flags]")
		fmt.Fprintln(s.err, "       amulet-run run [-m FILE] --raw --base-context TEXT --pref-context TEXT [--k K] [flags]")
		fs.PrintDefaults()
	}
	if help, err := parseFlags(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (quote the prompt and pass it with -p)", fs.Arg(0))
	}
	rawContexts := *baseCtx != "" || len(prefCtx) > 0
	switch {
	case rawContexts && *prompt != "":
		return errors.New("give either -p or --base-context/--pref-context, not both")
	case rawContexts && !*raw:
		return errors.New("--base-context and --pref-context need --raw")
	case !rawContexts && *prompt == "":
		return errors.New("-p is required (or --raw with --base-context)")
	case *logprobs < 0 || *logprobs > 100:
		return fmt.Errorf("--logprobs %d: want 0..100", *logprobs)
	}
	req, err := g.request(prefCtx)
	if err != nil {
		return err
	}
	req.Logprobs = *logprobs
	req.BaseContext = *baseCtx

	eng, err := g.open()
	if err != nil {
		return err
	}
	defer eng.Close()
	if !rawContexts {
		if *raw || eng.Template() == nil {
			req.Prompt = *prompt
		} else {
			req.Messages = []amulet.Message{{Role: "user", Content: *prompt}}
		}
	}

	if len(cmp.methods) > 0 {
		return runCompare(ctx, eng, req, cmp.methods, *jsonOut, s.out)
	}
	if *jsonOut {
		out := genJSON{Seed: req.Seed}
		res, err := eng.Generate(ctx, req, func(t amulet.Token) error {
			if req.Logprobs > 0 && t.ID >= 0 {
				out.Logprobs = append(out.Logprobs, genTokenLogprob{t.ID, t.Logprob, append([]amulet.Logprob(nil), t.TopLogprobs...)})
			}
			return nil
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		genFillJSON(&out, res)
		return writeJSONLine(s.out, out)
	}
	res, err := eng.Generate(ctx, req, func(t amulet.Token) error {
		_, err := io.WriteString(s.out, t.Text)
		return err
	})
	fmt.Fprintln(s.out)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintln(s.err, "[cancelled]")
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(s.err, genSummary(res))
	return nil
}

func genFillJSON(out *genJSON, res amulet.Result) {
	out.Method = res.Method
	out.K = res.K
	out.Tokens = res.Tokens
	if out.Tokens == nil {
		out.Tokens = []int32{}
	}
	out.Text = res.Text
	out.FinishReason = res.FinishReason
	out.Usage = res.Usage
	out.Timings = res.Timings
}

func genSummary(res amulet.Result) string {
	return fmt.Sprintf("[%d prompt tokens (%d shared) in %.2fs, %.1f tok/s; %d tokens in %.2fs, %.2f tok/s; %d context(s), k=%.4g, finish %s]",
		res.Usage.PromptTokens, res.Usage.SharedPrefix, res.Timings.PrefillSeconds, res.Timings.PrefillTokensPerSec,
		res.Usage.CompletionTokens, res.Timings.DecodeSeconds, res.Timings.DecodeTokensPerSec,
		res.Usage.Contexts, res.K, res.FinishReason)
}

// runCompare runs the same request with each method and prints the answers with timings.
func runCompare(ctx context.Context, eng *amulet.Engine, req amulet.Request, methods []amulet.Method, jsonOut bool, w io.Writer) error {
	if len(req.Preferences) == 0 {
		return errors.New("--compare needs at least one preference")
	}
	var all []genJSON
	for _, m := range methods {
		r := req
		r.Method = m
		res, err := eng.Generate(ctx, r, nil)
		if errors.Is(err, context.Canceled) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", m, err)
		}
		if jsonOut {
			out := genJSON{Seed: req.Seed}
			genFillJSON(&out, res)
			all = append(all, out)
			continue
		}
		fmt.Fprintf(w, "=== %s (k=%.4g): %d tokens, %.2f tok/s decode, %.1f tok/s prefill, %d context(s)\n%s\n\n",
			m, res.K, res.Usage.CompletionTokens, res.Timings.DecodeTokensPerSec, res.Timings.PrefillTokensPerSec,
			res.Usage.Contexts, strings.TrimSpace(res.Text))
	}
	if jsonOut {
		return writeJSONLine(w, all)
	}
	return nil
}

// genRandomSeed picks a seed for a negative --seed.
func genRandomSeed() uint64 { return rand.Uint64() }
