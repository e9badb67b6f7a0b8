package amulet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/amulet-llm/amulet/amulet/sample"
)

// batch mirrors model.Batch field for field, so one converts to the other without copying.
type batch struct {
	Tokens, Positions, Seqs []int32
	Logits                  []bool
}

// session is what generation needs from a model.Session.
type session interface {
	Forward(ctx context.Context, b batch) error
	Logits(row int) []float32
	CopyPrefix(dst, src int32, n int) error
	Close()
}

// decoder turns token ids into text as they come (never half a UTF-8 sequence).
type decoder interface {
	Add(id int32) string
	Flush() string
}

// backend is what generation needs from a loaded model and its tokenizer.
type backend struct {
	vocab      int // logits per row
	tokens     int // tokenizer entries (<= vocab; ids from tokens on are padding, never chosen); 0 = vocab
	ctxLen     int // the model's context length
	newSession func(seqs, ctxLen int) (session, error)
	encode     func(text string, addSpecial, parseSpecial bool) []int32
	isEOG      func(id int32) bool
	newDecoder func(prime int32) decoder            // prime >= 0: the token before the generated text (its text is not returned)
	render     func(msgs []Message) (string, error) // chat template; nil when the model has none
}

// contextTexts returns the text of the base context and of each preference context, and
// whether they are given verbatim (tokenized with BOS per the vocabulary, no special parsing).
func contextTexts(b *backend, req *Request) (base string, prefs []string, raw bool, err error) {
	switch {
	case req.Raw():
		for _, p := range req.Preferences {
			prefs = append(prefs, p.Context)
		}
		return req.BaseContext, prefs, true, nil
	case req.Prompt != "" || b.render == nil:
		if len(req.Messages) > 0 {
			return "", nil, false, fmt.Errorf("the model has no chat template: use a prompt or raw contexts")
		}
		frame := func(system string) string {
			if system == "" {
				return req.Prompt
			}
			return system + "\n\n" + req.Prompt
		}
		base = frame(req.System)
		for _, p := range req.Preferences {
			prefs = append(prefs, frame(joinSystem(req.System, PreferenceSentence(p.Text))))
		}
		return base, prefs, true, nil
	}
	system, msgs := req.System, req.Messages
	if len(msgs) > 0 && msgs[0].Role == "system" { // validate rejects a System beside it
		system, msgs = msgs[0].Content, msgs[1:]
	}
	framed := func(system string) (string, error) {
		all := make([]Message, 0, len(msgs)+1)
		if system != "" {
			all = append(all, Message{Role: "system", Content: system})
		}
		all = append(all, msgs...)
		return b.render(all)
	}
	if base, err = framed(system); err != nil {
		return "", nil, false, fmt.Errorf("chat template: %w", err)
	}
	for _, p := range req.Preferences {
		s, err := framed(joinSystem(system, PreferenceSentence(p.Text)))
		if err != nil {
			return "", nil, false, fmt.Errorf("chat template: %w", err)
		}
		prefs = append(prefs, s)
	}
	return base, prefs, false, nil
}

func joinSystem(system, sentence string) string {
	if system == "" {
		return sentence
	}
	return system + " " + sentence
}

// commonPrefix is the length of the longest common prefix of all lists.
func commonPrefix(lists [][]int32) int {
	if len(lists) == 0 {
		return 0
	}
	n := len(lists[0])
	for _, l := range lists[1:] {
		i := 0
		for i < n && i < len(l) && l[i] == lists[0][i] {
			i++
		}
		n = i
	}
	return n
}

