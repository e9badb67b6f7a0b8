package amulet

import (
	"context"
	"fmt"

	"github.com/amulet-llm/amulet/gguf"
	"github.com/amulet-llm/amulet/model"
	"github.com/amulet-llm/amulet/tokenizer"
	"github.com/amulet-llm/amulet/tokenizer/chat"
)

// Options configure an Engine.
type Options struct {
	Threads       int       // worker threads per request; 0 = GOMAXPROCS
	ContextLength int       // positions per context; 0 = the model's, at most model.DefaultContextLength
	KVType        gguf.Type // KV cache type: gguf.TypeF32 (default) or gguf.TypeF16
	BatchSize     int       // prefill rows per forward; 0 = 512
	// Template names the chat template family (see chat.Names); "" detects it from the GGUF's
	// tokenizer.chat_template, and "none" (or a model without a template) means plain prompts.
	Template string
	// NoRepack keeps the weights in the file's layout (see model.LoadOptions); by default
	// quantized weights are repacked at load where the CPU has kernels for that.
	NoRepack bool
}

// Engine holds a loaded model, its tokenizer and chat template. Generate may be called from
// several goroutines at once: each request gets its own session (KV cache).
type Engine struct {
	file  *gguf.File
	model *model.Model
	tok   *tokenizer.Tokenizer
	tmpl  *chat.Template
	opts  Options
	be    backend
}

// Open loads a GGUF model file.
func Open(path string, opts Options) (*Engine, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, err
	}
	e, err := New(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return e, nil
}

// New builds an engine over an open GGUF file; Close closes the file.
func New(f *gguf.File, opts Options) (*Engine, error) {
	m, err := model.LoadWith(f, model.LoadOptions{NoRepack: opts.NoRepack})
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	// Some models pad the output head past the vocabulary (Qwen2); the padding is never sampled.
	if tok.VocabSize() > m.Config.Vocab {
		return nil, fmt.Errorf("tokenizer has %d tokens, more than the model's %d outputs", tok.VocabSize(), m.Config.Vocab)
	}
	e := &Engine{file: f, model: m, tok: tok, opts: opts}
	switch opts.Template {
	case "none":
	case "":
		if src := tok.ChatTemplate(); src != "" {
			if e.tmpl, err = chat.Detect(src); err != nil {
				return nil, fmt.Errorf("%w (name one with the template option)", err)
			}
		}
	default:
		if e.tmpl, err = chat.ByName(opts.Template); err != nil {
			return nil, err
		}
	}
	// The KV cache of a request is sized for its prompt plus its max tokens, at most ctxLen.
	ctxLen := min(m.Config.ContextLength, model.DefaultContextLength) // model.Load ensures >= 1
	if opts.ContextLength > 0 {
		ctxLen = opts.ContextLength
	}
	e.be = backend{
		vocab:  m.Config.Vocab,
		tokens: tok.VocabSize(),
		ctxLen: ctxLen,
		newSession: func(seqs, n int) (session, error) {
			s, err := m.NewSession(model.SessionOptions{
				Threads: opts.Threads, MaxSequences: seqs, ContextLength: n,
				KVType: opts.KVType, BatchSize: opts.BatchSize,
			})
			if err != nil {
				return nil, err
			}
			return modelSession{s}, nil
		},
		encode: tok.Encode,
		isEOG:  tok.IsEOG,
		newDecoder: func(prime int32) decoder {
			d := tok.NewStreamDecoder(true)
			if prime >= 0 {
				d.Add(prime)
				d.Flush()
			}
			return d
		},
	}
	if e.tmpl != nil {
		bos, eos := "", ""
		if id := tok.BOS(); id >= 0 {
			bos = tok.TokenText(id)
		}
		if id := tok.EOS(); id >= 0 {
			eos = tok.TokenText(id)
		}
		tmpl := e.tmpl
		e.be.render = func(msgs []Message) (string, error) {
			cm := make([]chat.Message, len(msgs))
			for i, m := range msgs {
				cm[i] = chat.Message{Role: m.Role, Content: m.Content}
			}
			return tmpl.Render(cm, chat.Options{AddGenerationPrompt: true, BOSToken: bos, EOSToken: eos})
		}
		// Rendered text may already start with the BOS token's text; tokenize it with special
		// tokens parsed and add BOS only where the vocabulary wants it and the text lacks it.
		e.be.encode = func(text string, addSpecial, parseSpecial bool) []int32 {
			if !parseSpecial {
				return tok.Encode(text, addSpecial, false)
			}
			ids := tok.Encode(text, false, true)
			if addSpecial && tok.AddBOS() && tok.BOS() >= 0 && (len(ids) == 0 || ids[0] != tok.BOS()) {
				ids = append([]int32{tok.BOS()}, ids...)
			}
			return ids
		}
	}
	return e, nil
}

// modelSession adapts *model.Session to the session interface.
type modelSession struct{ s *model.Session }

func (m modelSession) Forward(ctx context.Context, b batch) error {
	return m.s.Forward(ctx, model.Batch(b))
}
func (m modelSession) Logits(row int) []float32               { return m.s.Logits(row) }
func (m modelSession) CopyPrefix(dst, src int32, n int) error { return m.s.CopyPrefix(dst, src, n) }
func (m modelSession) Close()                                 { m.s.Close() }

// Close releases the model file.
func (e *Engine) Close() error { return e.file.Close() }

// Model returns the loaded model.
func (e *Engine) Model() *model.Model { return e.model }

// Tokenizer returns the model's tokenizer.
func (e *Engine) Tokenizer() *tokenizer.Tokenizer { return e.tok }

// Template returns the chat template in use, or nil for plain prompts.
func (e *Engine) Template() *chat.Template { return e.tmpl }

// ContextTokens returns the tokens a request's contexts start from, framed and tokenized as
// Generate frames them: the base context, then one list per preference. It is for inspecting a
// request and for scoring an answer under each context; Generate computes them itself.
func (e *Engine) ContextTokens(req Request) (base []int32, prefs [][]int32, err error) {
	if err := req.validate(); err != nil {
		return nil, nil, err
	}
	baseText, prefTexts, raw, err := contextTexts(&e.be, &req)
	if err != nil {
		return nil, nil, err
	}
	base = tokenizeContext(&e.be, baseText, raw)
	for _, t := range prefTexts {
		prefs = append(prefs, tokenizeContext(&e.be, t, raw))
	}
	return base, prefs, nil
}

// Generate runs one request. onToken (may be nil) receives each token as it is chosen, with the
// text that became ready; returning an error stops generation and Generate returns that error.
// A cancelled ctx stops generation cleanly: the result so far comes back with FinishReason
// "cancelled" and ctx's error.
func (e *Engine) Generate(ctx context.Context, req Request, onToken func(Token) error) (Result, error) {
	return generate(ctx, &e.be, req, onToken)
}
