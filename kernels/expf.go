package kernels

import "math"

// expf is float32 e^x: the float64 exp rounded once, so correctly rounded
// in practice. (llama.cpp's SIMD SiLU/softmax use ggml_v_expf, within ~2 ulp
// of this; a scalar Go port of that polynomial with emulated float32 FMAs
// measured 2x slower than math.Exp, so the exact value is used instead.)
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }
