// Command compare runs amulet and llama.cpp on the same GGUF file with the same thread counts,
// alternating between the engines round by round, and prints per test (ppN, tgN) both engines'
// tokens/s with their spread and amulet's ratio to llama.cpp.
//
// amulet runs as `amulet-run bench -o json` (llama-bench's method: prompt of -p random tokens
// in batches, -n tokens decoded one at a time from an empty cache). llama.cpp runs through the
// node-llama-cpp reference kit (../shared/tools/llama-ref.mjs) with llama.cpp's defaults
// (--fa auto --kv default, F16 KV cache); its tokens/s are llama.cpp's own counters
// (llama_perf prompt eval and eval), which match llama-bench within 2% at 1 thread.
//
// At 2 threads node-llama-cpp restarts its thread pool on every decode call and reaches only
// about half of llama.cpp's real speed on a 2-core machine, so its 2-thread figures are a lower
// bound. The like-for-like reference there is llama.cpp's own llama-bench built natively for
// this machine (bench/build-llama-bench.sh puts it in .cache/llama-bench/bin/, where it is
// found; -llama-bench names another): when present it runs in every round too, alternating with
// the other two, with the same -p -n -t -r, and the report shows amulet's ratio to it. Without
// it the report shows issue 6's native figures (measured on another machine) for TinyLlama-1.1B
// files at 2 threads.
//
// Usage:
//
//	go run ./bench/compare -m /tmp/amulet-synth/tinyllama-q8_0.gguf -p 128 -n 64 -t 1,2 -rounds 3 -r 2
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/amulet-llm/amulet/gguf"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "compare:", err)
		}
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	models   []string
	prompt   int
	gen      int
	threads  []int
	rounds   int
	reps     int
	amulet   string // amulet-run binary; "" builds one
	llamaRef string // llama-ref.mjs; "" looks for ../shared/tools/llama-ref.mjs
	native   string // llama-bench binary; "" looks for .cache/llama-bench/bin/llama-bench, "none" skips it
	node     string
	verbose  bool
	x2       bool // also time amulet's realigned stream (two contexts as one batch of 2)
}

func parseOptions(args []string, errOut io.Writer) (options, error) {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	fs.SetOutput(errOut)
	var o options
	models := fs.String("m", "", "GGUF `files`, comma-separated (required)")
	fs.IntVar(&o.prompt, "p", 128, "prompt `tokens` of the pp test (0: none)")
	fs.IntVar(&o.gen, "n", 64, "generated `tokens` of the tg test (0: none)")
	threads := fs.String("t", "1", "`threads`, comma-separated")
	fs.IntVar(&o.rounds, "rounds", 3, "alternating `rounds` (amulet then llama.cpp in each)")
	fs.IntVar(&o.reps, "r", 2, "timed `repetitions` per engine and round (after one warm-up)")
	fs.StringVar(&o.amulet, "amulet", "", "amulet-run `binary` (default: go build ./cmd/amulet-run)")
	fs.StringVar(&o.llamaRef, "llama-ref", "", "llama-ref.mjs `path` (default: ../shared/tools/llama-ref.mjs)")
	fs.StringVar(&o.node, "node", "node", "node `binary`")
	fs.StringVar(&o.native, "llama-bench", "", "native llama-bench `binary` (default: .cache/llama-bench/bin/llama-bench if built; none: skip)")
	fs.BoolVar(&o.verbose, "v", false, "print each engine's command and per-round figures to stderr")
	fs.BoolVar(&o.x2, "x2", false, "also time amulet's realigned stream (--method amulet: two contexts per token) and its cost over one context")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if *models == "" || fs.NArg() != 0 {
		fs.Usage()
		return o, fmt.Errorf("give the model files with -m (comma-separated) and no other arguments")
	}
	o.models = strings.Split(*models, ",")
	for _, t := range strings.Split(*threads, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(t))
		if err != nil || n < 1 || n > 1024 {
			return o, fmt.Errorf("-t %q: want comma-separated thread counts in 1..1024", *threads)
		}
		o.threads = append(o.threads, n)
	}
	switch {
	case o.prompt < 0 || o.prompt > 1<<16 || o.gen < 0 || o.gen > 1<<16:
		return o, fmt.Errorf("-p %d -n %d: want 0..65536 each", o.prompt, o.gen)
	case o.prompt == 0 && o.gen == 0:
		return o, fmt.Errorf("-p 0 -n 0: nothing to measure")
	case o.rounds < 1 || o.rounds > 100 || o.reps < 1 || o.reps > 100:
		return o, fmt.Errorf("-rounds %d -r %d: want 1..100 each", o.rounds, o.reps)
	}
	return o, nil
}

