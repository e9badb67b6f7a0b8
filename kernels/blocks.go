package kernels

import (
	"encoding/binary"
	"math"
)

// Block geometry of the ggml formats (ggml-common.h at de3ff81).
const (
	qk       = 32  // elements per block of the 32-element formats
	qkK      = 256 // elements per K-quant super-block
	q4_0Size = 2 + qk/2
	q4_1Size = 4 + qk/2
	q5_0Size = 2 + 4 + qk/2
	q5_1Size = 4 + 4 + qk/2
	q8_0Size = 2 + qk
	q8_1Size = 4 + qk
	q2KSize  = qkK/16 + qkK/4 + 4         // scales, qs, d, dmin
	q3KSize  = qkK/8 + qkK/4 + 12 + 2     // hmask, qs, scales, d
	q4KSize  = 4 + 12 + qkK/2             // d, dmin, scales, qs
	q5KSize  = 4 + 12 + qkK/8 + qkK/2     // d, dmin, scales, qh, qs
	q6KSize  = qkK/2 + qkK/4 + qkK/16 + 2 // ql, qh, scales, d
	q8KSize  = 4 + qkK + qkK/16*2         // d (f32), qs, bsums (i16)
)

// groupMaxEps is ggml's GROUP_MAX_EPS: a group whose largest magnitude is
// below it quantizes to all zeros.
const groupMaxEps = 1e-15

func loadF16(b []byte) float32 { return f16Table[binary.LittleEndian.Uint16(b)] }

func storeF16(b []byte, v float32) { binary.LittleEndian.PutUint16(b, fp32ToFP16(v)) }

func loadF32(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }

func storeF32(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) }

// roundF16 rounds v to the nearest binary16 value and back.
func roundF16(v float32) float32 { return f16Table[fp32ToFP16(v)] }

// nearestInt is ggml's nearest_int: round half to even by adding 1.5*2^23,
// valid for |f| <= 2^22.
func nearestInt(f float32) int32 {
	v := f + 12582912
	return int32(math.Float32bits(v)&0x7fffff) - 0x400000
}

// roundAway is C's roundf: round half away from zero.
func roundAway(f float32) float32 { return float32(math.Round(float64(f))) }

func absf(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }
