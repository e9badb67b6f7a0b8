package gguf

import "testing"

// Block sizes and bytes per block from ggml-common.h's static_asserts (llama.cpp de3ff81).
func TestTypeTable(t *testing.T) {
	cases := []struct {
		t         Type
		num       uint32
		name      string
		block, sz int64
	}{
		{TypeF32, 0, "F32", 1, 4}, {TypeF16, 1, "F16", 1, 2}, {TypeQ4_0, 2, "Q4_0", 32, 18},
		{TypeQ4_1, 3, "Q4_1", 32, 20}, {TypeQ5_0, 6, "Q5_0", 32, 22}, {TypeQ5_1, 7, "Q5_1", 32, 24},
		{TypeQ8_0, 8, "Q8_0", 32, 34}, {TypeQ8_1, 9, "Q8_1", 32, 36}, {TypeQ2_K, 10, "Q2_K", 256, 84},
		{TypeQ3_K, 11, "Q3_K", 256, 110}, {TypeQ4_K, 12, "Q4_K", 256, 144}, {TypeQ5_K, 13, "Q5_K", 256, 176},
		{TypeQ6_K, 14, "Q6_K", 256, 210}, {TypeQ8_K, 15, "Q8_K", 256, 292}, {TypeIQ2_XXS, 16, "IQ2_XXS", 256, 66},
		{TypeIQ2_XS, 17, "IQ2_XS", 256, 74}, {TypeIQ3_XXS, 18, "IQ3_XXS", 256, 98}, {TypeIQ1_S, 19, "IQ1_S", 256, 50},
		{TypeIQ4_NL, 20, "IQ4_NL", 32, 18}, {TypeIQ3_S, 21, "IQ3_S", 256, 110}, {TypeIQ2_S, 22, "IQ2_S", 256, 82},
		{TypeIQ4_XS, 23, "IQ4_XS", 256, 136}, {TypeI8, 24, "I8", 1, 1}, {TypeI16, 25, "I16", 1, 2},
		{TypeI32, 26, "I32", 1, 4}, {TypeI64, 27, "I64", 1, 8}, {TypeF64, 28, "F64", 1, 8},
		{TypeIQ1_M, 29, "IQ1_M", 256, 56}, {TypeBF16, 30, "BF16", 1, 2}, {TypeTQ1_0, 34, "TQ1_0", 256, 54},
		{TypeTQ2_0, 35, "TQ2_0", 256, 66}, {TypeMXFP4, 39, "MXFP4", 32, 17}, {TypeNVFP4, 40, "NVFP4", 64, 36},
		{TypeQ1_0, 41, "Q1_0", 128, 18}, {TypeQ2_0, 42, "Q2_0", 64, 18},
	}
	for _, c := range cases {
		if uint32(c.t) != c.num || c.t.String() != c.name || c.t.BlockSize() != c.block || c.t.BlockBytes() != c.sz {
			t.Errorf("%d: got %s %d/%d, want %s %d/%d", c.num, c.t, c.t.BlockSize(), c.t.BlockBytes(), c.name, c.block, c.sz)
		}
	}
	known := 0
	for n := range 64 {
		if Type(n).Known() {
			known++
		}
	}
	if known != len(cases) {
		t.Errorf("%d known types, want %d", known, len(cases))
	}
	for _, n := range []uint32{4, 5, 31, 32, 33, 36, 37, 38, 43, 1 << 31} {
		ty := Type(n)
		if ty.Known() || ty.BlockSize() != 0 {
			t.Errorf("type %d should be unknown", n)
		}
		if _, err := ty.RowBytes(32); err == nil {
			t.Errorf("RowBytes of unknown type %d: no error", n)
		}
	}
	if Type(4).String() != "type(4)" {
		t.Errorf("Type(4).String() = %q", Type(4).String())
	}
	if n, err := TypeQ4_K.RowBytes(512); err != nil || n != 288 {
		t.Errorf("Q4_K RowBytes(512) = %d, %v", n, err)
	}
	if _, err := TypeQ4_0.RowBytes(48); err == nil {
		t.Error("Q4_0 RowBytes(48): no error")
	}
	if _, err := TypeF32.RowBytes(1 << 62); err == nil {
		t.Error("F32 RowBytes(2^62): no overflow error")
	}
}
