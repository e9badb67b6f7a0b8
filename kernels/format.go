package kernels

import (
	"fmt"
	"unsafe"

	"github.com/amulet-llm/amulet/gguf"
)

// format describes how the package handles one tensor type.
type format struct {
	blockSize, blockBytes int
	dequant               func(dst []float32, src []byte)
	quant                 func(dst []byte, src []float32) // reference weight quantizer
	act                   gguf.Type                       // activation type of the dot product
	dot                   *func(n int, w, x []byte) float32
	dot4                  *func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dot4n                 *func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
}

// formatOf returns the format of t; ok is false for types the package
// cannot decode.
func formatOf(t gguf.Type) (f format, ok bool) {
	switch t {
	case gguf.TypeF32:
		return format{1, 4, dequantF32, quantizeF32, gguf.TypeF32, nil, nil, nil}, true
	case gguf.TypeF16:
		return format{1, 2, dequantF16, quantizeF16, gguf.TypeF16, nil, nil, nil}, true
	case gguf.TypeBF16:
		return format{1, 2, dequantBF16, quantizeBF16, gguf.TypeBF16, nil, nil, nil}, true
	case gguf.TypeQ8_0:
		return format{qk, q8_0Size, dequantQ8_0, quantizeWeightsQ8_0, gguf.TypeQ8_0, &dotQ8_0, &dotQ8_0x4, &dotQ8_0x4n}, true
	case gguf.TypeQ8_1:
		return format{qk, q8_1Size, dequantQ8_1, quantizeWeightsQ8_1, gguf.TypeQ8_1, nil, nil, nil}, true
	case gguf.TypeQ4_0:
		return format{qk, q4_0Size, dequantQ4_0, quantizeWeightsQ4_0, gguf.TypeQ8_0, &dotQ4_0, &dotQ4_0x4, &dotQ4_0x4n}, true
	case gguf.TypeQ4_1:
		return format{qk, q4_1Size, dequantQ4_1, quantizeWeightsQ4_1, gguf.TypeQ8_1, &dotQ4_1, &dotQ4_1x4, &dotQ4_1x4n}, true
	case gguf.TypeQ5_0:
		return format{qk, q5_0Size, dequantQ5_0, quantizeWeightsQ5_0, gguf.TypeQ8_0, &dotQ5_0, &dotQ5_0x4, &dotQ5_0x4n}, true
	case gguf.TypeQ5_1:
		return format{qk, q5_1Size, dequantQ5_1, quantizeWeightsQ5_1, gguf.TypeQ8_1, &dotQ5_1, &dotQ5_1x4, &dotQ5_1x4n}, true
	case gguf.TypeQ2_K:
		return format{qkK, q2KSize, dequantQ2_K, quantizeWeightsQ2_K, gguf.TypeQ8_K, &dotQ2_K, &dotQ2_Kx4, &dotQ2_Kx4n}, true
	case gguf.TypeQ3_K:
		return format{qkK, q3KSize, dequantQ3_K, quantizeWeightsQ3_K, gguf.TypeQ8_K, &dotQ3_K, &dotQ3_Kx4, &dotQ3_Kx4n}, true
	case gguf.TypeQ4_K:
		return format{qkK, q4KSize, dequantQ4_K, quantizeWeightsQ4_K, gguf.TypeQ8_K, &dotQ4_K, &dotQ4_Kx4, &dotQ4_Kx4n}, true
	case gguf.TypeQ5_K:
		return format{qkK, q5KSize, dequantQ5_K, quantizeWeightsQ5_K, gguf.TypeQ8_K, &dotQ5_K, &dotQ5_Kx4, &dotQ5_Kx4n}, true
	case gguf.TypeQ6_K:
		return format{qkK, q6KSize, dequantQ6_K, quantizeWeightsQ6_K, gguf.TypeQ8_K, &dotQ6_K, &dotQ6_Kx4, &dotQ6_Kx4n}, true
	case gguf.TypeQ8_K:
		return format{qkK, q8KSize, dequantQ8_K, quantizeRowQ8_KRef, gguf.TypeQ8_K, nil, nil, nil}, true
	}
	return format{}, false
}

// rowBytes is the encoded size of n elements (n a multiple of the block size).
func (f format) rowBytes(n int) int { return n / f.blockSize * f.blockBytes }

// Supported reports whether MatMul and Row can compute with weights of type t:
// F32 F16 BF16 Q8_0 Q4_0 Q4_1 Q5_0 Q5_1 Q2_K Q3_K Q4_K Q5_K Q6_K.
func Supported(t gguf.Type) bool {
	f, ok := formatOf(t)
	return ok && (f.dot != nil || t == gguf.TypeF32 || t == gguf.TypeF16 || t == gguf.TypeBF16)
}

// checkSizes validates an element count against a byte buffer for t.
func checkSizes(t gguf.Type, n, nbytes int) (format, error) {
	f, ok := formatOf(t)
	if !ok {
		return f, fmt.Errorf("kernels: tensor type %s is not supported", t)
	}
	if n%f.blockSize != 0 {
		return f, fmt.Errorf("kernels: %d elements of %s: not a multiple of the block size %d", n, t, f.blockSize)
	}
	if need := f.rowBytes(n); nbytes < need {
		return f, fmt.Errorf("kernels: %d elements of %s need %d bytes, have %d", n, t, need, nbytes)
	}
	return f, nil
}

// Dequantize decodes len(dst) elements of type t from src.
// It fails for an unsupported type, a length that is not a multiple of the
// block size, or a src shorter than those elements need.
func Dequantize(dst []float32, t gguf.Type, src []byte) error {
	f, err := checkSizes(t, len(dst), len(src))
	if err != nil {
		return err
	}
	f.dequant(dst, src)
	return nil
}

// Quantize encodes src as type t into dst with ggml's reference quantizers
// (quantize_row_*_ref: what llama-quantize writes without an importance
// matrix), so a file written with it loads in llama.cpp. len(src) must be a
// multiple of the block size and dst at least as long as the encoding.
func Quantize(dst []byte, t gguf.Type, src []float32) error {
	f, err := checkSizes(t, len(src), len(dst))
	if err != nil {
		return err
	}
	f.quant(dst, src)
	return nil
}

func dequantF32(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = loadF32(src[4*i:])
	}
}

func quantizeF32(dst []byte, src []float32) {
	for i, v := range src {
		storeF32(dst[4*i:], v)
	}
}

func dequantF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = loadF16(src[2*i:])
	}
}

func quantizeF16(dst []byte, src []float32) {
	for i, v := range src {
		storeF16(dst[2*i:], v)
	}
}

func dequantBF16(dst []float32, src []byte) {
	for i := range dst {
		dst[i] = bf16ToFP32(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
	}
}

func quantizeBF16(dst []byte, src []float32) {
	for i, v := range src {
		h := fp32ToBF16(v)
		dst[2*i], dst[2*i+1] = byte(h), byte(h>>8)
	}
}

// float32s views b (little-endian float32s, 4-byte aligned as in GGUF data)
// as []float32 without copying.
func float32s(b []byte) []float32 {
	if len(b) < 4 {
		return nil
	}
	return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
}

// uint16s views b as []uint16 without copying.
func uint16s(b []byte) []uint16 {
	if len(b) < 2 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/2)
}
