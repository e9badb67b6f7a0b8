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
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
)

// Limits that turn absurd flag values into clear errors instead of huge allocations.
const (
	benchMaxTokens  = 1 << 20 // -p, -n
	benchMaxThreads = 1024    // -t
	benchMaxReps    = 10000   // -r
	benchMaxValues  = 1000    // values in one comma list or range
)

// benchParams are the parsed flags of the bench command.
type benchParams struct {
	model      string
	prompts    []int // -p: one pp test each (0 values skipped)
	gens       []int // -n: one tg test each (0 values skipped)
	threads    []int // -t
	reps       int   // -r
	batch      int   // -b: rows per Forward during prompt processing
	kv         gguf.Type
	method     string // "base" or "amulet"
	output     string // "md" or "json"
	cpuProfile string
	verbose    bool
	noRepack   bool // keep the file's weight layout
}

// benchTest is one line of the report: a pp or tg test at one thread count and its timings.
type benchTest struct {
	prompt, gen, threads int
	amulet               bool      // two contexts decoded as one batch of 2 (the realigned stream)
	time                 time.Time // when the test started
	samplesNs            []uint64
}

// runBench measures prompt processing (pp) and token generation (tg) speed the way llama.cpp's
// llama-bench does, and prints its markdown table or JSON array.
func runBench(ctx context.Context, args []string, s streams) error {
	p, err := parseBenchArgs(args, s.err)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed, exit 0
	}
	if err != nil {
		return err
	}
	start := time.Now()
	f, err := gguf.Open(p.model)
	if err != nil {
		return err
	}
	defer f.Close()
	m, err := model.LoadWith(f, model.LoadOptions{NoRepack: p.noRepack})
	if err != nil {
		return fmt.Errorf("%s: %w", p.model, err)
	}
	info := describeBenchModel(p.model, f, m)
	if err := checkBenchMemory(p, m); err != nil {
		return err
	}
	if p.verbose {
		fmt.Fprintf(s.err, "bench: %s loaded in %.1f ms (%s, %s)\n", p.model,
			msSince(start), info.desc, formatBenchSize(info.size))
	}
	if p.cpuProfile != "" {
		pf, err := os.Create(p.cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("cpu profile %s: %w", p.cpuProfile, err)
		}
		defer pprof.StopCPUProfile()
	}

	w := bufio.NewWriter(s.out)
	defer w.Flush()
	pr := newBenchPrinter(p, info)
	pr.header(w)
	w.Flush()
	first := true
	warmed := func() {
		if first && p.verbose {
			fmt.Fprintf(s.err, "bench: first warm-up pass done %.1f ms after start (load to first token with -p 0 -n 1)\n", msSince(start))
		}
		first = false
	}
	for _, t := range benchTests(p) {
		if err := runBenchTest(ctx, p, m, info, &t, warmed, s.err); err != nil {
			return err
		}
		pr.test(w, t)
		w.Flush()
	}
	pr.footer(w)
	return w.Flush()
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

