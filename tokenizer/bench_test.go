package tokenizer

import "testing"

// benchmarkEncode measures encode throughput on the 1 MB English and code text of longText().
// Besides MB/s (wall clock) it reports MB per CPU second of the process (GC included), which
// does not depend on how busy the machine is; run with -cpu 1.
func benchmarkEncode(b *testing.B, vocab string) {
	tok := loadVocab(b, vocab)
	text := longText()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	var n, runs int
	cpu0 := cpuSeconds()
	for b.Loop() {
		n = len(tok.Encode(text, false, false))
		runs++
	}
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(float64(len(text))*float64(runs)/cpu/1e6, "MB/cpu-s")
	}
	b.ReportMetric(float64(n), "tokens/op")
}

func BenchmarkEncodeSPM(b *testing.B)       { benchmarkEncode(b, "llama-spm") }
func BenchmarkEncodeBPELlama3(b *testing.B) { benchmarkEncode(b, "llama-bpe") }
func BenchmarkEncodeBPEQwen2(b *testing.B)  { benchmarkEncode(b, "qwen2") }
func BenchmarkEncodeBPEGPT2(b *testing.B)   { benchmarkEncode(b, "gpt-2") }

func BenchmarkDecode(b *testing.B) {
	tok := loadVocab(b, "llama-bpe")
	text := longText()
	ids := tok.Encode(text, false, false)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		_ = tok.Decode(ids, false)
	}
}