func run(ctx context.Context, args []string, out, errOut io.Writer) error {
	o, err := parseOptions(args, errOut)
	if err != nil {
		return err
	}
	if o.amulet == "" {
		dir, err := os.MkdirTemp("", "amulet-compare")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.amulet = filepath.Join(dir, "amulet-run")
		build := exec.CommandContext(ctx, "go", "build", "-o", o.amulet, "github.com/amulet-llm/amulet/cmd/amulet-run")
		build.Stderr = errOut
		if err := build.Run(); err != nil {
			return fmt.Errorf("building amulet-run: %w", err)
		}
	}
	haveLlama := true
	if o.llamaRef == "" {
		o.llamaRef = findLlamaRef()
	}
	if o.llamaRef == "" {
		haveLlama = false
		fmt.Fprintln(errOut, "compare: llama-ref.mjs not found (../shared/tools): measuring amulet only")
	} else if _, err := exec.LookPath(o.node); err != nil {
		haveLlama = false
		fmt.Fprintf(errOut, "compare: %s not found: measuring amulet only\n", o.node)
	}
	switch o.native {
	case "none":
		o.native = ""
	case "":
		o.native = findUp(filepath.Join(".cache", "llama-bench", "bin", "llama-bench"))
	default:
		if _, err := os.Stat(o.native); err != nil {
			return fmt.Errorf("-llama-bench: %w", err)
		}
	}
	if o.native == "" {
		fmt.Fprintln(errOut, "compare: no native llama-bench (bench/build-llama-bench.sh builds one): 2-thread figures only against node-llama-cpp")
	}
	fmt.Fprintf(out, "command: compare %s\nload average at start: %s\n", strings.Join(args, " "), loadAverage())
	for _, m := range o.models {
		res, err := compareModel(ctx, o, m, haveLlama, errOut)
		if err != nil {
			return err
		}
		writeReport(out, o, res)
	}
	fmt.Fprintf(out, "\nload average at end: %s\n", loadAverage())
	return nil
}

// findLlamaRef looks for shared/tools/llama-ref.mjs in the working directory and its parents.
func findLlamaRef() string { return findUp(filepath.Join("shared", "tools", "llama-ref.mjs")) }

// findUp returns rel joined to the working directory or its nearest parent where it exists, or "".
func findUp(rel string) string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// engineRuns are one engine's tokens/s samples for one test, grouped by round.
type engineRuns struct {
	rounds [][]float64
}

func (e *engineRuns) add(round int, ts ...float64) {
	for len(e.rounds) <= round {
		e.rounds = append(e.rounds, nil)
	}
	e.rounds[round] = append(e.rounds[round], ts...)
}

func (e *engineRuns) all() []float64 {
	var v []float64
	for _, r := range e.rounds {
		v = append(v, r...)
	}
	return v
}

// testKey names one line of the report.
type testKey struct {
	test    string // "pp128", "tg64"
	threads int
}

// modelResult holds everything measured on one file.
type modelResult struct {
	path, desc string
	size       uint64
	tests      []testKey
	amulet     map[testKey]*engineRuns
	llama      map[testKey]*engineRuns // node-llama-cpp
	native     map[testKey]*engineRuns // llama-bench built for this machine
	x2         map[testKey]*engineRuns // amulet --method amulet, keyed like amulet
	haveLlama  bool
}

