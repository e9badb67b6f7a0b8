package kernels

// Prefill (batched MatMul) for F16 weights: a thread converts eight weight
// rows at a time, a chunk of columns at a time, to float32 (once for the
// whole batch), then register-blocked FMA kernels multiply the chunk with
// every batch row (float32 values of the F16-rounded activations, as the
// F16 dot sees them). The one-row and four-row F16 kernels instead convert
// each weight again for every group of four batch rows.

// gemmF16MinBatch is the smallest batch that takes this path.
const gemmF16MinBatch = 12

// gemmF16Chunk is the columns per converted chunk: 8 rows x 512 float32 =
// 16 KiB stay in L1 while the batch rows go by.
const gemmF16Chunk = 512

// The float32 kernels (nil where the CPU has none; set in
// dispatch_amd64.go): out[a*outStride + r] += dot(16*k16 floats of
// w[r*wStride:], x[a*xStride:]) for r = 0..7 and a = 0..2 (x3) or a = 0
// (x1). cvtF16F32 converts len(src) (a multiple of 16) binary16 values.
var (
	gemmF32x8x3, gemmF32x8x1 func(k16 int, w []float32, wStride int, x []float32, xStride int, out []float32, outStride int)
	cvtF16F32                func(dst []float32, src []uint16)
)

// gemmF16Rows computes rows [lo, hi) of F16 weights for every batch row
// (mm.xf holds the activations); buf is the thread's chunk scratch. Rows
// left over after the last group of eight use the four-row tiles.
func (mm *matmulJob) gemmF16Rows(buf *[]float32, lo, hi int) {
	w, rb, cols, batch := mm.w, mm.rb, mm.w.Cols, mm.batch
	kc := min(cols, gemmF16Chunk)
	ks := kc + 16 // row stride of the chunk: rows 64 bytes apart from L1 set alignment
	if cap(*buf) < 8*ks {
		*buf = make([]float32, 8*ks)
	}
	tile := (*buf)[:8*ks]
	r8 := lo + (hi-lo)/8*8
	for r := lo; r < r8; r += 8 {
		for b := range batch {
			clear(mm.out[b*w.Rows+r : b*w.Rows+r+8])
		}
		for k0 := 0; k0 < cols; k0 += kc {
			n := min(kc, cols-k0)
			for i := range 8 {
				cvtF16F32(tile[i*ks:i*ks+n], uint16s(w.Data[(r+i)*rb : (r+i+1)*rb])[k0:k0+n])
			}
			b := 0
			for ; b+3 <= batch; b += 3 {
				gemmF32x8x3(n/16, tile, ks, mm.xf[b*cols+k0:], cols, mm.out[b*w.Rows+r:], w.Rows)
			}
			for ; b < batch; b++ {
				gemmF32x8x1(n/16, tile, ks, mm.xf[b*cols+k0:], cols, mm.out[b*w.Rows+r:], w.Rows)
			}
		}
	}
	if r8 < hi {
		mm.floatRows(r8, hi)
	}
}
