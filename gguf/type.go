package gguf

import (
	"fmt"
	"math/bits"
)

// Type is a ggml tensor type, numbered as in ggml.h (llama.cpp commit de3ff81).
// Numbers that ggml.h has retired (4, 5, 31-33, 36-38) and numbers past the end of
// the table are unknown types: they can be listed, but their size cannot be computed.
type Type uint32

// The ggml tensor types. The names follow ggml.h with the GGML_TYPE_ prefix dropped.
const (
	TypeF32     Type = 0
	TypeF16     Type = 1
	TypeQ4_0    Type = 2
	TypeQ4_1    Type = 3
	TypeQ5_0    Type = 6
	TypeQ5_1    Type = 7
	TypeQ8_0    Type = 8
	TypeQ8_1    Type = 9
	TypeQ2_K    Type = 10
	TypeQ3_K    Type = 11
	TypeQ4_K    Type = 12
	TypeQ5_K    Type = 13
	TypeQ6_K    Type = 14
	TypeQ8_K    Type = 15
	TypeIQ2_XXS Type = 16
	TypeIQ2_XS  Type = 17
	TypeIQ3_XXS Type = 18
	TypeIQ1_S   Type = 19
	TypeIQ4_NL  Type = 20
	TypeIQ3_S   Type = 21
	TypeIQ2_S   Type = 22
	TypeIQ4_XS  Type = 23
	TypeI8      Type = 24
	TypeI16     Type = 25
	TypeI32     Type = 26
	TypeI64     Type = 27
	TypeF64     Type = 28
	TypeIQ1_M   Type = 29
	TypeBF16    Type = 30
	TypeTQ1_0   Type = 34
	TypeTQ2_0   Type = 35
	TypeMXFP4   Type = 39
	TypeNVFP4   Type = 40
	TypeQ1_0    Type = 41
	TypeQ2_0    Type = 42
)

// typeInfo is one row of the type table: block size in elements and bytes per block,
// from ggml.c's type_traits and the block structs in ggml-common.h.
type typeInfo struct {
	name       string
	blockSize  int64
	blockBytes int64
}

// typeTable is indexed by Type; rows with blockSize 0 are unknown (retired) numbers.
var typeTable = [...]typeInfo{
	TypeF32:     {"F32", 1, 4},
	TypeF16:     {"F16", 1, 2},
	TypeQ4_0:    {"Q4_0", 32, 18},
	TypeQ4_1:    {"Q4_1", 32, 20},
	TypeQ5_0:    {"Q5_0", 32, 22},
	TypeQ5_1:    {"Q5_1", 32, 24},
	TypeQ8_0:    {"Q8_0", 32, 34},
	TypeQ8_1:    {"Q8_1", 32, 36},
	TypeQ2_K:    {"Q2_K", 256, 84},
	TypeQ3_K:    {"Q3_K", 256, 110},
	TypeQ4_K:    {"Q4_K", 256, 144},
	TypeQ5_K:    {"Q5_K", 256, 176},
	TypeQ6_K:    {"Q6_K", 256, 210},
	TypeQ8_K:    {"Q8_K", 256, 292},
	TypeIQ2_XXS: {"IQ2_XXS", 256, 66},
	TypeIQ2_XS:  {"IQ2_XS", 256, 74},
	TypeIQ3_XXS: {"IQ3_XXS", 256, 98},
	TypeIQ1_S:   {"IQ1_S", 256, 50},
	TypeIQ4_NL:  {"IQ4_NL", 32, 18},
	TypeIQ3_S:   {"IQ3_S", 256, 110},
	TypeIQ2_S:   {"IQ2_S", 256, 82},
	TypeIQ4_XS:  {"IQ4_XS", 256, 136},
	TypeI8:      {"I8", 1, 1},
	TypeI16:     {"I16", 1, 2},
	TypeI32:     {"I32", 1, 4},
	TypeI64:     {"I64", 1, 8},
	TypeF64:     {"F64", 1, 8},
	TypeIQ1_M:   {"IQ1_M", 256, 56},
	TypeBF16:    {"BF16", 1, 2},
	TypeTQ1_0:   {"TQ1_0", 256, 54},
	TypeTQ2_0:   {"TQ2_0", 256, 66},
	TypeMXFP4:   {"MXFP4", 32, 17},
	TypeNVFP4:   {"NVFP4", 64, 36},
	TypeQ1_0:    {"Q1_0", 128, 18},
	TypeQ2_0:    {"Q2_0", 64, 18},
}

func (t Type) info() (typeInfo, bool) {
	if int(t) < len(typeTable) && typeTable[t].blockSize != 0 {
		return typeTable[t], true
	}
	return typeInfo{}, false
}

// Known reports whether t is a type in the table (its size can be computed).
func (t Type) Known() bool {
	_, ok := t.info()
	return ok
}

// String returns the type's name ("F32", "Q4_K", ...) or "type(N)" for an unknown number.
func (t Type) String() string {
	if ti, ok := t.info(); ok {
		return ti.name
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// BlockSize returns the number of elements per block (1 for F32, F16, BF16 and the
// integer types), or 0 for an unknown type.
func (t Type) BlockSize() int64 {
	ti, _ := t.info()
	return ti.blockSize
}

// BlockBytes returns the number of bytes per block, or 0 for an unknown type.
func (t Type) BlockBytes() int64 {
	ti, _ := t.info()
	return ti.blockBytes
}

// RowBytes returns the number of bytes that n elements take. It fails for an unknown
// type, a negative n, an n that is not a multiple of the block size, or an overflow.
func (t Type) RowBytes(n int64) (int64, error) {
	ti, ok := t.info()
	if !ok {
		return 0, fmt.Errorf("tensor type %s is unknown, so its size cannot be computed", t)
	}
	if n < 0 {
		return 0, fmt.Errorf("negative element count %d", n)
	}
	if n%ti.blockSize != 0 {
		return 0, fmt.Errorf("%d elements of type %s: not a multiple of the block size %d", n, t, ti.blockSize)
	}
	hi, lo := bits.Mul64(uint64(n/ti.blockSize), uint64(ti.blockBytes))
	if hi != 0 || lo > 1<<63-1 {
		return 0, fmt.Errorf("%d elements of type %s: size overflows int64", n, t)
	}
	return int64(lo), nil
}
