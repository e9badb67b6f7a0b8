//go:build !unix

package tokenizer

// cpuSeconds is unavailable here; benchmarks then skip the per-CPU-second figure.
func cpuSeconds() float64 { return 0 }