func compareModel(ctx context.Context, o options, path string, haveLlama bool, errOut io.Writer) (*modelResult, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	vocab := 0
	if toks, err := f.Strings("tokenizer.ggml.tokens"); err == nil {
		vocab = len(toks)
	}
	if t, ok := f.Tensor("token_embd.weight"); ok && len(t.Shape) == 2 && (vocab == 0 || int(t.Shape[1]) < vocab) {
		vocab = int(t.Shape[1])
	}
	f.Close()
	if vocab < 8 {
		return nil, fmt.Errorf("%s: vocabulary of %d tokens is too small to draw a prompt from", path, vocab)
	}
	// The same random prompt for llama.cpp in every round (amulet draws its own, like llama-bench).
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, o.prompt)
	for i := range ids {
		ids[i] = strconv.Itoa(3 + rng.IntN(vocab-3)) // skip the usual unk/bos/eos ids
	}
	res := &modelResult{path: path, amulet: map[testKey]*engineRuns{}, llama: map[testKey]*engineRuns{},
		native: map[testKey]*engineRuns{}, x2: map[testKey]*engineRuns{}, haveLlama: haveLlama}
	key := func(m map[testKey]*engineRuns, k testKey) *engineRuns {
		if m[k] == nil {
			m[k] = &engineRuns{}
		}
		return m[k]
	}
	for _, t := range o.threads {
		for round := 0; round < o.rounds; round++ {
			recs, err := runAmulet(ctx, o, path, t, "base", errOut)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				res.desc, res.size = r.ModelType, r.ModelSize
				k := testKey{testName(r.NPrompt, r.NGen), t}
				if res.amulet[k] == nil {
					res.tests = append(res.tests, k)
				}
				key(res.amulet, k).add(round, r.SamplesTs...)
			}
			if o.x2 {
				recs, err := runAmulet(ctx, o, path, t, "amulet", errOut)
				if err != nil {
					return nil, err
				}
				for _, r := range recs {
					key(res.x2, testKey{testName(r.NPrompt, r.NGen), t}).add(round, r.SamplesTs...)
				}
			}
			if o.native != "" {
				recs, err := runNative(ctx, o, path, t, errOut)
				if err != nil {
					return nil, err
				}
				for _, r := range recs {
					key(res.native, testKey{testName(r.NPrompt, r.NGen), t}).add(round, r.SamplesTs...)
				}
			}
			if !haveLlama {
				continue
			}
			pp, tg, err := runLlama(ctx, o, path, ids, t, errOut)
			if err != nil {
				return nil, err
			}
			if o.prompt > 0 {
				key(res.llama, testKey{testName(o.prompt, 0), t}).add(round, pp...)
			}
			if o.gen > 0 {
				key(res.llama, testKey{testName(0, o.gen), t}).add(round, tg...)
			}
		}
	}
	return res, nil
}

func testName(p, n int) string {
	if n == 0 {
		return fmt.Sprintf("pp%d", p)
	}
	if p == 0 {
		return fmt.Sprintf("tg%d", n)
	}
	return fmt.Sprintf("pp%d+tg%d", p, n)
}

// benchRecord is the part of llama-bench's `-o json` record (and of `amulet-run bench -o json`, which
// copies its fields) used here.
type benchRecord struct {
	ModelType string    `json:"model_type"`
	ModelSize uint64    `json:"model_size"`
	NPrompt   int       `json:"n_prompt"`
	NGen      int       `json:"n_gen"`
	NThreads  int       `json:"n_threads"`
	SamplesTs []float64 `json:"samples_ts"`
}

// runAmulet runs amulet-run bench with method "base" or "amulet" (the realigned stream).
func runAmulet(ctx context.Context, o options, path string, threads int, method string, errOut io.Writer) ([]benchRecord, error) {
	args := []string{"bench", "-m", path, "-p", strconv.Itoa(o.prompt), "-n", strconv.Itoa(o.gen),
		"-t", strconv.Itoa(threads), "-r", strconv.Itoa(o.reps), "-o", "json", "--method", method}
	out, err := command(ctx, o.verbose, errOut, o.amulet, args...)
	if err != nil {
		return nil, err
	}
	recs, err := parseBenchJSON(out)
	if err != nil {
		return nil, fmt.Errorf("amulet-run bench on %s: %w", path, err)
	}
	if o.verbose {
		for _, r := range recs {
			fmt.Fprintf(errOut, "  amulet (%s) %s t=%d: %.2f t/s\n", method, testName(r.NPrompt, r.NGen), threads, mean(r.SamplesTs))
		}
	}
	return recs, nil
}