// parseBenchArgs parses and checks the flags; errors name the flag and the accepted range.
func parseBenchArgs(args []string, errOut io.Writer) (benchParams, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(errOut)
	p := benchParams{}
	fs.StringVar(&p.model, "m", "", "GGUF model `file` (required)")
	prompts := fs.String("p", "512", "prompt `lengths` for pp tests (comma list or first-last[+|*step]; 0: none)")
	gens := fs.String("n", "128", "generated `tokens` for tg tests (comma list or range; 0: none)")
	threads := fs.String("t", "2", "`threads` (comma list or range)")
	fs.IntVar(&p.reps, "r", 5, "`repetitions` of each test (after one warm-up run)")
	fs.IntVar(&p.batch, "b", 512, "prompt `batch` size: rows per forward pass")
	kv := fs.String("kv", "f16", "KV cache `type`: f16 or f32")
	fs.StringVar(&p.method, "method", "base", "`method`: base (one context) or amulet (two contexts decoded as one batch of 2)")
	fs.StringVar(&p.output, "o", "md", "output `format`: md or json")
	fs.StringVar(&p.cpuProfile, "cpuprofile", "", "write a CPU profile of the tests to `file`")
	fs.BoolVar(&p.noRepack, "no-repack", false, "keep the weights in the file's layout, no repacking at load (llama-bench's -nr 1)")
	fs.BoolVar(&p.verbose, "v", false, "print load and first-test times to stderr")
	fs.Usage = func() {
		fmt.Fprintln(errOut, "usage: amulet-run bench -m FILE [-p 512] [-n 128] [-t 2] [-r 5] [--method base|amulet] [-o md|json]")
		fmt.Fprintln(errOut, "\nMeasures prompt processing (ppN: N prompt tokens in batches) and token generation")
		fmt.Fprintln(errOut, "(tgN: N tokens one at a time) like llama.cpp's llama-bench: one warm-up run, then -r")
		fmt.Fprintln(errOut, "timed repetitions with random token ids; prints llama-bench's table or JSON.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return p, flag.ErrHelp
		}
		return p, errUsage
	}
	if fs.NArg() != 0 {
		return p, fmt.Errorf("unexpected argument %q (the model is given with -m)", fs.Arg(0))
	}
	if p.model == "" {
		fs.Usage()
		return p, errUsage
	}
	var err error
	if p.prompts, err = parseBenchList("-p", *prompts, 0, benchMaxTokens); err != nil {
		return p, err
	}
	if p.gens, err = parseBenchList("-n", *gens, 0, benchMaxTokens); err != nil {
		return p, err
	}
	if p.threads, err = parseBenchList("-t", *threads, 1, benchMaxThreads); err != nil {
		return p, err
	}
	if !anyPositive(p.prompts) && !anyPositive(p.gens) {
		return p, fmt.Errorf("-p %s and -n %s: nothing to measure (give a positive -p or -n)", *prompts, *gens)
	}
	if p.reps < 1 || p.reps > benchMaxReps {
		return p, fmt.Errorf("-r %d: want 1..%d repetitions", p.reps, benchMaxReps)
	}
	if p.batch < 1 || p.batch > benchMaxTokens {
		return p, fmt.Errorf("-b %d: want a batch of 1..%d rows", p.batch, benchMaxTokens)
	}
	switch strings.ToLower(*kv) {
	case "f16":
		p.kv = gguf.TypeF16
	case "f32":
		p.kv = gguf.TypeF32
	default:
		return p, fmt.Errorf("--kv %q: want f16 or f32", *kv)
	}
	if p.method != "base" && p.method != "amulet" {
		return p, fmt.Errorf("--method %q: want base or amulet", p.method)
	}
	if p.output != "md" && p.output != "json" {
		return p, fmt.Errorf("-o %q: want md or json", p.output)
	}
	return p, nil
}

func anyPositive(v []int) bool {
	for _, x := range v {
		if x > 0 {
			return true
		}
	}
	return false
}

// parseBenchList parses llama-bench's integer lists: comma-separated items, each a number or a
// range first-last, first-last+step or first-last*step. Every value must lie in [lo, hi].
func parseBenchList(flagName, s string, lo, hi int) ([]int, error) {
	bad := func(why string) error {
		return fmt.Errorf("%s %q: %s (want comma-separated integers in %d..%d, or ranges first-last[+step|*step])",
			flagName, s, why, lo, hi)
	}
	if strings.TrimSpace(s) == "" {
		return nil, bad("empty")
	}
	var out []int
	for _, item := range strings.Split(s, ",") {
		first, last, op, step, err := splitBenchRange(strings.TrimSpace(item))
		if err != nil {
			return nil, bad(err.Error())
		}
		for _, v := range []int{first, last} {
			if v < lo || v > hi {
				return nil, bad(fmt.Sprintf("%d out of range", v))
			}
		}
		if last < first {
			return nil, bad(fmt.Sprintf("range %d-%d goes down", first, last))
		}
		for v := first; v <= last; {
			if len(out) == benchMaxValues {
				return nil, bad(fmt.Sprintf("more than %d values", benchMaxValues))
			}
			out = append(out, v)
			next := v + step
			if op == '*' {
				next = v * step
			}
			if next <= v {
				return nil, bad("the step does not advance")
			}
			v = next
		}
	}
	return out, nil
}

