package kernels

// Packed 8-row tile kernels (gemm8_amd64.s); see gemm8.go.

//go:noescape
func gemm8x4VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func gemm8x8VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func gemm8x1VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

// gemmTileCheck bounds-checks one call of a packed-tile GEMM kernel before its assembly runs:
// `rows` output rows per activation, nb blocks of wBlock weight bytes, xBlock activation bytes
// and auxPer aux entries per block, for nx activation rows. It reports false when there is
// nothing to do (nb <= 0) and panics, naming the kernel, on a short stride or slice.
func gemmTileCheck(name string, rows, wBlock, xBlock, auxPer, nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride, nx int) bool {
	_ = out[(nx-1)*outStride+rows-1]
	if nb <= 0 {
		return false
	}
	if xStride < nb*xBlock || auxStride < auxPer*nb {
		panic("kernels: " + name + ": activation stride shorter than a row")
	}
	_ = w[nb*wBlock-1]
	_ = x[(nx-1)*xStride+nb*xBlock-1]
	_ = aux[(nx-1)*auxStride+auxPer*nb-1]
	return true
}

// gemm8Check panics like an index expression unless the operands hold nx
// activation rows and an 8 x nx block of out; it reports whether nb > 0.
func gemm8Check(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride, nx int) bool {
	return gemmTileCheck("gemm8", 8, pack8BlockBytes, x86Q8_0Bytes, 2, nb, w, x, xStride, aux, auxStride, out, outStride, nx)
}

func gemm8x4Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm8Check(nb, w, x, xStride, aux, auxStride, out, outStride, 4) {
		for a := range 4 {
			clear(out[a*outStride : a*outStride+8])
		}
		return
	}
	gemm8x4VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func gemm8x8Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm8Check(nb, w, x, xStride, aux, auxStride, out, outStride, 8) {
		for a := range 8 {
			clear(out[a*outStride : a*outStride+8])
		}
		return
	}
	gemm8x8VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func gemm8x1Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm8Check(nb, w, x, xStride, aux, auxStride, out, outStride, 1) {
		clear(out[:8])
		return
	}
	gemm8x1VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

//go:noescape
func pack8Q8_0AVX2(nb int, w *byte, rowBytes int, dst *byte)

//go:noescape
func pack8Q4_0AVX2(nb int, w *byte, rowBytes int, dst *byte)

// pack8Check panics like an index expression unless w holds eight rows of
// nb blocks of blockBytes and dst a packed tile of nb blocks.
func pack8Check(nb, blockBytes int, w []byte, rowBytes int, dst []byte) bool {
	if nb <= 0 {
		return false
	}
	if rowBytes < nb*blockBytes {
		panic("kernels: pack8: row stride shorter than a row")
	}
	_ = w[7*rowBytes+nb*blockBytes-1]
	_ = dst[nb*pack8BlockBytes-1]
	return true
}

func pack8Q8_0Asm(nb int, w []byte, rowBytes int, dst []byte) {
	if pack8Check(nb, x86Q8_0Bytes, w, rowBytes, dst) {
		pack8Q8_0AVX2(nb, &w[0], rowBytes, &dst[0])
	}
}

func pack8Q4_0Asm(nb int, w []byte, rowBytes int, dst []byte) {
	if pack8Check(nb, x86Q4_0Bytes, w, rowBytes, dst) {
		pack8Q4_0AVX2(nb, &w[0], rowBytes, &dst[0])
	}
}

//go:noescape
func gemm8Kx8VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func gemm8Kx1VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func pack8Q4_KQuantsAVX2(nsb int, w *byte, rowBytes int, dst *byte)

// gemm8KCheck is gemm8Check for the Q4_K kernels (320-byte packed blocks,
// 32-byte activation blocks).
func gemm8KCheck(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride, nx int) bool {
	return gemmTileCheck("gemm8K", 8, pack8KBlockBytes, 32, 2, nb, w, x, xStride, aux, auxStride, out, outStride, nx)
}

