package main

import (
	"bytes"
	"io"
	"math"
	"strings"
	"testing"
)

// A trimmed llama-ref --tokens output (fields as ../shared/tools/README.md documents them).
const llamaRefSample = `{"mode":"generate","timing":{"load_ms":812.5,"threads":1,"reps":2,
 "median_llama_prompt_eval_tok_per_s":150,"median_llama_eval_tok_per_s":37,
 "runs":[
  {"warmup":true,"wall_prompt_tok_per_s":10,"llama_perf":{"prompt_eval":{"ms":900,"tokens":128,"tok_per_s":142.2},"eval":{"ms":1800,"tokens":64,"tok_per_s":35.5}}},
  {"warmup":false,"wall_prompt_tok_per_s":147,"llama_perf":{"prompt_eval":{"ms":853.3,"tokens":128,"tok_per_s":150},"eval":{"ms":1729.7,"tokens":64,"tok_per_s":37}}},
  {"warmup":false,"wall_prompt_tok_per_s":146,"llama_perf":{"prompt_eval":{"ms":861,"tokens":128,"tok_per_s":148.6},"eval":{"ms":1702,"tokens":64,"tok_per_s":37.6}}}
 ]}}`

func TestParseLlamaTimingSkipsWarmup(t *testing.T) {
	pp, tg, err := parseLlamaTiming([]byte(llamaRefSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(pp) != 2 || pp[0] != 150 || pp[1] != 148.6 || len(tg) != 2 || tg[0] != 37 || tg[1] != 37.6 {
		t.Errorf("pp %v tg %v", pp, tg)
	}
	if _, _, err := parseLlamaTiming([]byte(`{"mode":"generate"}`)); err == nil {
		t.Error("output without timing: no error")
	}
	if _, _, err := parseLlamaTiming([]byte(`not json`)); err == nil {
		t.Error("bad JSON: no error")
	}
}

func TestStatistics(t *testing.T) {
	if m, s := mean([]float64{128, 256}), stdev([]float64{128, 256}); m != 192 || math.Abs(s-64*math.Sqrt2) > 1e-12 {
		t.Errorf("mean %v stdev %v", m, s)
	}
	a := &engineRuns{}
	a.add(0, 10, 12)
	a.add(1, 20)
	l := &engineRuns{}
	l.add(0, 22)
	l.add(1, 10)
	if r := roundRatios(a, l); len(r) != 2 || r[0] != 0.5 || r[1] != 2 {
		t.Errorf("round ratios %v", r)
	}
}

func TestReportShowsRatiosAndNativeFigures(t *testing.T) {
	res := &modelResult{path: "/tmp/x-q4_0.gguf", desc: "llama 1B Q4_0", size: 600 << 20,
		amulet: map[testKey]*engineRuns{}, llama: map[testKey]*engineRuns{}, native: map[testKey]*engineRuns{}, haveLlama: true}
	for _, k := range []testKey{{"tg64", 1}, {"tg64", 2}, {"pp128", 2}} {
		res.tests = append(res.tests, k)
		res.amulet[k], res.llama[k] = &engineRuns{}, &engineRuns{}
	}
	res.amulet[testKey{"tg64", 1}].add(0, 40, 40)
	res.llama[testKey{"tg64", 1}].add(0, 36, 38)
	res.amulet[testKey{"tg64", 2}].add(0, 62.5)
	res.llama[testKey{"tg64", 2}].add(0, 31.25)
	res.amulet[testKey{"pp128", 2}].add(0, 200)
	res.amulet[testKey{"pp128", 2}].add(1, 300)
	res.llama[testKey{"pp128", 2}].add(0, 50)
	res.llama[testKey{"pp128", 2}].add(1, 50)
	res.native[testKey{"pp128", 2}] = &engineRuns{}
	res.native[testKey{"pp128", 2}].add(0, 100)
	res.native[testKey{"pp128", 2}].add(1, 150)
	var w bytes.Buffer
	writeReport(&w, options{prompt: 128, gen: 64, rounds: 2, reps: 1}, res)
	out := w.String()
	for _, want := range []string{
		"| tg64 | 1 | 40.00 ± 0.00 | 37.00 ± 1.41 | 1.08 | 1.08 | - | - | - |",
		// 2 threads: node-llama-cpp is a lower bound; no native run: issue 6's figure.
		"| tg64 | 2 | 62.50 ± 0.00 | 31.25 ± 0.00 (lower bound) | 2.00 | 2.00 | 62.5 (issue 6, another machine) | 1.00 | - |",
		// A native llama-bench run: its mean, amulet's ratio (250/125) and the ratio per round.
		"| pp128 | 2 | 250.00 ± 70.71 | 50.00 ± 0.00 (lower bound) | 5.00 | 4.00 6.00 | 125.00 ± 35.36 | 2.00 | 2.00 2.00 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// A trimmed `llama-bench -o json` output (llama.cpp de3ff81, the fields read here kept).
const llamaBenchSample = `[
  {"build_commit": "de3ff81", "model_type": "llama ?B (guessed) all F32", "model_size": 1171200,
   "n_threads": 1, "n_prompt": 8, "n_gen": 0, "avg_ts": 9578.171731, "samples_ts": [ 9311.58, 9844.76 ]},
  {"build_commit": "de3ff81", "model_type": "llama ?B (guessed) all F32", "model_size": 1171200,
   "n_threads": 1, "n_prompt": 0, "n_gen": 4, "avg_ts": 5535.584209, "samples_ts": [ 5165.86, 5905.31 ]}
]`

func TestParseBenchJSON(t *testing.T) {
	recs, err := parseBenchJSON([]byte(llamaBenchSample))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || testName(recs[0].NPrompt, recs[0].NGen) != "pp8" || testName(recs[1].NPrompt, recs[1].NGen) != "tg4" ||
		recs[1].SamplesTs[1] != 5905.31 || recs[0].NThreads != 1 {
		t.Errorf("%+v", recs)
	}
	for _, bad := range []string{`[]`, `{}`, `not json`, `[{"n_prompt": 8, "n_gen": 0}]`} {
		if _, err := parseBenchJSON([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func TestParseOptionsErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-m", "x.gguf", "-t", "0"},
		{"-m", "x.gguf", "-t", "a"},
		{"-m", "x.gguf", "-p", "0", "-n", "0"},
		{"-m", "x.gguf", "-p", "-1"},
		{"-m", "x.gguf", "-rounds", "0"},
		{"-m", "x.gguf", "extra"},
	} {
		if _, err := parseOptions(args, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	o, err := parseOptions([]string{"-m", "a.gguf,b.gguf", "-t", "1,2"}, io.Discard)
	if err != nil || len(o.models) != 2 || len(o.threads) != 2 || o.prompt != 128 || o.gen != 64 {
		t.Errorf("%+v %v", o, err)
	}
}

func TestReportRealignedStreamCost(t *testing.T) {
	k := testKey{"tg64", 1}
	res := &modelResult{path: "m.gguf", desc: "llama 1B Q8_0", tests: []testKey{k},
		amulet: map[testKey]*engineRuns{k: {}}, llama: map[testKey]*engineRuns{}, x2: map[testKey]*engineRuns{k: {}}}
	res.amulet[k].add(0, 20, 20)
	res.x2[k].add(0, 16, 16)
	var w bytes.Buffer
	writeReport(&w, options{gen: 64, rounds: 1, reps: 2}, res)
	// 20 t/s alone, 16 t/s for the pair: each realigned token costs 25% more than a plain one.
	if want := "| tg64 | 1 | 20.00 ± 0.00 | 16.00 ± 0.00 | +25% |"; !strings.Contains(w.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, w.String())
	}
}
