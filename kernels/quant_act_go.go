package kernels

import (
	"encoding/binary"
	"math"
)

// Portable fast versions of the activation quantizers, byte-identical to
// the Ref versions (tests check): fixed-size block views so the compiler
// drops bounds checks, and rounding to nearest even with ggml's 1.5*2^23
// trick (exact for |v| <= 2^22, which 127*x/amax always is).

// blockAmax returns the largest magnitude in x (NaNs ignored).
func blockAmax(x []float32) float32 {
	var m uint32
	for _, v := range x {
		if a := math.Float32bits(v) &^ (1 << 31); a > m && a <= 0x7f800000 {
			m = a
		}
	}
	return math.Float32frombits(m)
}

func quantizeRowQ8_0Go(dst []byte, x []float32) {
	nb := len(x) / qk
	for i := 0; i < nb; i++ {
		xb := (*[qk]float32)(x[i*qk:])
		b := (*[q8_0Size]byte)(dst[i*q8_0Size:])
		amax := blockAmax(xb[:])
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		binary.LittleEndian.PutUint16(b[:], fp32ToFP16(amax/127))
		for j, v := range xb {
			b[2+j] = byte(nearestInt(float32(v * id)))
		}
	}
}

func quantizeRowQ8_1Go(dst []byte, x []float32) {
	nb := len(x) / qk
	for i := 0; i < nb; i++ {
		xb := (*[qk]float32)(x[i*qk:])
		b := (*[q8_1Size]byte)(dst[i*q8_1Size:])
		amax := blockAmax(xb[:])
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		d := amax / 127
		binary.LittleEndian.PutUint16(b[:], fp32ToFP16(d))
		sum := int32(0)
		for j, v := range xb {
			q := nearestInt(float32(v * id))
			b[4+j] = byte(q)
			sum += q
		}
		binary.LittleEndian.PutUint16(b[2:], fp32ToFP16(d*float32(sum)))
	}
}

func quantizeRowQ8_KGo(dst []byte, x []float32) {
	nb := len(x) / qkK
	for i := 0; i < nb; i++ {
		xb := (*[qkK]float32)(x[i*qkK:])
		b := (*[q8KSize]byte)(dst[i*q8KSize:])
		maxv, amax := absMaxSigned(xb[:])
		if amax == 0 {
			clear(b[:])
			continue
		}
		iscale := -127 / maxv
		for g := 0; g < qkK/16; g++ {
			sum := int32(0)
			for j, v := range (*[16]float32)(xb[16*g:]) {
				q := min(127, nearestInt(float32(iscale*v)))
				b[4+16*g+j] = byte(q)
				sum += q
			}
			binary.LittleEndian.PutUint16(b[4+qkK+2*g:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(1/iscale))
	}
}