func gemm8Kx8Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm8KCheck(nb, w, x, xStride, aux, auxStride, out, outStride, 8) {
		for a := range 8 {
			clear(out[a*outStride : a*outStride+8])
		}
		return
	}
	gemm8Kx8VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func gemm8Kx1Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm8KCheck(nb, w, x, xStride, aux, auxStride, out, outStride, 1) {
		clear(out[:8])
		return
	}
	gemm8Kx1VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func pack8Q4_KQuantsAsm(nsb int, w []byte, rowBytes int, dst []byte) {
	if nsb <= 0 {
		return
	}
	if rowBytes < nsb*q4KSize {
		panic("kernels: pack8Q4_K: row stride shorter than a row")
	}
	_ = w[7*rowBytes+nsb*q4KSize-1]
	_ = dst[8*nsb*pack8KBlockBytes-1]
	pack8Q4_KQuantsAVX2(nsb, &w[0], rowBytes, &dst[0])
}

//go:noescape
func gemm16x8VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func gemm16x1VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func pack16hQ8_0AVX2(nb int, w *byte, rowBytes int, dst *byte)

//go:noescape
func pack16hQ4_0AVX2(nb int, w *byte, rowBytes int, dst *byte)

// gemm16Check is gemm8Check for 16-row tiles.
func gemm16Check(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride, nx int) bool {
	return gemmTileCheck("gemm16", 16, pack16BlockBytes, x86Q8_0Bytes, 2, nb, w, x, xStride, aux, auxStride, out, outStride, nx)
}

func gemm16x8Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm16Check(nb, w, x, xStride, aux, auxStride, out, outStride, 8) {
		for a := range 8 {
			clear(out[a*outStride : a*outStride+16])
		}
		return
	}
	gemm16x8VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func gemm16x1Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm16Check(nb, w, x, xStride, aux, auxStride, out, outStride, 1) {
		clear(out[:16])
		return
	}
	gemm16x1VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

// pack16hCheck panics like an index expression unless w holds eight rows
// of nb blocks and dst half of a 16-row tile of nb blocks.
func pack16hCheck(nb, blockBytes int, w []byte, rowBytes int, dst []byte) bool {
	if nb <= 0 {
		return false
	}
	if rowBytes < nb*blockBytes {
		panic("kernels: pack16: row stride shorter than a row")
	}
	_ = w[7*rowBytes+nb*blockBytes-1]
	_ = dst[nb*pack16BlockBytes-32-1]
	return true
}

func pack16hQ8_0Asm(nb int, w []byte, rowBytes int, dst []byte) {
	if pack16hCheck(nb, x86Q8_0Bytes, w, rowBytes, dst) {
		pack16hQ8_0AVX2(nb, &w[0], rowBytes, &dst[0])
	}
}

func pack16hQ4_0Asm(nb int, w []byte, rowBytes int, dst []byte) {
	if pack16hCheck(nb, x86Q4_0Bytes, w, rowBytes, dst) {
		pack16hQ4_0AVX2(nb, &w[0], rowBytes, &dst[0])
	}
}

//go:noescape
func gemm16Kx8VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func gemm16Kx1VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)

//go:noescape
func pack16hQ4_KQuantsAVX2(nsb int, w *byte, rowBytes int, dst *byte)

// gemm16KCheck is gemm8KCheck for 16-row tiles.
func gemm16KCheck(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride, nx int) bool {
	return gemmTileCheck("gemm16K", 16, pack16KBlockBytes, 32, 2, nb, w, x, xStride, aux, auxStride, out, outStride, nx)
}

func gemm16Kx8Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm16KCheck(nb, w, x, xStride, aux, auxStride, out, outStride, 8) {
		for a := range 8 {
			clear(out[a*outStride : a*outStride+16])
		}
		return
	}
	gemm16Kx8VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func gemm16Kx1Asm(nb int, w, x []byte, xStride int, aux []uint32, auxStride int, out []float32, outStride int) {
	if !gemm16KCheck(nb, w, x, xStride, aux, auxStride, out, outStride, 1) {
		clear(out[:16])
		return
	}
	gemm16Kx1VNNI(nb, &w[0], &x[0], xStride, &aux[0], 4*auxStride, &out[0], outStride)
}

func pack16hQ4_KQuantsAsm(nsb int, w []byte, rowBytes int, dst []byte) {
	if nsb <= 0 {
		return
	}
	if rowBytes < nsb*q4KSize {
		panic("kernels: pack16Q4_K: row stride shorter than a row")
	}
	_ = w[7*rowBytes+nsb*q4KSize-1]
	_ = dst[8*nsb*pack16KBlockBytes-32-1]
	pack16hQ4_KQuantsAVX2(nsb, &w[0], rowBytes, &dst[0])
}
