package kernels

// Vector exp kernels (expf_amd64.s) for SwiGLU and Softmax.

//go:noescape
func swigluAVX2(n8 int, dst, gate, up *float32)

//go:noescape
func expSubAVX2(n8 int, x *float32, m float32) float64

func swigluAsm(dst, gate, up []float32) {
	n := len(dst)
	gate, up = gate[:n], up[:n]
	n8 := n / 8
	if n8 > 0 {
		swigluAVX2(n8, &dst[0], &gate[0], &up[0])
	}
	swigluGo(dst[n8*8:], gate[n8*8:], up[n8*8:])
}

func expSubAsm(x []float32, m float32) float64 {
	n8 := len(x) / 8
	var sum float64
	if n8 > 0 {
		sum = expSubAVX2(n8, &x[0], m)
	}
	return sum + expSubGo(x[n8*8:], m)
}
