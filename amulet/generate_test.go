package amulet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/amulet/sample"
)

// fakeSession is a toy "model": the logits of a sequence are a hash of its whole history, so
// any mistake in positions, prefix sharing or batching changes them. It checks the session
// contract (positions continue each sequence) like model.Session does.
type fakeSession struct {
	vocab   int
	hist    [][]int32
	logits  [][]float32
	rows    []int
	ctxLen  int
	fwds    int // Forward calls
	rowsRun int // rows processed
}

func fakeLogits(hist []int32, vocab int) []float32 {
	out := make([]float32, vocab)
	h := fnv.New64a()
	for _, t := range hist {
		fmt.Fprintf(h, "%d,", t)
	}
	seed := h.Sum64()
	for v := range out {
		x := seed ^ uint64(v)*0x9e3779b97f4a7c15
		x ^= x >> 31
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 29
		out[v] = float32(x%10000)/1000 - 5
	}
	return out
}

func (s *fakeSession) Forward(ctx context.Context, b batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.fwds++
	s.logits = s.logits[:0]
	s.rows = s.rows[:0]
	for i, tok := range b.Tokens {
		seq := b.Seqs[i]
		if int(b.Positions[i]) != len(s.hist[seq]) {
			return fmt.Errorf("row %d: seq %d at position %d, want %d", i, seq, b.Positions[i], len(s.hist[seq]))
		}
		if len(s.hist[seq]) >= s.ctxLen {
			return fmt.Errorf("seq %d exceeds the context length %d", seq, s.ctxLen)
		}
		s.hist[seq] = append(s.hist[seq], tok)
		s.rowsRun++
		s.rows = append(s.rows, -1)
		if b.Logits == nil || b.Logits[i] {
			s.rows[i] = len(s.logits)
			s.logits = append(s.logits, fakeLogits(s.hist[seq], s.vocab))
		}
	}
	return nil
}

func (s *fakeSession) Logits(row int) []float32 {
	if s.rows[row] < 0 {
		return nil
	}
	return s.logits[s.rows[row]]
}

func (s *fakeSession) CopyPrefix(dst, src int32, n int) error {
	if n > len(s.hist[src]) {
		return errors.New("copy past the end")
	}
	s.hist[dst] = slices.Clone(s.hist[src][:n])
	return nil
}

func (s *fakeSession) Close() {}

type byteDecoder struct{}

func (byteDecoder) Add(id int32) string {
	if id < 3 {
		return ""
	}
	return asciiStrings[id-3]
}

// asciiStrings holds one string per ASCII character, so the fake decoder allocates nothing.
var asciiStrings = func() (s [128]string) {
	for i := range s {
		s[i] = string(rune(i))
	}
	return s
}()

func (byteDecoder) Flush() string { return "" }

// fakeBackend: vocabulary of 3 specials (0 unk, 1 BOS, 2 EOS) + 128 ASCII characters.
func fakeBackend(last **fakeSession) *backend {
	const vocab = 131
	return &backend{
		vocab:  vocab,
		ctxLen: 256,
		newSession: func(seqs, ctxLen int) (session, error) {
			s := &fakeSession{vocab: vocab, hist: make([][]int32, seqs), ctxLen: ctxLen}
			if last != nil {
				*last = s
			}
			return s, nil
		},
		encode: func(text string, addSpecial, parseSpecial bool) []int32 {
			var ids []int32
			if addSpecial {
				ids = append(ids, 1)
			}
			for _, r := range text {
				ids = append(ids, int32(r%128)+3)
			}
			return ids
		},
		isEOG:      func(id int32) bool { return id == 2 },
		newDecoder: func(int32) decoder { return byteDecoder{} },
	}
}

// refGreedy decodes with the realignment formula evaluated directly on the fake model: each
// context recomputed from scratch, z = b + (1+k) sum_j w_j (p_j - b) in float64, argmax.
func refGreedy(b *backend, base string, prefs []string, w []float64, k float64, n int) []int32 {
	enc := func(s string) []int32 { return b.encode(s, true, false) }
	bctx := enc(base)
	var pctx [][]int32
	for _, p := range prefs {
		pctx = append(pctx, enc(p))
	}
	var out []int32
	for range n {
		lb := fakeLogits(bctx, b.vocab)
		var lp [][]float32
		for _, c := range pctx {
			lp = append(lp, fakeLogits(c, b.vocab))
		}
		best, bi := math.Inf(-1), int32(-1)
		for v := range b.vocab {
			bv := float64(lb[v])
			s := 0.0
			for j := range lp {
				s += w[j] * (float64(lp[j][v]) - bv)
			}
			if z := bv + (1+k)*s; z > best {
				best, bi = z, int32(v)
			}
		}
		out = append(out, bi)
		if bi == 2 {
			break
		}
		bctx = append(bctx, bi)
		for j := range pctx {
			pctx[j] = append(pctx[j], bi)
		}
	}
	return out
}

