package kernels

import "golang.org/x/sys/cpu"

// F16/BF16 4 x nx tiles (dotfx4n_amd64.s) with the dispatch-table signature
// of dotF16x4n/dotBF16x4n: strides in elements, 1 <= nx <= 4.

//go:noescape
func dotF16x4nAVX512(n8 int, w *uint16, rowStride int, x *uint16, xStride, nx int, out *float32, outStride int)

//go:noescape
func dotBF16x4nAVX512(n8 int, w *uint16, rowStride int, x *uint16, xStride, nx int, out *float32, outStride int)

// x86HasAVX512VL reports whether EVEX-encoded YMM code (32 registers) runs.
func x86HasAVX512VL() bool {
	return x86HasAVX2() && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512BW
}

type x86FTileKernel func(n8 int, w *uint16, rowStride int, x *uint16, xStride, nx int, out *float32, outStride int)

func x86RunFTile(k x86FTileKernel, conv func(uint16) float32, n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int) {
	if nx < 1 || nx > 4 {
		panic("kernels: dot x4n: nx out of [1, 4]")
	}
	_ = out[(nx-1)*outStride+3]
	if n <= 0 {
		for a := range nx {
			clear(out[a*outStride : a*outStride+4])
		}
		return
	}
	if rowStride < n || xStride < n {
		panic("kernels: dot x4n: stride shorter than a row")
	}
	_ = w[3*rowStride+n-1]
	_ = x[(nx-1)*xStride+n-1]
	n8 := n / 8
	k(n8, &w[0], rowStride, &x[0], xStride, nx, &out[0], outStride)
	for i := n8 * 8; i < n; i++ { // tail
		for a := range nx {
			xv := conv(x[a*xStride+i])
			for r := range 4 {
				out[a*outStride+r] += conv(w[r*rowStride+i]) * xv
			}
		}
	}
}

func dotF16x4nAsm(n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int) {
	x86RunFTile(dotF16x4nAVX512, fp16ToFP32, n, w, rowStride, x, xStride, nx, out, outStride)
}

func dotBF16x4nAsm(n int, w []uint16, rowStride int, x []uint16, xStride, nx int, out []float32, outStride int) {
	x86RunFTile(dotBF16x4nAVX512, bf16ToFP32, n, w, rowStride, x, xStride, nx, out, outStride)
}