// splitBenchRange parses "first", "first-last", "first-last+step" or "first-last*step".
func splitBenchRange(item string) (first, last int, op byte, step int, err error) {
	op, step = '+', 1
	num := func(t string) (int, error) {
		if t == "" || strings.ContainsAny(t, "+-") {
			return 0, fmt.Errorf("%q is not a non-negative integer", t)
		}
		v, err := strconv.Atoi(t)
		if err != nil {
			return 0, fmt.Errorf("%q is not a non-negative integer", t)
		}
		return v, nil
	}
	head, rest, isRange := strings.Cut(item, "-")
	if first, err = num(head); err != nil {
		return
	}
	if !isRange {
		return first, first, op, step, nil
	}
	lastText := rest
	if i := strings.IndexAny(rest, "+*"); i >= 0 {
		lastText, op = rest[:i], rest[i]
		if step, err = num(rest[i+1:]); err != nil {
			return
		}
	}
	if last, err = num(lastText); err != nil {
		return
	}
	return first, last, op, step, nil
}

// benchModelInfo is what the report says about the model, computed like llama.cpp does.
type benchModelInfo struct {
	path        string
	desc        string // llama_model_desc: "llama 1B Q4_K - Medium"
	size        uint64 // bytes of all tensors
	params      uint64 // elements of all tensors
	vocab       int
	bos         int32 // first token of a prompt, or -1 for a random one
	layers      int
	kvDim       int
	contextSize int
}

// describeBenchModel computes llama-bench's model columns: the description (architecture, size
// class and file type, as llama_model_desc), the tensor bytes and the parameter count.
func describeBenchModel(path string, f *gguf.File, m *model.Model) benchModelInfo {
	info := benchModelInfo{path: path, vocab: m.Config.Vocab, bos: -1, layers: m.Config.Layers,
		kvDim: m.Config.KVHeads * m.Config.HeadDim, contextSize: m.Config.ContextLength}
	for i := range f.Tensors {
		info.size += uint64(f.Tensors[i].Size)
		info.params += uint64(f.Tensors[i].Elements())
	}
	arch := f.Architecture()
	vocab := uint64(m.Config.Vocab)
	if v, err := f.Uint(f.ArchKey("vocab_size")); err == nil {
		vocab = v
	} else if toks, err := f.Strings("tokenizer.ggml.tokens"); err == nil {
		vocab = uint64(len(toks))
	}
	c := m.Config
	info.desc = arch + " " + benchSizeClass(arch, c.Layers, c.Hidden, c.Heads, c.KVHeads, vocab) + " " + benchFileTypeName(f)
	addBOS := true
	if v, err := f.Bool("tokenizer.ggml.add_bos_token"); err == nil {
		addBOS = v
	}
	if id, err := f.Uint("tokenizer.ggml.bos_token_id"); err == nil && addBOS && id < uint64(m.Config.Vocab) {
		info.bos = int32(id)
	}
	return info
}

// benchSizeClass is llama.cpp's size label (llm_type_name of the type load_hparams picks) for
// the architectures amulet runs; "?B" where llama.cpp does not know the shape.
func benchSizeClass(arch string, layers, hidden, heads, kvHeads int, vocab uint64) string {
	switch arch {
	case "llama":
		switch layers {
		case 16, 22:
			return "1B"
		case 26, 28:
			return "3B"
		case 30:
			return "256M"
		case 32:
			switch {
			case vocab == 49152:
				return "3B"
			case vocab < 40000:
				return "7B"
			}
			return "8B"
		case 36:
			return "8B"
		case 40:
			return "13B"
		case 48:
			return "34B"
		case 60:
			return "30B"
		case 80:
			if heads == kvHeads {
				return "65B"
			}
			return "70B"
		}
	case "qwen2":
		switch layers {
		case 24:
			if hidden == 1024 {
				return "0.5B"
			}
			return "1B"
		case 28:
			if hidden == 1536 {
				return "1.5B"
			}
			return "7B"
		case 32:
			return "7B"
		case 36:
			return "3B"
		case 40:
			if heads == 20 {
				return "4B"
			}
			return "13B"
		case 48:
			return "14B"
		case 64:
			return "32B"
		case 80:
			return "70B"
		}
	}
	return "?B"
}