// runNative runs the native llama-bench with the same test sizes, threads and repetitions (it
// adds its own warm-up run); its JSON records have the fields amulet-run bench copies.
func runNative(ctx context.Context, o options, path string, threads int, errOut io.Writer) ([]benchRecord, error) {
	args := []string{"-m", path, "-p", strconv.Itoa(o.prompt), "-n", strconv.Itoa(o.gen),
		"-t", strconv.Itoa(threads), "-r", strconv.Itoa(o.reps), "-o", "json"}
	out, err := command(ctx, o.verbose, errOut, o.native, args...)
	if err != nil {
		return nil, err
	}
	recs, err := parseBenchJSON(out)
	if err != nil {
		return nil, fmt.Errorf("llama-bench on %s: %w", path, err)
	}
	if o.verbose {
		for _, r := range recs {
			fmt.Fprintf(errOut, "  llama-bench %s t=%d: %.2f t/s\n", testName(r.NPrompt, r.NGen), threads, mean(r.SamplesTs))
		}
	}
	return recs, nil
}

// parseBenchJSON reads llama-bench's `-o json` array (amulet-run bench prints the same fields).
func parseBenchJSON(data []byte) ([]benchRecord, error) {
	var recs []benchRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("reading its JSON output: %w", err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("no results in its JSON output")
	}
	for _, r := range recs {
		if len(r.SamplesTs) == 0 {
			return nil, fmt.Errorf("result for n_prompt %d n_gen %d has no samples_ts", r.NPrompt, r.NGen)
		}
	}
	return recs, nil
}

// llamaTiming is the part of llama-ref's JSON output used here.
type llamaTiming struct {
	Timing struct {
		Runs []struct {
			Warmup    bool `json:"warmup"`
			LlamaPerf struct {
				PromptEval *struct {
					TokPerS float64 `json:"tok_per_s"`
				} `json:"prompt_eval"`
				Eval *struct {
					TokPerS float64 `json:"tok_per_s"`
				} `json:"eval"`
			} `json:"llama_perf"`
		} `json:"runs"`
	} `json:"timing"`
}

// parseLlamaTiming returns llama.cpp's own prompt and generation tokens/s of each timed run.
func parseLlamaTiming(data []byte) (pp, tg []float64, err error) {
	var t llamaTiming
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, nil, fmt.Errorf("llama-ref output: %w", err)
	}
	for _, r := range t.Timing.Runs {
		if r.Warmup {
			continue
		}
		if r.LlamaPerf.PromptEval != nil {
			pp = append(pp, r.LlamaPerf.PromptEval.TokPerS)
		}
		if r.LlamaPerf.Eval != nil {
			tg = append(tg, r.LlamaPerf.Eval.TokPerS)
		}
	}
	if len(pp) == 0 && len(tg) == 0 {
		return nil, nil, fmt.Errorf("llama-ref output has no timed runs with llama.cpp counters")
	}
	return pp, tg, nil
}

func runLlama(ctx context.Context, o options, path string, ids []string, threads int, errOut io.Writer) (pp, tg []float64, err error) {
	prompt := ids
	if len(prompt) == 0 {
		prompt = []string{"3"} // llama-ref needs a prompt; its pp figure is then ignored
	}
	// --n gen+1: the first token comes from the prompt's logits; the other gen are decoded.
	args := []string{o.llamaRef, path, "--tokens", strings.Join(prompt, ","), "--n", strconv.Itoa(o.gen + 1),
		"--threads", strconv.Itoa(threads), "--reps", strconv.Itoa(o.reps), "--fa", "auto", "--kv", "default",
		"--no-eog-stop", "--last-only", "--no-gen-topk", "--topk", "1",
		"--ctx", strconv.Itoa(max(256, len(prompt)+o.gen+8))}
	out, err := command(ctx, o.verbose, errOut, o.node, args...)
	if err != nil {
		return nil, nil, err
	}
	pp, tg, err = parseLlamaTiming(out)
	if err == nil && o.verbose {
		fmt.Fprintf(errOut, "  llama.cpp t=%d: pp %.2f tg %.2f t/s\n", threads, mean(pp), mean(tg))
	}
	return pp, tg, err
}

// command runs a program and returns its stdout; a failure includes the end of its stderr.
func command(ctx context.Context, verbose bool, errOut io.Writer, name string, args ...string) ([]byte, error) {
	if verbose {
		fmt.Fprintf(errOut, "%s %s\n", name, strings.Join(shortArgs(args), " "))
	}
	cmd := exec.CommandContext(ctx, name, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	out, err := cmd.Output()
	if err != nil {
		tail := stderr.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return nil, fmt.Errorf("%s %s: %w: %s", filepath.Base(name), strings.Join(shortArgs(args), " "), err, strings.TrimSpace(tail))
	}
	if verbose {
		fmt.Fprintf(errOut, "  (%.1f s)\n", time.Since(start).Seconds())
	}
	return out, nil
}

// shortArgs abbreviates a long token list for messages.
func shortArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if len(a) > 60 {
			a = a[:40] + "...(" + strconv.Itoa(strings.Count(a, ",")+1) + " ids)"
		}
		out[i] = a
	}
	return out
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// stdev is the sample standard deviation (llama-bench's), 0 for fewer than two values.
func stdev(v []float64) float64 {
	if len(v) < 2 {
		return 0
	}
	m, s := mean(v), 0.0
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	return math.Sqrt(s / float64(len(v)-1))
}

