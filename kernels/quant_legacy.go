package kernels

import (
	"encoding/binary"
	"math"
)

// The 32-element formats: Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1.
// Weight quantizers follow ggml's quantize_row_*_ref (deterministic, what
// llama-quantize writes without an importance matrix); the activation
// quantizers for Q8_0/Q8_1 follow the CPU backend's x86 versions
// (round to nearest even, multiplier 127/amax).

// ---- dequantization ----

func dequantQ4_0(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q4_0Size:]
		d := loadF16(b)
		qs := b[2 : 2+qk/2]
		y := dst[i*qk : i*qk+qk]
		for j := 0; j < qk/2; j++ {
			y[j] = float32(int32(qs[j]&0x0f)-8) * d
			y[j+qk/2] = float32(int32(qs[j]>>4)-8) * d
		}
	}
}

func dequantQ4_1(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q4_1Size:]
		d, m := loadF16(b), loadF16(b[2:])
		qs := b[4 : 4+qk/2]
		y := dst[i*qk : i*qk+qk]
		for j := 0; j < qk/2; j++ {
			y[j] = float32(float32(qs[j]&0x0f)*d) + m
			y[j+qk/2] = float32(float32(qs[j]>>4)*d) + m
		}
	}
}

func dequantQ5_0(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q5_0Size:]
		d := loadF16(b)
		qh := binary.LittleEndian.Uint32(b[2:])
		qs := b[6 : 6+qk/2]
		y := dst[i*qk : i*qk+qk]
		for j := 0; j < qk/2; j++ {
			h0 := byte(qh>>uint(j)<<4) & 0x10
			h1 := byte(qh>>uint(j+12)) & 0x10
			y[j] = float32(int32(qs[j]&0x0f|h0)-16) * d
			y[j+qk/2] = float32(int32(qs[j]>>4|h1)-16) * d
		}
	}
}

func dequantQ5_1(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q5_1Size:]
		d, m := loadF16(b), loadF16(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		qs := b[8 : 8+qk/2]
		y := dst[i*qk : i*qk+qk]
		for j := 0; j < qk/2; j++ {
			h0 := byte(qh>>uint(j)<<4) & 0x10
			h1 := byte(qh>>uint(j+12)) & 0x10
			y[j] = float32(float32(qs[j]&0x0f|h0)*d) + m
			y[j+qk/2] = float32(float32(qs[j]>>4|h1)*d) + m
		}
	}
}

func dequantQ8_0(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q8_0Size:]
		d := loadF16(b)
		y := dst[i*qk : i*qk+qk]
		for j, q := range b[2 : 2+qk] {
			y[j] = float32(int8(q)) * d
		}
	}
}

func dequantQ8_1(dst []float32, src []byte) {
	for i := 0; i < len(dst)/qk; i++ {
		b := src[i*q8_1Size:]
		d := loadF16(b)
		y := dst[i*qk : i*qk+qk]
		for j, q := range b[4 : 4+qk] {
			y[j] = float32(int8(q)) * d
		}
	}
}

// ---- weight quantizers (ggml quantize_row_*_ref) ----

// absMaxSigned returns the element of largest magnitude (the first one on
// ties) and that magnitude.
func absMaxSigned(x []float32) (max, amax float32) {
	for _, v := range x {
		if a := absf(v); amax < a {
			amax, max = a, v
		}
	}
	return max, amax
}

func minMax(x []float32) (min, max float32) {
	min, max = math.MaxFloat32, -math.MaxFloat32
	for _, v := range x {
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
	}
	return min, max
}

func inverse(d float32) float32 {
	if d != 0 {
		return 1 / d
	}
	return 0
}

func quantizeWeightsQ4_0(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q4_0Size : (i+1)*q4_0Size]
		max, _ := absMaxSigned(x)
		d := max / -8
		id := inverse(d)
		storeF16(b, d)
		for j := 0; j < qk/2; j++ {
			x0 := float32(x[j] * id)
			x1 := float32(x[j+qk/2] * id)
			q0 := min(15, int32(int8(x0+8.5)))
			q1 := min(15, int32(int8(x1+8.5)))
			b[2+j] = byte(q0) | byte(q1)<<4
		}
	}
}

func quantizeWeightsQ4_1(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q4_1Size : (i+1)*q4_1Size]
		lo, hi := minMax(x)
		d := (hi - lo) / 15
		id := inverse(d)
		storeF16(b, d)
		storeF16(b[2:], lo)
		for j := 0; j < qk/2; j++ {
			x0 := float32((x[j] - lo) * id)
			x1 := float32((x[j+qk/2] - lo) * id)
			q0 := min(15, int32(int8(x0+0.5)))
			q1 := min(15, int32(int8(x1+0.5)))
			b[4+j] = byte(q0) | byte(q1)<<4
		}
	}
}