// benchGuessedFileTypes maps the most common tensor type to a file type when general.file_type is
// absent, as llama_model_loader does.
var benchGuessedFileTypes = map[gguf.Type]uint64{
	gguf.TypeF32: 0, gguf.TypeF16: 1, gguf.TypeBF16: 32, gguf.TypeQ4_0: 2, gguf.TypeQ4_1: 3,
	gguf.TypeQ5_0: 8, gguf.TypeQ5_1: 9, gguf.TypeQ8_0: 7, gguf.TypeQ2_K: 10, gguf.TypeQ3_K: 12,
	gguf.TypeQ4_K: 15, gguf.TypeQ5_K: 17, gguf.TypeQ6_K: 18,
}

// benchFileTypeName is llama_ftype_name of the file's type: general.file_type, or else a guess from
// the most common tensor type, prefixed "(guessed) " as llama.cpp does.
func benchFileTypeName(f *gguf.File) string {
	name := func(ft uint64) string {
		if n, ok := gguf.FileTypeName(ft); ok {
			return n
		}
		return "unknown, may not work"
	}
	if ft, err := f.Uint(gguf.KeyFileType); err == nil {
		return name(ft)
	}
	counts := map[gguf.Type]int{}
	var most gguf.Type
	best := 0
	for i := range f.Tensors {
		t := f.Tensors[i].Type
		counts[t]++
		if counts[t] > best {
			best, most = counts[t], t
		}
	}
	ft, ok := benchGuessedFileTypes[most]
	if !ok {
		ft = 0
	}
	return "(guessed) " + name(ft)
}

// checkBenchMemory refuses, before any test runs, tests whose KV cache would not fit in the
// machine's memory.
func checkBenchMemory(p benchParams, m *model.Model) error {
	seqs := 1
	if p.method == "amulet" {
		seqs = 2
	}
	for _, n := range append(append([]int{}, p.prompts...), p.gens...) {
		if n == 0 {
			continue
		}
		if err := m.CheckKVCache(model.SessionOptions{MaxSequences: seqs, ContextLength: n, KVType: p.kv, Threads: 1}); err != nil {
			return fmt.Errorf("a context of %d tokens: %w", n, err)
		}
	}
	return nil
}

// benchTests lists the tests in llama-bench's order: for each thread count, the pp tests, then
// the tg tests.
func benchTests(p benchParams) []benchTest {
	var tests []benchTest
	for _, t := range p.threads {
		for _, n := range p.prompts {
			if n > 0 {
				tests = append(tests, benchTest{prompt: n, threads: t, amulet: p.method == "amulet"})
			}
		}
		for _, n := range p.gens {
			if n > 0 {
				tests = append(tests, benchTest{gen: n, threads: t, amulet: p.method == "amulet"})
			}
		}
	}
	return tests
}

// benchRunner runs one test's passes on a session, with buffers sized once.
type benchRunner struct {
	s       *model.Session
	info    benchModelInfo
	batch   int
	seqs    int // 1, or 2 for the realigned stream
	rng     *rand.Rand
	b       model.Batch
	comb    *amulet.Combiner
	scores  []float32
	prefRow [][]float32
}

// runBenchTest runs the warm-up and the timed repetitions of t.
// warmed is called after the warm-up pass.
func runBenchTest(ctx context.Context, p benchParams, m *model.Model, info benchModelInfo, t *benchTest, warmed func(), errOut io.Writer) error {
	seqs := 1
	if t.amulet {
		seqs = 2
	}
	s, err := m.NewSession(model.SessionOptions{Threads: t.threads, MaxSequences: seqs,
		ContextLength: max(t.prompt+t.gen, 1), KVType: p.kv, BatchSize: p.batch})
	if err != nil {
		return err
	}
	defer s.Close()
	r := &benchRunner{s: s, info: info, batch: p.batch, seqs: seqs, rng: rand.New(rand.NewPCG(1, 2))}
	rows := max(min(p.batch, t.prompt*seqs), seqs)
	r.b = model.Batch{Tokens: make([]int32, 0, rows), Positions: make([]int32, 0, rows),
		Seqs: make([]int32, 0, rows), Logits: make([]bool, 0, rows)}
	if t.amulet {
		if r.comb, err = amulet.NewCombiner(amulet.MethodAmulet, amulet.Params{}, []float64{1}, info.vocab); err != nil {
			return err
		}
		r.scores = make([]float32, info.vocab)
		r.prefRow = make([][]float32, 1)
	}
	t.time = time.Now().UTC()
	// Warm-up as llama-bench: the whole prompt, or one generated token.
	if err := r.pass(ctx, t.prompt, min(t.gen, 1)); err != nil {
		return err
	}
	warmed()
	for i := 0; i < p.reps; i++ {
		if p.verbose {
			fmt.Fprintf(errOut, "bench: %s t=%d run %d/%d\n", benchTestName(*t), t.threads, i+1, p.reps)
		}
		start := time.Now()
		if err := r.pass(ctx, t.prompt, t.gen); err != nil {
			return err
		}
		t.samplesNs = append(t.samplesNs, uint64(time.Since(start).Nanoseconds()))
	}
	return nil
}