// issueNative are the native llama-bench figures issue 6 gives (synthetic TinyLlama-1.1B files,
// llama-bench -t 2 -p 128 -n 64, tokens/s), measured on another machine: shown only when no
// native llama-bench ran here.
var issueNative = map[string]map[string]float64{
	"llama 1B Q8_0":          {"pp128": 140, "tg64": 33.4},
	"llama 1B Q4_0":          {"pp128": 290, "tg64": 62.5},
	"llama 1B Q4_K - Medium": {"pp128": 207, "tg64": 58.1},
	"llama 1B F16":           {"pp128": 187, "tg64": 20.5},
}

// roundRatios is amulet's mean over llama.cpp's mean in each round: the spread of the ratio
// measured side by side.
func roundRatios(a, l *engineRuns) []float64 {
	var r []float64
	for i := range min(len(a.rounds), len(l.rounds)) {
		if len(a.rounds[i]) > 0 && len(l.rounds[i]) > 0 {
			r = append(r, mean(a.rounds[i])/mean(l.rounds[i]))
		}
	}
	return r
}

// versus formats one reference engine's cells: its t/s ± sd (with a note), amulet's ratio to it
// and that ratio per round.
func versus(a, l *engineRuns, note string) string {
	if l == nil || len(l.all()) == 0 {
		return " - | - | - |"
	}
	as, ls := a.all(), l.all()
	rr := roundRatios(a, l)
	parts := make([]string, len(rr))
	for i, x := range rr {
		parts[i] = fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf(" %.2f ± %.2f%s | %.2f | %s |", mean(ls), stdev(ls), note, mean(as)/mean(ls), strings.Join(parts, " "))
}

func writeReport(w io.Writer, o options, res *modelResult) {
	fmt.Fprintf(w, "\n%s (%s, %.2f MiB), -p %d -n %d, %d rounds x %d reps per engine, alternating\n\n",
		res.desc, filepath.Base(res.path), float64(res.size)/(1<<20), o.prompt, o.gen, o.rounds, o.reps)
	fmt.Fprintln(w, "| test | threads | amulet t/s | node-llama-cpp t/s | ratio | per round | llama-bench (native) t/s | ratio | per round |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |")
	for _, k := range res.tests {
		a := res.amulet[k]
		as := a.all()
		line := fmt.Sprintf("| %s | %d | %.2f ± %.2f |", k.test, k.threads, mean(as), stdev(as))
		note := ""
		if k.threads > 1 {
			note = " (lower bound)"
		}
		line += versus(a, res.llama[k], note)
		if nat := res.native[k]; nat != nil {
			line += versus(a, nat, "")
		} else if fig, ok := issueNative[res.desc][k.test]; ok && k.threads == 2 {
			line += fmt.Sprintf(" %.1f (issue 6, another machine) | %.2f | - |", fig, mean(as)/fig)
		} else {
			line += " - | - | - |"
		}
		fmt.Fprintln(w, line)
	}
	if len(res.x2) == 0 {
		return
	}
	fmt.Fprint(w, "\nRealigned stream (--method amulet: base and preference contexts decoded as one batch of 2 per token):\n\n")
	fmt.Fprintln(w, "| test | threads | one context t/s | realigned stream t/s | cost of the 2nd context |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: |")
	for _, k := range res.tests {
		x := res.x2[k]
		if x == nil {
			continue
		}
		as, xs := res.amulet[k].all(), x.all()
		// cost: time per realigned token over time per single-context token, minus one.
		fmt.Fprintf(w, "| %s | %d | %.2f ± %.2f | %.2f ± %.2f | %+.0f%% |\n", k.test, k.threads,
			mean(as), stdev(as), mean(xs), stdev(xs), 100*(mean(as)/mean(xs)-1))
	}
}