// generate runs one request on a backend.
func generate(ctx context.Context, b *backend, req Request, onToken func(Token) error) (res Result, err error) {
	if err := req.validate(); err != nil {
		return res, err
	}
	weights := make([]float64, len(req.Preferences))
	for i, p := range req.Preferences {
		weights[i] = p.Weight
	}
	res.Method = req.method()
	comb, err := NewCombiner(res.Method, req.Params, weights, b.vocab)
	if err != nil {
		return res, err
	}
	res.K = comb.K()
	smp, err := sample.New(b.vocab, req.Sampling, req.Seed) // validates the sampling parameters
	if err != nil {
		return res, err
	}
	cs, err := buildContexts(b, &req, comb)
	if err != nil {
		return res, err
	}
	longest := 0
	for _, c := range cs.tokens {
		longest = max(longest, len(c))
		res.Usage.ContextTokens = append(res.Usage.ContextTokens, len(c))
	}
	if longest >= b.ctxLen {
		return res, fmt.Errorf("prompt of %d tokens does not fit the context length %d", longest, b.ctxLen)
	}
	maxNew := b.ctxLen - longest
	if req.MaxTokens > 0 && req.MaxTokens < maxNew {
		maxNew = req.MaxTokens
	}
	nctx := len(cs.tokens)
	res.Usage.Contexts = nctx

	sess, err := b.newSession(nctx, longest+maxNew)
	if err != nil {
		return res, err
	}
	defer sess.Close()

	start := time.Now()
	rows, shared, prefilled, err := prefill(ctx, sess, cs.tokens)
	if err != nil {
		if ctx.Err() != nil {
			res.FinishReason = FinishCancelled
			return res, ctx.Err()
		}
		return res, err
	}
	res.Usage.PromptTokens = prefilled
	res.Usage.SharedPrefix = shared
	prefillDone := time.Now()
	res.Timings.PrefillSeconds = prefillDone.Sub(start).Seconds()
	if res.Timings.PrefillSeconds > 0 {
		res.Timings.PrefillTokensPerSec = float64(prefilled) / res.Timings.PrefillSeconds
	}

	// Decode: one batched Forward per token, one row per context. Everything used per token is
	// allocated here, once.
	z := make([]float32, b.vocab)
	var base []float32
	prefs := make([][]float32, nctx-cs.firstPref)
	// Plain and raw text continue the prompt, so the first generated token keeps its leading
	// space; chat answers start fresh.
	prime := int32(-1)
	if cs.raw {
		prime = cs.tokens[0][len(cs.tokens[0])-1]
	}
	dec := b.newDecoder(prime)
	stops := newStopMatcher(req.Stop)
	var text strings.Builder
	emit := func(tok Token) error {
		text.WriteString(tok.Text)
		if onToken == nil {
			return nil
		}
		return onToken(tok)
	}
	bt := batch{Tokens: make([]int32, nctx), Positions: make([]int32, nctx), Seqs: make([]int32, nctx), Logits: make([]bool, nctx)}
	for j, c := range cs.tokens {
		bt.Positions[j] = int32(len(c))
		bt.Seqs[j] = int32(j)
		bt.Logits[j] = true
	}
	res.Tokens = make([]int32, 0, min(maxNew, 4096))
	defer func() {
		res.Text = text.String()
		res.Usage.CompletionTokens = len(res.Tokens)
		end := time.Since(prefillDone).Seconds()
		res.Timings.DecodeSeconds = end
		if end > 0 {
			res.Timings.DecodeTokensPerSec = float64(len(res.Tokens)) / end
		}
	}()

	for res.FinishReason == "" {
		if ctx.Err() != nil {
			res.FinishReason = FinishCancelled
			break
		}
		if cs.base >= 0 {
			base = rows[cs.base]
		}
		copy(prefs, rows[cs.firstPref:])
		comb.Combine(z, base, prefs)
		for i := cs.padFrom; i < len(z); i++ {
			z[i] = float32(math.Inf(-1))
		}
		smp.Apply(z)
		tok := smp.Choose(z)
		if tok < 0 {
			return res, errors.New("no token has a finite score (every token masked)")
		}
		out := Token{ID: tok}
		if req.Logprobs > 0 {
			out.Logprob, out.TopLogprobs = smp.TopLogprobs(z, tok, req.Logprobs)
		}
		smp.Accept(tok)
		res.Tokens = append(res.Tokens, tok)
		if b.isEOG(tok) && !req.IgnoreEOS {
			res.FinishReason = FinishStop // the end-of-generation token has no text
		} else {
			var stopped bool
			out.Text, stopped = stops.push(dec.Add(tok))
			switch {
			case stopped:
				res.FinishReason = FinishStop
			case len(res.Tokens) >= maxNew:
				res.FinishReason = FinishLength
			}
		}
		if err := emit(out); err != nil {
			return res, err
		}
		if res.FinishReason != "" {
			break
		}
		for j := range nctx {
			bt.Tokens[j] = tok
		}
		if err := sess.Forward(ctx, bt); err != nil {
			if ctx.Err() != nil {
				res.FinishReason = FinishCancelled
				break
			}
			return res, err
		}
		for j := range nctx {
			bt.Positions[j]++
			rows[j] = sess.Logits(j)
		}
	}
	if !stops.stoppedOnString() {
		// Text held back for a possible stop string or an unfinished UTF-8 sequence.
		tail, stopped := stops.push(dec.Flush())
		if !stopped {
			tail += stops.flush()
		} else if res.FinishReason != FinishCancelled {
			res.FinishReason = FinishStop
		}
		if tail != "" {
			if err := emit(Token{ID: -1, Text: tail}); err != nil {
				return res, err
			}
		}
	}
	if res.FinishReason == FinishCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// contextSet holds the token lists of the contexts a request decodes with, in sequence order.
type contextSet struct {
	tokens    [][]int32
	base      int  // index of the base context, -1 when the method does not use it
	firstPref int  // index of the first preference context (== len(tokens) when unused)
	raw       bool // plain text, not a chat template
	padFrom   int  // first output id without a token (the vocabulary size)
}

// buildContexts frames and tokenizes the contexts the combiner needs: base first (if used),
// then the preferences (if used).
func buildContexts(b *backend, req *Request, comb *Combiner) (contextSet, error) {
	cs := contextSet{base: -1, padFrom: b.vocab}
	if b.tokens > 0 && b.tokens < b.vocab {
		cs.padFrom = b.tokens
	}
	baseText, prefTexts, raw, err := contextTexts(b, req)
	if err != nil {
		return cs, err
	}
	cs.raw = raw
	if comb.NeedsBase() {
		cs.base = 0
		cs.tokens = append(cs.tokens, tokenizeContext(b, baseText, raw))
	}
	cs.firstPref = len(cs.tokens)
	if comb.NeedsPrefs() {
		for _, t := range prefTexts {
			cs.tokens = append(cs.tokens, tokenizeContext(b, t, raw))
		}
	}
	for i, c := range cs.tokens {
		if len(c) == 0 {
			return cs, fmt.Errorf("context %d is empty after tokenization", i)
		}
	}
	return cs, nil
}

// tokenizeContext tokenizes one context's text: BOS as the vocabulary wants it; special-token
// text is parsed in template-framed contexts, not in verbatim ones.
func tokenizeContext(b *backend, text string, raw bool) []int32 { return b.encode(text, true, !raw) }

// prefill runs the contexts' prompts on sequences 0..len(ctxs)-1 and returns the logits of
// each context's last token (valid until the session's next Forward). The common prefix is
// computed once on sequence 0 and copied (KV entries, no recompute) to the others; every
// context keeps at least its last token to itself, so it gets its own logits. That is two
// Forward calls at most; the session splits them into chunks of its batch size.
func prefill(ctx context.Context, sess session, ctxs [][]int32) (rows [][]float32, shared, prefilled int, err error) {
	n := len(ctxs)
	if n > 1 {
		shared = commonPrefix(ctxs)
		for _, c := range ctxs {
			shared = min(shared, len(c)-1)
		}
	}
	var bt batch
	add := func(tok int32, pos, seq int, logits bool) {
		bt.Tokens = append(bt.Tokens, tok)
		bt.Positions = append(bt.Positions, int32(pos))
		bt.Seqs = append(bt.Seqs, int32(seq))
		bt.Logits = append(bt.Logits, logits)
	}
	if shared > 0 {
		for i := range shared {
			add(ctxs[0][i], i, 0, false)
		}
		if err := sess.Forward(ctx, bt); err != nil {
			return nil, 0, 0, err
		}
		for j := 1; j < n; j++ {
			if err := sess.CopyPrefix(int32(j), 0, shared); err != nil {
				return nil, 0, 0, err
			}
		}
		bt.Tokens, bt.Positions, bt.Seqs, bt.Logits = bt.Tokens[:0], bt.Positions[:0], bt.Seqs[:0], bt.Logits[:0]
	}
	for j, c := range ctxs {
		for i := shared; i < len(c); i++ {
			add(c[i], i, j, i == len(c)-1)
		}
	}
	if err := sess.Forward(ctx, bt); err != nil {
		return nil, 0, 0, err
	}
	rows = make([][]float32, n)
	for r, want := range bt.Logits {
		if want {
			rows[bt.Seqs[r]] = sess.Logits(r)
		}
	}
	return rows, shared, shared + len(bt.Tokens), nil
}