// pass clears the cache, then processes a prompt of n tokens in batches and generates g tokens one
// at a time, as llama-bench's test_prompt and test_gen (random ids; the first is BOS when the
// model adds one).
func (r *benchRunner) pass(ctx context.Context, n, g int) error {
	for seq := range r.seqs {
		if err := r.s.Truncate(int32(seq), 0); err != nil {
			return err
		}
	}
	pos := 0
	for pos < n {
		// Each chunk holds the same positions of every sequence; at least one row per sequence.
		k := min(n-pos, max(r.batch/r.seqs, 1))
		r.reset()
		for seq := range r.seqs {
			for i := range k {
				r.add(r.token(pos+i), pos+i, seq, i == k-1)
			}
		}
		if err := r.s.Forward(ctx, r.b); err != nil {
			return err
		}
		pos += k
	}
	tok := r.token(0)
	for i := range g {
		r.reset()
		for seq := range r.seqs {
			r.add(tok, pos+i, seq, true)
		}
		if err := r.s.Forward(ctx, r.b); err != nil {
			return err
		}
		if r.comb != nil {
			r.prefRow[0] = r.s.Logits(1)
			r.comb.Combine(r.scores, r.s.Logits(0), r.prefRow)
		}
		tok = r.token(1)
	}
	return nil
}

func (r *benchRunner) reset() {
	r.b.Tokens, r.b.Positions, r.b.Seqs, r.b.Logits = r.b.Tokens[:0], r.b.Positions[:0], r.b.Seqs[:0], r.b.Logits[:0]
}

func (r *benchRunner) add(tok int32, pos, seq int, logits bool) {
	r.b.Tokens = append(r.b.Tokens, tok)
	r.b.Positions = append(r.b.Positions, int32(pos))
	r.b.Seqs = append(r.b.Seqs, int32(seq))
	r.b.Logits = append(r.b.Logits, logits)
}

// token is the id fed at position pos: BOS first when the model adds one, else random.
func (r *benchRunner) token(pos int) int32 {
	if pos == 0 && r.info.bos >= 0 {
		return r.info.bos
	}
	return int32(r.rng.IntN(r.info.vocab))
}

// Statistics as llama-bench computes them: tokens/s per sample, mean and sample standard
// deviation.
func (t benchTest) tokens() int { return t.prompt + t.gen }

func (t benchTest) samplesTs() []float64 {
	ts := make([]float64, len(t.samplesNs))
	for i, ns := range t.samplesNs {
		ts[i] = 1e9 * float64(t.tokens()) / float64(ns)
	}
	return ts
}

func benchMean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	return sum / float64(len(v))
}

// benchStdev is the sample standard deviation (n-1), 0 for fewer than two samples.
func benchStdev(v []float64) float64 {
	if len(v) <= 1 {
		return 0
	}
	mean, sq := benchMean(v), 0.0
	for _, x := range v {
		sq += (x - mean) * (x - mean)
	}
	return math.Sqrt(sq / float64(len(v)-1))
}

func (t benchTest) nsFloats() []float64 {
	v := make([]float64, len(t.samplesNs))
	for i, ns := range t.samplesNs {
		v[i] = float64(ns)
	}
	return v
}