func TestGenerateMatchesDirectFormula(t *testing.T) {
	var sess *fakeSession
	b := fakeBackend(&sess)
	base := "Once upon a time there was a cat."
	prefs := []string{base + " It was red.", base + " It liked fish.", "Something else entirely."}
	w := []float64{1, 0.5, -0.3}
	k := Coefficient(2, 2, 10, 60)
	req := Request{BaseContext: base, MaxTokens: 30}
	for i, p := range prefs {
		req.Preferences = append(req.Preferences, Preference{Context: p, Weight: w[i]})
	}
	res, err := generate(context.Background(), b, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := refGreedy(b, base, prefs, w, k, 30)
	if !slices.Equal(res.Tokens, want) {
		t.Fatalf("tokens %v\nwant   %v", res.Tokens, want)
	}
	// The common prefix is empty here (the third context differs at once) except BOS.
	if res.Usage.Contexts != 4 || res.Usage.SharedPrefix != 1 {
		t.Fatalf("usage %+v", res.Usage)
	}
	// The prefill is one Forward for the shared prefix and one for the rest; then one batched
	// Forward per generated token but the last.
	if want := 2 + len(res.Tokens) - 1; sess.fwds != want {
		t.Fatalf("%d Forward calls for %d tokens, want %d", sess.fwds, len(res.Tokens), want)
	}
}

func TestGenerateSharesPrefix(t *testing.T) {
	var sess *fakeSession
	b := fakeBackend(&sess)
	base := "Once upon a time, there was a little girl named Lily."
	pref := base + " She had a big red ball."
	for _, m := range []Method{MethodAmulet, MethodPref, MethodBase, MethodCFG, MethodLA} {
		req := Request{BaseContext: base, Preferences: []Preference{{Context: pref}}, Method: m, MaxTokens: 20, IgnoreEOS: true}
		res, err := generate(context.Background(), b, req, nil)
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		switch m {
		case MethodBase:
			want = refGreedy(b, base, nil, nil, 0, 20)
			if res.Usage.Contexts != 1 {
				t.Errorf("base uses %d contexts", res.Usage.Contexts)
			}
		case MethodPref:
			want = refGreedy(b, pref, nil, nil, 0, 20) // b + (p - b) = p
			if res.Usage.Contexts != 1 {
				t.Errorf("pref with one preference uses %d contexts", res.Usage.Contexts)
			}
		default:
			want = refGreedy(b, base, []string{pref}, []float64{1}, res.K, 20)
			baseLen := len(b.encode(base, true, false))
			// base is a strict prefix of pref: all but its last token is prefilled once.
			if res.Usage.SharedPrefix != baseLen-1 {
				t.Errorf("%s: shared prefix %d, want %d", m, res.Usage.SharedPrefix, baseLen-1)
			}
			if sess.rowsRun != res.Usage.PromptTokens+2*(len(res.Tokens)-1) {
				t.Errorf("%s: %d rows run, want %d", m, sess.rowsRun, res.Usage.PromptTokens+2*(len(res.Tokens)-1))
			}
		}
		if m == MethodLA || m == MethodCFG {
			want = refGreedy(b, base, []string{pref}, []float64{1}, res.K, 20)
		}
		if !slices.Equal(res.Tokens, want) {
			t.Errorf("%s: tokens %v\nwant %v", m, res.Tokens, want)
		}
	}
}

func TestGenerateStopAndStream(t *testing.T) {
	b := fakeBackend(nil)
	req := Request{Prompt: "abc", MaxTokens: 40, Sampling: samplingT1(), Seed: 3, IgnoreEOS: true}
	full, err := generate(context.Background(), b, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Tokens) != 40 || full.FinishReason != FinishLength {
		t.Fatalf("%d tokens, finish %q", len(full.Tokens), full.FinishReason)
	}
	// Stop on a two-character string found in the middle of the text.
	stop := full.Text[10:12]
	req.Stop = []string{stop}
	var streamed strings.Builder
	res, err := generate(context.Background(), b, req, func(tok Token) error {
		streamed.WriteString(tok.Text)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := full.Text[:strings.Index(full.Text, stop)]
	if res.Text != want || streamed.String() != want || res.FinishReason != FinishStop {
		t.Fatalf("stop %q: text %q streamed %q finish %q, want %q", stop, res.Text, streamed.String(), res.FinishReason, want)
	}
	// Same seed, same request: identical output.
	again, _ := generate(context.Background(), b, req, nil)
	if again.Text != res.Text || !slices.Equal(again.Tokens, res.Tokens) {
		t.Fatal("same seed gave different output")
	}
}

// heldDecoder returns no text until Flush (like a decoder holding an unfinished UTF-8 sequence).
type heldDecoder struct{ held *strings.Builder }

func (d heldDecoder) Add(id int32) string { d.held.WriteString(byteDecoder{}.Add(id)); return "" }
func (d heldDecoder) Flush() string       { return d.held.String() }

// A stop string that only shows up in the decoder's final flush still cuts the text there and
// ends the request with finish reason "stop", not "length".
func TestGenerateStopInFlushedText(t *testing.T) {
	b := fakeBackend(nil)
	req := Request{Prompt: "abc", MaxTokens: 20, Sampling: samplingT1(), Seed: 3, IgnoreEOS: true}
	full, err := generate(context.Background(), b, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.newDecoder = func(int32) decoder { return heldDecoder{&strings.Builder{}} }
	req.Stop = []string{full.Text[8:10]}
	res, err := generate(context.Background(), b, req, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := full.Text[:strings.Index(full.Text, req.Stop[0])]
	if res.Text != want || res.FinishReason != FinishStop {
		t.Fatalf("stop %q: text %q finish %q, want %q finish stop", req.Stop[0], res.Text, res.FinishReason, want)
	}
}

func TestGenerateCancel(t *testing.T) {
	b := fakeBackend(nil)
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	res, err := generate(ctx, b, Request{Prompt: "abc", MaxTokens: 100, IgnoreEOS: true}, func(Token) error {
		n++
		if n == 5 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || res.FinishReason != FinishCancelled || len(res.Tokens) != 5 {
		t.Fatalf("err %v finish %q tokens %d", err, res.FinishReason, len(res.Tokens))
	}
}

func TestGenerateErrors(t *testing.T) {
	b := fakeBackend(nil)
	nan := math.NaN()
	for _, req := range []Request{
		{},
		{Prompt: "x", MaxTokens: -1},
		{Prompt: "x", Method: "magic"},
		{Prompt: "x", Method: MethodAmulet},
		{Prompt: "x", Preferences: []Preference{{Text: "concise"}}, Params: Params{K: &nan}},
		{Prompt: "x", Sampling: samplingBadTemp()},
		{Prompt: "x", BaseContext: "y"},
		{Prompt: strings.Repeat("x", 300)},
		{Messages: []Message{{Role: "user", Content: "hi"}}}, // no chat template
	} {
		if _, err := generate(context.Background(), b, req, nil); err == nil {
			t.Errorf("request %+v: no error", req)
		}
	}
}

// Method names are accepted in any case (as ParseMethod does), by validation and by generation
// alike; a system prompt given twice is an error, not silently dropped.
func TestRequestMethodCaseAndSystemTwice(t *testing.T) {
	b := fakeBackend(nil)
	prefs := []Preference{{Context: "abcd"}}
	want, err := generate(context.Background(), b, Request{BaseContext: "abc", Preferences: prefs, Method: MethodCFG, MaxTokens: 3}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := generate(context.Background(), b, Request{BaseContext: "abc", Preferences: prefs, Method: " CFG", MaxTokens: 3}, nil)
	if err != nil {
		t.Fatalf("method \" CFG\": %v", err)
	}
	if got.K != DefaultCFGScale-1 || got.Method != MethodCFG || !slices.Equal(got.Tokens, want.Tokens) {
		t.Errorf("method \" CFG\": method %q k %v tokens %v, want cfg, k %v tokens %v", got.Method, got.K, got.Tokens, DefaultCFGScale-1, want.Tokens)
	}
	// No method: amulet with preferences, base without.
	for req, want := range map[*Request]Method{
		{BaseContext: "abc", Preferences: prefs, MaxTokens: 1}: MethodAmulet,
		{Prompt: "abc", MaxTokens: 1}:                          MethodBase,
	} {
		if res, err := generate(context.Background(), b, *req, nil); err != nil || res.Method != want {
			t.Errorf("default method of %+v: %q (%v), want %q", *req, res.Method, err, want)
		}
	}
	req := Request{System: "a", Messages: []Message{{Role: "system", Content: "b"}, {Role: "user", Content: "hi"}}}
	if err := req.validate(); err == nil || !strings.Contains(err.Error(), "system") {
		t.Errorf("system prompt twice: error %v", err)
	}
}

func TestContextFraming(t *testing.T) {
	b := fakeBackend(nil)
	b.render = func(msgs []Message) (string, error) {
		var s strings.Builder
		for _, m := range msgs {
			fmt.Fprintf(&s, "<%s>%s", m.Role, m.Content)
		}
		return s.String() + "<assistant>", nil
	}
	req := Request{System: "Be helpful.", Messages: []Message{{Role: "user", Content: "Hi?"}},
		Preferences: []Preference{{Text: "concise"}, {Text: "Talk like a pirate."}}}
	base, prefs, raw, err := contextTexts(b, &req)
	if err != nil || raw {
		t.Fatal(err, raw)
	}
	if base != "<system>Be helpful.<user>Hi?<assistant>" {
		t.Errorf("base context %q", base)
	}
	want0 := "<system>Be helpful. " + PreferenceSentence("concise") + "<user>Hi?<assistant>"
	if prefs[0] != want0 || prefs[1] != "<system>Be helpful. Talk like a pirate.<user>Hi?<assistant>" {
		t.Errorf("preference contexts %q", prefs)
	}
	if PreferenceSentence("concise") == "concise" {
		t.Error("preset not expanded")
	}
}

func samplingT1() sample.Params      { return sample.Params{Temperature: 1} }
func samplingBadTemp() sample.Params { return sample.Params{Temperature: -1} }

// staticSession is a fake model with fixed logits that allocates nothing per Forward.
type staticSession struct {
	logits []float32
	n      []int
}

func (s *staticSession) Forward(ctx context.Context, b batch) error {
	for i, seq := range b.Seqs {
		if int(b.Positions[i]) != s.n[seq] {
			return fmt.Errorf("bad position")
		}
		s.n[seq]++
	}
	// rotate the scores so the chosen token changes
	first := s.logits[0]
	copy(s.logits, s.logits[1:])
	s.logits[len(s.logits)-1] = first
	return nil
}
func (s *staticSession) Logits(int) []float32                   { return s.logits }
func (s *staticSession) CopyPrefix(dst, src int32, n int) error { s.n[dst] = n; return nil }
func (s *staticSession) Close()                                 {}

// The decode loop allocates nothing per token (buffers are sized once per request); the fixed
// per-request allocations are the same for 20 and 220 tokens.
func TestGenerateNoAllocPerToken(t *testing.T) {
	b := fakeBackend(nil)
	logits := make([]float32, b.vocab)
	for i := range logits {
		logits[i] = float32(i % 17)
	}
	b.newSession = func(seqs, ctxLen int) (session, error) {
		return &staticSession{logits: logits[:b.vocab:b.vocab], n: make([]int, seqs)}, nil
	}
	b.ctxLen = 1024
	b.newDecoder = func(int32) decoder { return byteDecoder{} }
	allocs := func(n int) float64 {
		req := Request{BaseContext: "abc", Preferences: []Preference{{Context: "abcd"}}, MaxTokens: n, IgnoreEOS: true,
			Sampling: sample.Params{Temperature: 0.8, TopK: 40, TopP: 0.9, RepeatPenalty: 1.1}, Logprobs: 2,
			Stop: []string{"\x00never"}}
		return testing.AllocsPerRun(5, func() {
			if _, err := generate(context.Background(), b, req, func(Token) error { return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
	short, long := allocs(20), allocs(220)
	if perToken := (long - short) / 200; perToken > 0.05 {
		t.Fatalf("%.1f allocations for 20 tokens, %.1f for 220: %.3f per token", short, long, perToken)
	}
}

// A request body decodes into Request field by field (the server case).
func TestRequestJSON(t *testing.T) {
	body := `{"messages":[{"role":"user","content":"Hi"}],"system":"Be kind.",
		"preferences":[{"text":"concise"},{"text":"formal","weight":-0.5}],
		"method":"amulet","params":{"k":0,"alpha":1.5},
		"sampling":{"temperature":0.7,"top_p":0.9,"logit_bias":{"5":-100}},
		"seed":3,"max_tokens":5,"stop":["\n"],"logprobs":2}`
	var req Request
	dec := json.NewDecoder(strings.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		t.Fatal(err)
	}
	if req.Params.K == nil || *req.Params.K != 0 || req.Params.Alpha != 1.5 || req.Preferences[1].Weight != -0.5 ||
		req.Sampling.LogitBias[5] != -100 || req.Sampling.TopP != 0.9 || req.Seed != 3 || req.Logprobs != 2 ||
		req.Messages[0].Content != "Hi" || req.Method != MethodAmulet || req.Stop[0] != "\n" {
		t.Fatalf("decoded %+v", req)
	}
	if err := req.validate(); err != nil {
		t.Fatal(err)
	}
}

// Output ids past the tokenizer's vocabulary (padded heads) are never chosen.
func TestGeneratePaddedVocabulary(t *testing.T) {
	b := fakeBackend(nil)
	b.tokens = 60 // ids 60..130 are padding
	res, err := generate(context.Background(), b, Request{Prompt: "abc", MaxTokens: 50, IgnoreEOS: true,
		Sampling: sample.Params{Temperature: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range res.Tokens {
		if id >= 60 {
			t.Fatalf("chose padding id %d", id)
		}
	}
}
