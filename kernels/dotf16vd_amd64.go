package kernels

//go:noescape
func dotF16x4VDAVX512(n64 int, w *uint16, rowStride int, x *float32, out *float32)

func dotF16x4VDAsm(n64 int, w []uint16, rowStride int, x []float32, out []float32) {
	_ = out[3]
	if n64 <= 0 {
		clear(out[:4])
		return
	}
	if rowStride < 64*n64 {
		panic("kernels: dotF16x4VD: row stride shorter than a row")
	}
	_ = w[3*rowStride+64*n64-1]
	_ = x[64*n64-1]
	dotF16x4VDAVX512(n64, &w[0], rowStride, &x[0], &out[0])
}