// benchTestName is llama-bench's test column: "pp512", "tg128"; realigned-stream tests say
// "(amulet x2)".
func benchTestName(t benchTest) string {
	var name string
	switch {
	case t.prompt > 0 && t.gen == 0:
		name = fmt.Sprintf("pp%d", t.prompt)
	case t.gen > 0 && t.prompt == 0:
		name = fmt.Sprintf("tg%d", t.gen)
	default:
		name = fmt.Sprintf("pp%d+tg%d", t.prompt, t.gen)
	}
	if t.amulet {
		name += " (amulet x2)"
	}
	return name
}

// formatBenchSize is llama-bench's size column.
func formatBenchSize(b uint64) string {
	if b < 1<<30 {
		return fmt.Sprintf("%.2f MiB", float64(b)/1024/1024)
	}
	return fmt.Sprintf("%.2f GiB", float64(b)/1024/1024/1024)
}

// formatBenchParams is llama-bench's params column.
func formatBenchParams(n uint64) string {
	if n < 1000*1000*1000 {
		return fmt.Sprintf("%.2f M", float64(n)/1e6)
	}
	return fmt.Sprintf("%.2f B", float64(n)/1e9)
}

// benchPrinter writes the report as llama-bench's markdown table or JSON array.
type benchPrinter struct {
	p      benchParams
	info   benchModelInfo
	fields []string // markdown columns
	n      int      // tests printed
}

func newBenchPrinter(p benchParams, info benchModelInfo) *benchPrinter {
	return &benchPrinter{p: p, info: info}
}

// benchFieldWidth is llama-bench's markdown column width; negative means left-aligned.
func benchFieldWidth(field string) int {
	switch field {
	case "model":
		return -30
	case "t/s":
		return 20
	case "size", "params":
		return 10
	case "threads", "n_batch":
		return 7
	case "type_k", "type_v":
		return 6
	case "test":
		return 15
	}
	return -max(len(field), 10) // the remaining columns are strings
}

func (pr *benchPrinter) header(w io.Writer) {
	if pr.p.output == "json" {
		fmt.Fprint(w, "[\n")
		return
	}
	pr.fields = []string{"model", "size", "params", "backend", "threads"}
	if pr.p.batch != 512 {
		pr.fields = append(pr.fields, "n_batch")
	}
	if pr.p.kv != gguf.TypeF16 {
		pr.fields = append(pr.fields, "type_k", "type_v")
	}
	pr.fields = append(pr.fields, "test", "t/s")
	fmt.Fprint(w, "|")
	for _, f := range pr.fields {
		fmt.Fprintf(w, " %*s |", benchFieldWidth(f), f)
	}
	fmt.Fprint(w, "\n|")
	for _, f := range pr.fields {
		wd := benchFieldWidth(f)
		end := "-"
		if wd > 0 {
			end = ":"
		}
		if wd < 0 {
			wd = -wd
		}
		fmt.Fprintf(w, " %s%s |", strings.Repeat("-", wd-1), end)
	}
	fmt.Fprint(w, "\n")
}

func (pr *benchPrinter) test(w io.Writer, t benchTest) {
	if pr.p.output == "json" {
		pr.jsonTest(w, t)
		return
	}
	fmt.Fprint(w, "|")
	for _, f := range pr.fields {
		var v string
		switch f {
		case "model":
			v = pr.info.desc
		case "size":
			v = formatBenchSize(pr.info.size)
		case "params":
			v = formatBenchParams(pr.info.params)
		case "backend":
			v = "CPU"
		case "threads":
			v = strconv.Itoa(t.threads)
		case "n_batch":
			v = strconv.Itoa(pr.p.batch)
		case "type_k", "type_v":
			v = strings.ToLower(pr.p.kv.String())
		case "test":
			v = benchTestName(t)
		case "t/s":
			ts := t.samplesTs()
			v = fmt.Sprintf("%.2f ± %.2f", benchMean(ts), benchStdev(ts))
		}
		// Go pads by runes, so "±" counts as one column, as llama-bench's width+1 for its 2 bytes.
		fmt.Fprintf(w, " %*s |", benchFieldWidth(f), v)
	}
	fmt.Fprint(w, "\n")
}

