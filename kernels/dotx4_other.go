//go:build !amd64

package kernels

// Four-row dots exist only as amd64 assembly; elsewhere they stay nil and
// MatMul uses the one-row dots. See dispatch_amd64.go.
var (
	dotQ8_0x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
	dotQ4_0x4 func(n int, w []byte, rowBytes int, x []byte, out []float32)
)

// Four-row by nx-activation tiles: amd64 assembly only, nil elsewhere.
var (
	dotQ8_0x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ4_0x4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ4_Kx4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
	dotQ6_Kx4n func(n int, w []byte, rowBytes int, x []byte, xRowBytes, nx int, out []float32, outStride int)
)
