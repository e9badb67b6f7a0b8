//go:build !amd64

package kernels

// f32ToF16Fast has no fast path here: it converts nothing.
func f32ToF16Fast(dst []uint16, src []float32) int { return 0 }

// roundF16sFast has no fast path here: it rounds nothing.
func roundF16sFast(x []float32) int { return 0 }
