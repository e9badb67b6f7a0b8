package amulet

import (
	"context"
	"errors"
	"fmt"
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
	vocab      int
	ctxLen     int // the model's context length
	batchSize  int // rows per Forward during prefill
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
	if len(msgs) > 0 && msgs[0].Role == "system" {
		if system == "" {
			system = msgs[0].Content
		}
		msgs = msgs[1:]
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
	if err := req.Sampling.Validate(b.vocab); err != nil {
		return res, err
	}
	weights := make([]float64, len(req.Preferences))
	for i, p := range req.Preferences {
		weights[i] = p.Weight
	}
	comb, err := NewCombiner(req.method(), req.Params, weights, b.vocab)
	if err != nil {
		return res, err
	}
	res.K = comb.K()
	smp, err := sample.New(b.vocab, req.Sampling, req.Seed)
	if err != nil {
		return res, err
	}

	baseText, prefTexts, raw, err := contextTexts(b, &req)
	if err != nil {
		return res, err
	}
	// The contexts actually needed: base first (if used), then the preferences (if used).
	var ctxs [][]int32
	baseIdx := -1
	tokenize := func(s string) []int32 {
		if raw {
			return b.encode(s, true, false)
		}
		return b.encode(s, true, true)
	}
	if comb.NeedsBase() {
		baseIdx = 0
		ctxs = append(ctxs, tokenize(baseText))
	}
	prefIdx := len(ctxs)
	if comb.NeedsPrefs() {
		for _, t := range prefTexts {
			ctxs = append(ctxs, tokenize(t))
		}
	}
	longest := 0
	for i, c := range ctxs {
		if len(c) == 0 {
			return res, fmt.Errorf("context %d is empty after tokenization", i)
		}
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
	nctx := len(ctxs)
	res.Usage.Contexts = nctx

	sess, err := b.newSession(nctx, longest+maxNew)
	if err != nil {
		return res, err
	}
	defer sess.Close()

	// Prefill: the common prefix once on sequence 0, shared by copying its KV entries, then the
	// rest of every context in batches of b.batchSize rows.
	start := time.Now()
	shared := 0
	if nctx > 1 {
		shared = commonPrefix(ctxs)
		for _, c := range ctxs {
			shared = min(shared, len(c)-1) // every context keeps a token of its own for its logits
		}
	}
	bs := max(b.batchSize, nctx)
	bt := batch{
		Tokens:    make([]int32, 0, bs),
		Positions: make([]int32, 0, bs),
		Seqs:      make([]int32, 0, bs),
		Logits:    make([]bool, 0, bs),
	}
	rows := make([][]float32, nctx) // logits of each context for the next token
	bufs := make([][]float32, nctx)
	flush := func() error {
		if len(bt.Tokens) == 0 {
			return nil
		}
		if err := sess.Forward(ctx, bt); err != nil {
			return err
		}
		for r, want := range bt.Logits {
			if want {
				j := int(bt.Seqs[r])
				if bufs[j] == nil {
					bufs[j] = make([]float32, b.vocab)
				}
				copy(bufs[j], sess.Logits(r))
				rows[j] = bufs[j]
			}
		}
		bt.Tokens, bt.Positions, bt.Seqs, bt.Logits = bt.Tokens[:0], bt.Positions[:0], bt.Seqs[:0], bt.Logits[:0]
		return nil
	}
	add := func(tok int32, pos, seq int, logits bool) error {
		bt.Tokens = append(bt.Tokens, tok)
		bt.Positions = append(bt.Positions, int32(pos))
		bt.Seqs = append(bt.Seqs, int32(seq))
		bt.Logits = append(bt.Logits, logits)
		if len(bt.Tokens) == bs {
			return flush()
		}
		return nil
	}
	prefilled := 0
	for i := range shared {
		if err := add(ctxs[0][i], i, 0, false); err != nil {
			return res, cancelled(ctx, &res, err)
		}
	}
	if err := flush(); err != nil {
		return res, cancelled(ctx, &res, err)
	}
	prefilled += shared
	for j := 1; j < nctx && shared > 0; j++ {
		if err := sess.CopyPrefix(int32(j), 0, shared); err != nil {
			return res, err
		}
	}
	for j, c := range ctxs {
		for i := shared; i < len(c); i++ {
			if err := add(c[i], i, j, i == len(c)-1); err != nil {
				return res, cancelled(ctx, &res, err)
			}
		}
		prefilled += len(c) - shared
	}
	if err := flush(); err != nil {
		return res, cancelled(ctx, &res, err)
	}
	res.Usage.PromptTokens = prefilled
	res.Usage.SharedPrefix = shared
	prefillDone := time.Now()
	res.Timings.PrefillSeconds = prefillDone.Sub(start).Seconds()
	if res.Timings.PrefillSeconds > 0 {
		res.Timings.PrefillTokensPerSec = float64(prefilled) / res.Timings.PrefillSeconds
	}

	// Decode: one batched forward per token, one row per context.
	z := make([]float32, b.vocab)
	var base []float32
	prefs := make([][]float32, nctx-prefIdx)
	// Plain and raw text continue the prompt, so the first generated token keeps its leading
	// space; chat answers start fresh.
	prime := int32(-1)
	if raw {
		prime = ctxs[0][len(ctxs[0])-1]
	}
	dec := b.newDecoder(prime)
	stops := newStopMatcher(req.Stop)
	var text strings.Builder
	res.Tokens = make([]int32, 0, min(maxNew, 4096))
	pos := make([]int, nctx)
	for j, c := range ctxs {
		pos[j] = len(c)
	}
	bt.Tokens, bt.Positions, bt.Seqs, bt.Logits = bt.Tokens[:nctx], bt.Positions[:nctx], bt.Seqs[:nctx], bt.Logits[:nctx]
	for j := range nctx {
		bt.Seqs[j] = int32(j)
		bt.Logits[j] = true
	}
	emit := func(tok Token) error {
		text.WriteString(tok.Text)
		if onToken == nil {
			return nil
		}
		return onToken(tok)
	}
	finish := ""
	defer func() {
		end := time.Since(prefillDone).Seconds()
		res.Timings.DecodeSeconds = end
		if end > 0 {
			res.Timings.DecodeTokensPerSec = float64(len(res.Tokens)) / end
		}
	}()
	for {
		if err := ctx.Err(); err != nil {
			finish = FinishCancelled
			break
		}
		if baseIdx >= 0 {
			base = rows[baseIdx]
		}
		copy(prefs, rows[prefIdx:])
		comb.Combine(z, base, prefs)
		smp.Apply(z)
		tok := smp.Choose(z)
		if tok < 0 {
			return res, errors.New("no token has a finite score (every token masked)")
		}
		var lp float64
		var top []sample.Logprob
		if req.Logprobs > 0 {
			lp, top = smp.TopLogprobs(z, tok, req.Logprobs)
		}
		smp.Accept(tok)
		res.Tokens = append(res.Tokens, tok)
		res.Usage.CompletionTokens = len(res.Tokens)
		if b.isEOG(tok) && !req.IgnoreEOS {
			finish = FinishStop
			if err := emit(Token{ID: tok, Logprob: lp, TopLogprobs: top}); err != nil {
				return res, err
			}
			break
		}
		piece, stopped := stops.push(dec.Add(tok))
		if err := emit(Token{ID: tok, Text: piece, Logprob: lp, TopLogprobs: top}); err != nil {
			return res, err
		}
		if stopped {
			finish = FinishStop
			break
		}
		if len(res.Tokens) >= maxNew {
			finish = FinishLength
			break
		}
		for j := range nctx {
			bt.Tokens[j] = tok
			bt.Positions[j] = int32(pos[j])
			pos[j]++
		}
		if err := sess.Forward(ctx, bt); err != nil {
			if ctx.Err() != nil {
				finish = FinishCancelled
				break
			}
			return res, err
		}
		for j := range nctx {
			rows[j] = sess.Logits(j)
		}
	}
	res.FinishReason = finish
	if finish != FinishStop || !stops.stoppedOnString() {
		tail, stopped := stops.push(dec.Flush())
		if !stopped {
			tail += stops.flush()
		}
		if tail != "" {
			if err := emit(Token{ID: -1, Text: tail}); err != nil {
				return res, err
			}
		}
	}
	res.Text = text.String()
	if finish == FinishCancelled {
		return res, ctx.Err()
	}
	return res, nil
}

// cancelled reports a prefill error, as a cancellation when the context ended.
func cancelled(ctx context.Context, res *Result, err error) error {
	if ctx.Err() != nil {
		res.FinishReason = FinishCancelled
		return ctx.Err()
	}
	return err
}