func (pr *benchPrinter) footer(w io.Writer) {
	if pr.p.output == "json" {
		fmt.Fprint(w, "\n]\n")
		return
	}
	fmt.Fprintf(w, "\nbuild: %s (amulet, %s)\n", benchBuildCommit(), runtime.Version())
}

// jsonTest writes one test object with llama-bench's field names, in its order and layout.
func (pr *benchPrinter) jsonTest(w io.Writer, t benchTest) {
	if pr.n > 0 {
		fmt.Fprint(w, ",\n")
	}
	pr.n++
	str := benchJSONString
	kv := strings.ToLower(pr.p.kv.String())
	ts := t.samplesTs()
	ns := t.nsFloats()
	fields := []struct{ k, v string }{
		{"build_commit", str(benchBuildCommit())},
		{"build_number", "0"},
		{"cpu_info", str(benchCPUInfo())},
		{"gpu_info", str("")},
		{"backends", str("CPU")},
		{"model_filename", str(pr.info.path)},
		{"model_type", str(pr.info.desc)},
		{"model_size", strconv.FormatUint(pr.info.size, 10)},
		{"model_n_params", strconv.FormatUint(pr.info.params, 10)},
		{"n_batch", strconv.Itoa(pr.p.batch)},
		{"n_ubatch", strconv.Itoa(pr.p.batch)},
		{"n_threads", strconv.Itoa(t.threads)},
		{"cpu_mask", str("0x0")},
		{"cpu_strict", "false"},
		{"poll", "0"},
		{"type_k", str(kv)},
		{"type_v", str(kv)},
		{"n_gpu_layers", "0"},
		{"n_cpu_moe", "0"},
		{"split_mode", str("none")},
		{"main_gpu", "0"},
		{"no_kv_offload", "false"},
		{"flash_attn", "0"},
		{"devices", str("CPU")},
		{"tensor_split", str("0.00")},
		{"tensor_buft_overrides", str("none")},
		{"load_mode", str("mmap")},
		{"lazy_mode", str("none")},
		{"embeddings", "false"},
		{"no_op_offload", "0"},
		{"no_host", "false"},
		{"fit_target", "0"},
		{"fit_min_ctx", "0"},
		{"n_prompt", strconv.Itoa(t.prompt)},
		{"n_gen", strconv.Itoa(t.gen)},
		{"n_depth", "0"},
		{"test_time", str(t.time.Format("2006-01-02T15:04:05Z"))},
		{"avg_ns", strconv.FormatUint(uint64(math.Round(benchMean(ns))), 10)},
		{"stddev_ns", strconv.FormatUint(uint64(math.Round(benchStdev(ns))), 10)},
		{"avg_ts", strconv.FormatFloat(benchMean(ts), 'f', 6, 64)},
		{"stddev_ts", strconv.FormatFloat(benchStdev(ts), 'f', 6, 64)},
		{"engine", str("amulet")},
		{"method", str(pr.p.method)},
		{"test", str(benchTestName(t))},
	}
	fmt.Fprint(w, "  {\n")
	for _, f := range fields {
		fmt.Fprintf(w, "    %q: %s,\n", f.k, f.v)
	}
	nsText := make([]string, len(t.samplesNs))
	for i, v := range t.samplesNs {
		nsText[i] = strconv.FormatUint(v, 10)
	}
	tsText := make([]string, len(ts))
	for i, v := range ts {
		tsText[i] = strconv.FormatFloat(v, 'g', 6, 64)
	}
	fmt.Fprintf(w, "    \"samples_ns\": [ %s ],\n", strings.Join(nsText, ", "))
	fmt.Fprintf(w, "    \"samples_ts\": [ %s ]\n", strings.Join(tsText, ", "))
	fmt.Fprint(w, "  }")
}

// benchJSONString is s as a JSON string literal.
func benchJSONString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// benchBuildCommit is the VCS revision the binary was built from (7 hex digits), or "unknown".
func benchBuildCommit() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				return s.Value[:7]
			}
		}
	}
	return "unknown"
}

// benchCPUInfo is the CPU's model name from /proc/cpuinfo, or the architecture.
func benchCPUInfo() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				return strings.TrimSpace(v)
			}
		}
	}
	return runtime.GOARCH
}
