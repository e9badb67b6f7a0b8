package kernels

import "golang.org/x/sys/cpu"

// Vector exp kernels for SwiGLU and Softmax: with AVX-512 F+DQ, llama.cpp's
// AVX-512 ggml_v_expf (expf512_amd64.s; references swiglu512Go and
// expSub512Go); otherwise the AVX2 kernels (expf_amd64.s).

//go:noescape
func swigluAVX2(n8 int, dst, gate, up *float32)

//go:noescape
func expSubAVX2(n8 int, x *float32, m float32) float64

//go:noescape
func swiglu512(n16 int, dst, gate, up *float32)

//go:noescape
func expSub512(n int, x *float32, m float32) float64

//go:noescape
func softmax512(n int, x *float32)

// hasExp512 reports whether the AVX-512 exp kernels can run (VSCALEFPS is
// AVX-512F, VEXTRACTF32X8 and the 512-bit VXORPS are AVX-512DQ).
var hasExp512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512DQ

func swigluAsm(dst, gate, up []float32) {
	n := len(dst)
	gate, up = gate[:n], up[:n]
	if hasExp512 {
		n16 := n / 16
		if n16 > 0 {
			swiglu512(n16, &dst[0], &gate[0], &up[0])
		}
		for i := n16 * 16; i < n; i++ {
			dst[i] = siluGlibc(gate[i]) * up[i]
		}
		return
	}
	n8 := n / 8
	if n8 > 0 {
		swigluAVX2(n8, &dst[0], &gate[0], &up[0])
	}
	swigluGo(dst[n8*8:], gate[n8*8:], up[n8*8:])
}

func expSubAsm(x []float32, m float32) float64 {
	if hasExp512 {
		if len(x) == 0 {
			return 0
		}
		return expSub512(len(x), &x[0], m)
	}
	n8 := len(x) / 8
	var sum float64
	if n8 > 0 {
		sum = expSubAVX2(n8, &x[0], m)
	}
	return sum + expSubGo(x[n8*8:], m)
}

// softmaxAsm does Softmax's work (softmax512Go's computation) where the
// AVX-512 kernels run, and reports whether it did. len(x) > 0.
func softmaxAsm(x []float32) bool {
	if !hasExp512 {
		return false
	}
	softmax512(len(x), &x[0])
	return true
}
