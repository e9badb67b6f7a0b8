// Package amulet is the public Go API of the engine: load a GGUF model into an Engine and
// Generate answers that are realigned, at test time, to one or more stated preferences.
//
// # Realignment
//
// Every request decodes a base context (the system prompt alone) and one preference context
// per preference (the system prompt plus the preference sentence). All of them run as one
// batched forward pass per token, one row each, after their common token prefix has been
// prefilled once and shared. Each chosen token is appended to every context. The next-token
// scores combine the rows (b: base log-probabilities, p_j: preference j's, w_j: its weight):
//
//	z = b + (1+k) * sum_j w_j (p_j - b)        (one preference of weight 1: z = p + k (p - b))
//
// with k set by the method: base (only b), pref (k = 0), amulet (k from the FTRL parameters
// alpha, lambda, eta and the iteration count, 4.6487 for the paper's 2, 2, 10, 60; see
// Coefficient and FTRL), la (k = r, optionally masked to the top-p nucleus of the preference
// distribution) and cfg (k = gamma - 1). The combine step is one fused pass over the
// vocabulary (Combiner); the sampler chain (package amulet/sample) then applies logit bias,
// penalties, top-k, top-p, min-p and temperature, or takes the argmax.
//
// The literal per-iteration FTRL loop is kept as the reference (Params.Literal); the one-line
// form is the default. The maths is in docs/amulet.md of the shared data.
//
// Where to read: the realignment step is Combiner.Combine in combine.go; Coefficient and the
// literal FTRL loop are in realign.go; the per-token decode loop (one batched forward for all
// contexts, combine, sample, stop checks) is generate in generate.go. The forward pass itself
// is in package model (model/cpu.go).
//
// # Requests
//
// A Request maps to JSON field by field, so a server can decode one per HTTP request and call
// Engine.Generate, which is safe for concurrent use. Chat requests (Messages) are framed by the
// model's chat template; Prompt is plain text; BaseContext and Preference.Context give the
// contexts verbatim (raw mode, for base models and research).
package amulet