func quantizeWeightsQ5_0(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q5_0Size : (i+1)*q5_0Size]
		max, _ := absMaxSigned(x)
		d := max / -16
		id := inverse(d)
		storeF16(b, d)
		var qh uint32
		for j := 0; j < qk/2; j++ {
			x0 := float32(x[j] * id)
			x1 := float32(x[j+qk/2] * id)
			q0 := uint32(min(31, int32(int8(x0+16.5))))
			q1 := uint32(min(31, int32(int8(x1+16.5))))
			b[6+j] = byte(q0&0x0f) | byte(q1&0x0f)<<4
			qh |= (q0 & 0x10) >> 4 << uint(j)
			qh |= (q1 & 0x10) >> 4 << uint(j+qk/2)
		}
		binary.LittleEndian.PutUint32(b[2:], qh)
	}
}

func quantizeWeightsQ5_1(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q5_1Size : (i+1)*q5_1Size]
		lo, hi := minMax(x)
		d := (hi - lo) / 31
		id := inverse(d)
		storeF16(b, d)
		storeF16(b[2:], lo)
		var qh uint32
		for j := 0; j < qk/2; j++ {
			x0 := float32((x[j] - lo) * id)
			x1 := float32((x[j+qk/2] - lo) * id)
			q0 := uint32(uint8(int32(x0 + 0.5)))
			q1 := uint32(uint8(int32(x1 + 0.5)))
			b[8+j] = byte(q0&0x0f) | byte(q1&0x0f)<<4
			qh |= (q0 & 0x10) >> 4 << uint(j)
			qh |= (q1 & 0x10) >> 4 << uint(j+qk/2)
		}
		binary.LittleEndian.PutUint32(b[4:], qh)
	}
}

func quantizeWeightsQ8_0(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q8_0Size : (i+1)*q8_0Size]
		_, amax := absMaxSigned(x)
		d := amax / 127
		id := inverse(d)
		storeF16(b, d)
		for j, v := range x {
			b[2+j] = byte(int8(roundAway(float32(v * id))))
		}
	}
}

func quantizeWeightsQ8_1(dst []byte, src []float32) {
	for i := 0; i < len(src)/qk; i++ {
		x := src[i*qk : i*qk+qk]
		b := dst[i*q8_1Size : (i+1)*q8_1Size]
		_, amax := absMaxSigned(x)
		d := amax / 127
		id := inverse(d)
		storeF16(b, d)
		sum := int32(0)
		for j, v := range x {
			q := int8(roundAway(float32(v * id)))
			b[4+j] = byte(q)
			sum += int32(q)
		}
		storeF16(b[2:], float32(sum)*d)
	}
}

// ---- activation quantizers (the CPU backend's quantize_row_q8_0/q8_1) ----

// q8Scale returns the block scale d (stored as F16) and the multiplier
// 127/amax that ggml's AVX code applies before rounding.
func q8Scale(x []float32) (d, id float32) {
	var amax float32
	for _, v := range x {
		amax = max(amax, absf(v))
	}
	d = amax / 127
	if amax != 0 {
		id = 127 / amax
	}
	return d, id
}

// roundEvenInt8 rounds to nearest even and saturates to int8, like
// vroundps + vcvtps2dq + vpacksswb.
func roundEvenInt8(v float32) int8 {
	r := math.RoundToEven(float64(v))
	switch {
	case r > 127:
		return 127
	case r < -128:
		return -128
	case r != r:
		return -128 // cvtps2dq yields INT_MIN for NaN; packs saturates it
	}
	return int8(r)
}

// quantizeRowQ8_0Ref quantizes an activation row (len a multiple of 32) to
// Q8_0 blocks in dst, as llama.cpp's x86 CPU backend does.
func quantizeRowQ8_0Ref(dst []byte, x []float32) {
	for i := 0; i < len(x)/qk; i++ {
		xb := x[i*qk : i*qk+qk]
		b := dst[i*q8_0Size : (i+1)*q8_0Size]
		d, id := q8Scale(xb)
		storeF16(b, d)
		for j, v := range xb {
			b[2+j] = byte(roundEvenInt8(v * id))
		}
	}
}

// quantizeRowQ8_1Ref is quantizeRowQ8_0Ref for Q8_1 blocks, which also
// store s = d * sum(qs).
func quantizeRowQ8_1Ref(dst []byte, x []float32) {
	for i := 0; i < len(x)/qk; i++ {
		xb := x[i*qk : i*qk+qk]
		b := dst[i*q8_1Size : (i+1)*q8_1Size]
		d, id := q8Scale(xb)
		storeF16(b, d)
		sum := int32(0)
		for j, v := range xb {
			q := roundEvenInt8(v * id)
			b[4+j] = byte(q)
			sum += int32(q)
		}
		storeF16(b[2:], d*float32(sum))
	}
}
