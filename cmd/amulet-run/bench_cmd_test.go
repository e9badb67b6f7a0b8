package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
)

// runBenchCLI runs the CLI as main does and returns status, stdout and stderr.
func runBenchCLI(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), append([]string{"bench"}, args...), streams{strings.NewReader(""), &out, &errOut})
	return code, out.String(), errOut.String()
}

// benchSharedModel finds a file of ../shared/models, skipping when absent.
func benchSharedModel(t *testing.T, name string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "models", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skipf("../shared/models/%s not found next to the repository: skipping", name)
		}
		dir = parent
	}
}

func TestParseBenchListLikeLlamaBench(t *testing.T) {
	// Expected lists follow llama-bench's parse_int_range: first[-last[(+|*)step]], comma-joined.
	cases := map[string][]int{
		"512":         {512},
		"0":           {0},
		"1,2":         {1, 2},
		"128,256,512": {128, 256, 512},
		"1-4":         {1, 2, 3, 4},
		"16-64*2":     {16, 32, 64},
		"0-10+5":      {0, 5, 10},
		"1, 2":        {1, 2},
	}
	for in, want := range cases {
		got, err := parseBenchList("-p", in, 0, benchMaxTokens)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("parseBenchList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "abc", "1,,2", "4-1", "1-8*1", "1-8+0", "2097152", "1-100000", "1.5", "+3"} {
		if got, err := parseBenchList("-p", in, 0, benchMaxTokens); err == nil {
			t.Errorf("parseBenchList(%q) = %v, want an error", in, got)
		} else if !strings.Contains(err.Error(), "-p") {
			t.Errorf("parseBenchList(%q): error %q does not name the flag", in, err)
		}
	}
}

func TestParseBenchArgsDefaultsAndLists(t *testing.T) {
	p, err := parseBenchArgs([]string{"-m", "x.gguf"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	// The defaults the issue asks for: -p 512 -n 128 -t 2 -r 5, base method, markdown, F16 KV
	// cache (llama-bench's default cache type).
	if !reflect.DeepEqual(p.prompts, []int{512}) || !reflect.DeepEqual(p.gens, []int{128}) ||
		!reflect.DeepEqual(p.threads, []int{2}) || p.reps != 5 || p.method != "base" || p.output != "md" ||
		p.kv != gguf.TypeF16 || p.batch != 512 {
		t.Errorf("defaults: %+v", p)
	}
	p, err = parseBenchArgs([]string{"-m", "x.gguf", "-p", "0", "-n", "16,32", "-t", "1,2", "-r", "3",
		"--method", "amulet", "-o", "json", "--kv", "f32"}, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	tests := benchTests(p)
	var names []string
	for _, tt := range tests {
		names = append(names, benchTestName(tt)+"@"+string(rune('0'+tt.threads)))
	}
	want := []string{"tg16 (amulet x2)@1", "tg32 (amulet x2)@1", "tg16 (amulet x2)@2", "tg32 (amulet x2)@2"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("tests %v, want %v", names, want)
	}
}

func TestBenchBadFlagsAreClearErrors(t *testing.T) {
	m := "x.gguf"
	cases := []struct {
		args []string
		want string // in the error message
	}{
		{[]string{"-m", m, "-p", "-5"}, "-p"},
		{[]string{"-m", m, "-n", "99999999"}, "-n"},
		{[]string{"-m", m, "-t", "0"}, "-t"},
		{[]string{"-m", m, "-t", "5000"}, "-t"},
		{[]string{"-m", m, "-r", "0"}, "-r"},
		{[]string{"-m", m, "-r", "1000000"}, "-r"},
		{[]string{"-m", m, "-b", "0"}, "-b"},
		{[]string{"-m", m, "-p", "0", "-n", "0"}, "nothing to measure"},
		{[]string{"-m", m, "--method", "magic"}, "--method"},
		{[]string{"-m", m, "-o", "csv"}, "-o"},
		{[]string{"-m", m, "--kv", "q4_0"}, "--kv"},
		{[]string{"-m", m, "extra"}, "unexpected argument"},
	}
	for _, c := range cases {
		code, out, errOut := runBenchCLI(c.args...)
		if code != 1 || out != "" || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: status %d, stdout %q, stderr %q; want status 1 and one line naming %q", c.args, code, out, errOut, c.want)
		}
	}
	if code, out, errOut := runBenchCLI("-h"); code != 0 || out != "" || !strings.Contains(errOut, "llama-bench") {
		t.Errorf("-h: status %d, stdout %q, stderr %q; want usage on stderr and status 0", code, out, errOut)
	}
	if code, _, errOut := runBenchCLI("-p", "8"); code != 2 || !strings.Contains(errOut, "usage: amulet-run bench") {
		t.Errorf("missing -m: status %d, stderr %q; want usage and status 2", code, errOut)
	}
	if code, _, errOut := runBenchCLI("-m", filepath.Join(t.TempDir(), "missing.gguf")); code != 1 || !strings.Contains(errOut, "missing.gguf") {
		t.Errorf("missing file: status %d, stderr %q", code, errOut)
	}
}

func TestBenchStatisticsLikeLlamaBench(t *testing.T) {
	// Two runs of 128 tokens in 1 s and 0.5 s: 128 and 256 t/s, mean 192, sample standard
	// deviation 64*sqrt(2) = 90.51 (llama-bench's stdev divides by n-1).
	tt := benchTest{gen: 128, threads: 2, samplesNs: []uint64{1e9, 5e8}}
	ts := tt.samplesTs()
	if ts[0] != 128 || ts[1] != 256 {
		t.Fatalf("samples_ts %v", ts)
	}
	if m, s := benchMean(ts), benchStdev(ts); m != 192 || math.Abs(s-64*math.Sqrt2) > 1e-12 {
		t.Errorf("mean %v stdev %v", m, s)
	}
	if s := benchStdev([]float64{5}); s != 0 {
		t.Errorf("stdev of one sample %v, want 0", s)
	}
}

func TestBenchMarkdownFormat(t *testing.T) {
	// The expected text is written from llama-bench's markdown_printer: widths model -30,
	// size/params 10, backend -10, threads 7, test 15, t/s 20 (plus one for the 2-byte "±").
	p := benchParams{output: "md", batch: 512, kv: gguf.TypeF16, method: "base"}
	info := benchModelInfo{desc: "llama 1B Q4_0", size: 635999 * 1000, params: 1100048384}
	pr := newBenchPrinter(p, info)
	var w bytes.Buffer
	pr.header(&w)
	pr.test(&w, benchTest{prompt: 512, threads: 2, samplesNs: []uint64{2e9, 2e9}})
	pr.test(&w, benchTest{gen: 128, threads: 2, samplesNs: []uint64{1e9, 5e8}})
	pr.test(&w, benchTest{gen: 128, threads: 1, amulet: true, samplesNs: []uint64{4e9}})
	want := "" +
		"| model                          |       size |     params | backend    | threads |            test |                  t/s |\n" +
		"| ------------------------------ | ---------: | ---------: | ---------- | ------: | --------------: | -------------------: |\n" +
		"| llama 1B Q4_0                  | 606.54 MiB |     1.10 B | CPU        |       2 |           pp512 |        256.00 ± 0.00 |\n" +
		"| llama 1B Q4_0                  | 606.54 MiB |     1.10 B | CPU        |       2 |           tg128 |       192.00 ± 90.51 |\n" +
		"| llama 1B Q4_0                  | 606.54 MiB |     1.10 B | CPU        |       1 | tg128 (amulet x2) |         32.00 ± 0.00 |\n"
	if w.String() != want {
		t.Errorf("got\n%s\nwant\n%s", w.String(), want)
	}
	// Sizes above 1 GiB and parameter counts below 1e9 switch units as llama-bench does.
	if s := formatBenchSize(2 << 30); s != "2.00 GiB" {
		t.Errorf("size %q", s)
	}
	if s := formatBenchParams(292800); s != "0.29 M" {
		t.Errorf("params %q", s)
	}
}

func TestBenchMarkdownExtraColumns(t *testing.T) {
	// llama-bench adds n_batch and type_k/type_v columns when they differ from its defaults.
	p := benchParams{output: "md", batch: 64, kv: gguf.TypeF32}
	pr := newBenchPrinter(p, benchModelInfo{desc: "m"})
	var w bytes.Buffer
	pr.header(&w)
	head := strings.SplitN(w.String(), "\n", 2)[0]
	want := "| model                          |       size |     params | backend    | threads | n_batch | type_k | type_v |            test |                  t/s |"
	if head != want {
		t.Errorf("header\n%s\nwant\n%s", head, want)
	}
}

// benchJSONRecord holds the llama-bench fields the compare tool and the issue rely on.
type benchJSONRecord struct {
	ModelFilename string    `json:"model_filename"`
	ModelType     string    `json:"model_type"`
	ModelSize     uint64    `json:"model_size"`
	ModelNParams  uint64    `json:"model_n_params"`
	NBatch        int       `json:"n_batch"`
	NThreads      int       `json:"n_threads"`
	TypeK         string    `json:"type_k"`
	NPrompt       int       `json:"n_prompt"`
	NGen          int       `json:"n_gen"`
	TestTime      string    `json:"test_time"`
	AvgNs         uint64    `json:"avg_ns"`
	StddevNs      uint64    `json:"stddev_ns"`
	AvgTs         float64   `json:"avg_ts"`
	StddevTs      float64   `json:"stddev_ts"`
	SamplesNs     []uint64  `json:"samples_ns"`
	SamplesTs     []float64 `json:"samples_ts"`
	Method        string    `json:"method"`
	Test          string    `json:"test"`
}

func TestBenchRunsStories260K(t *testing.T) {
	path := benchSharedModel(t, "stories260k-f32.gguf")
	code, out, errOut := runBenchCLI("-m", path, "-p", "8", "-n", "4", "-t", "1,2", "-r", "2", "-o", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	// Every key llama-bench's JSON printer writes must be there.
	var raw []map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, out)
	}
	keys := []string{"build_commit", "build_number", "cpu_info", "gpu_info", "backends", "model_filename",
		"model_type", "model_size", "model_n_params", "n_batch", "n_ubatch", "n_threads", "cpu_mask",
		"cpu_strict", "poll", "type_k", "type_v", "n_gpu_layers", "n_cpu_moe", "split_mode", "main_gpu",
		"no_kv_offload", "flash_attn", "devices", "tensor_split", "tensor_buft_overrides", "load_mode",
		"lazy_mode", "embeddings", "no_op_offload", "no_host", "fit_target", "fit_min_ctx", "n_prompt",
		"n_gen", "n_depth", "test_time", "avg_ns", "stddev_ns", "avg_ts", "stddev_ts", "samples_ns", "samples_ts"}
	if len(raw) != 4 {
		t.Fatalf("%d records, want 4 (pp8 and tg4 at 1 and 2 threads)", len(raw))
	}
	for _, k := range keys {
		if _, ok := raw[0][k]; !ok {
			t.Errorf("field %q missing", k)
		}
	}
	var recs []benchJSONRecord
	if err := json.Unmarshal([]byte(out), &recs); err != nil {
		t.Fatal(err)
	}
	// The model facts are independent of the code: ../shared/models/README.md lists 48 F32
	// tensors of 292,800 parameters and no general.file_type (so llama.cpp guesses the type).
	wantOrder := [][3]int{{8, 0, 1}, {0, 4, 1}, {8, 0, 2}, {0, 4, 2}}
	for i, r := range recs {
		if r.ModelType != "llama ?B (guessed) all F32" || r.ModelNParams != 292800 || r.ModelSize != 292800*4 {
			t.Errorf("record %d model: %q %d params %d bytes", i, r.ModelType, r.ModelNParams, r.ModelSize)
		}
		if got := [3]int{r.NPrompt, r.NGen, r.NThreads}; got != wantOrder[i] {
			t.Errorf("record %d is (p, n, t) = %v, want %v", i, got, wantOrder[i])
		}
		if len(r.SamplesNs) != 2 || len(r.SamplesTs) != 2 || r.TypeK != "f16" || r.Method != "base" {
			t.Errorf("record %d: %+v", i, r)
		}
		// avg_ts is the mean of samples_ts, each tokens / seconds of its sample.
		n := float64(r.NPrompt + r.NGen)
		mean := 0.0
		for j, ns := range r.SamplesNs {
			want := n * 1e9 / float64(ns)
			if math.Abs(r.SamplesTs[j]-want) > 1e-5*want {
				t.Errorf("record %d sample %d: %v t/s for %d ns", i, j, r.SamplesTs[j], ns)
			}
			mean += want / 2
		}
		if math.Abs(r.AvgTs-mean) > 1e-5*mean || r.AvgNs != (r.SamplesNs[0]+r.SamplesNs[1])/2 &&
			r.AvgNs != (r.SamplesNs[0]+r.SamplesNs[1]+1)/2 {
			t.Errorf("record %d: avg_ts %v avg_ns %d, samples %v", i, r.AvgTs, r.AvgNs, r.SamplesNs)
		}
		if _, err := time.Parse(time.RFC3339, r.TestTime); err != nil {
			t.Errorf("test_time %q: %v", r.TestTime, err)
		}
	}
}

func TestBenchRunsAmuletMarkdown(t *testing.T) {
	path := benchSharedModel(t, "stories260k-q8_0.gguf")
	code, out, errOut := runBenchCLI("-m", path, "-p", "6", "-n", "3", "-t", "1", "-r", "1", "--method", "amulet")
	if code != 0 || errOut != "" {
		t.Fatalf("status %d, stderr %q", code, errOut)
	}
	lines := strings.Split(out, "\n")
	if len(lines) < 5 || !strings.HasPrefix(lines[0], "| model ") {
		t.Fatalf("output:\n%s", out)
	}
	// The Q8_0 file's general.file_type is 7 (llama-quantize wrote it).
	for i, want := range []string{"pp6 (amulet x2)", "tg3 (amulet x2)"} {
		if !strings.HasPrefix(lines[2+i], "| llama ?B Q8_0 ") || !strings.Contains(lines[2+i], " "+want+" |") {
			t.Errorf("line %d: %q, want model llama ?B Q8_0 and test %q", 2+i, lines[2+i], want)
		}
	}
	if !strings.HasPrefix(lines[5], "build: ") {
		t.Errorf("footer %q", lines[5])
	}
}

func TestBenchRejectsKVCacheBeyondMemory(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("machine memory unknown (no /proc/meminfo)")
	}
	// 1000 layers x 256 KV dims x 2^20 positions x 2 (K and V) x 2 sequences x 4 bytes = 4 TiB.
	m := &model.Model{Config: model.Config{Layers: 1000, KVHeads: 4, HeadDim: 64}}
	p := benchParams{gens: []int{1 << 20}, method: "amulet", kv: gguf.TypeF32}
	if err := checkBenchMemory(p, m); err == nil || !strings.Contains(err.Error(), "KV cache") {
		t.Errorf("error %v, want one about the KV cache", err)
	}
	p.gens = []int{128}
	if err := checkBenchMemory(p, m); err != nil {
		t.Errorf("128 positions (1 GiB): %v", err)
	}
}
