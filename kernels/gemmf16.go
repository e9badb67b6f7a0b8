package kernels

// Prefill (batched MatMul) for F16 weights as a float32 GEMM. The batch is
// laid across the ZMM lanes: MatMul packs the activations, rounded to F16
// as the F16 dot sees them, k-major in blocks of 32 batch rows (xf: for
// block j and column k, 32 floats at (j*cols + k)*32; rows past the batch
// are zero). A thread then takes up to gemmF16TileRows weight rows at a
// time, converts them to float32 once (one sequential read of the file,
// into an L2-sized tile) and, per chunk of gemmF16Chunk columns, runs the
// micro-kernels (gemmf16_gen.go) over every
// batch block: each broadcasts one weight and feeds two FMAs, so
// there are no horizontal sums and no conversions in the inner loop. The
// accumulators live in a transposed scratch block (tile rows x 32 per batch
// block) that is copied to out when the tile is done.

// gemmF16MinBatch is the smallest batch that takes this path.
const gemmF16MinBatch = 12

// gemmF16Chunk is the columns per micro-kernel call (a multiple of 16;
// the kernel itself adds its sums to c every 64 columns). Measured on
// TinyLlama F16, 2 threads, prompt 128: 64 columns per call (12 KiB of the
// tile, L1-sized) 81-85 t/s, 128 90-94, 256 92-99, 512 95-101, 1024 and
// 2048 no better: fewer calls matter more than keeping the chunk in L1
// (the tile is in L2).
const gemmF16Chunk = 512

// gemmF16TileRows is the weight rows converted at a time (48 x 2048
// float32 = 384 KiB, an L2-sized tile for 2048 columns; 24 and 96 were
// measured 3% slower); the activation chunk of a batch block is reused for
// all of them.
const gemmF16TileRows = 48

// The micro-kernels (nil where the CPU has none; set in dispatch_amd64.go):
// for R = 12 or 4 weight rows starting at w (wStride floats apart) and 32
// batch rows of x (k-major, 32 floats per column), c[r*32 + j] += dot(row
// r, batch row j) over 16*k16 columns. cvtF16F32 converts len(src) (a
// multiple of 16) binary16 values.
var (
	gemmF16T12, gemmF16T4 func(k16 int, w []float32, wStride int, x []float32, c []float32)
	cvtF16F32             func(dst []float32, src []uint16)
)

// gemmF16Scratch is one thread's converted weight tile and accumulators.
type gemmF16Scratch struct {
	w, c []float32
}

// gemmF16Batch is the batch rounded up to whole blocks of 32.
func gemmF16Batch(batch int) int { return (batch + 31) / 32 * 32 }

// packF16Blocks writes batch blocks [lo, hi) of mm.xf from mm.x.
func (mm *matmulJob) packF16Blocks(lo, hi int) {
	cols := mm.w.Cols
	for j := lo; j < hi; j++ {
		blk := mm.xf[j*32*cols : (j+1)*32*cols]
		for i := range 32 {
			b := j*32 + i
			if b >= mm.batch {
				for k := range cols {
					blk[k*32+i] = 0
				}
				continue
			}
			for k, v := range mm.x[b*cols : (b+1)*cols] {
				blk[k*32+i] = v
			}
		}
		roundF16s(blk)
	}
}

// gemmF16Rows computes rows [lo, hi) of F16 weights for every batch row.
// Rows past the last group of four use the four-row dot tiles.
func (mm *matmulJob) gemmF16Rows(s *gemmF16Scratch, lo, hi int) {
	w, rb, cols, batch := mm.w, mm.rb, mm.w.Cols, mm.batch
	nb := gemmF16Batch(batch) / 32
	ks := cols + 16 // tile row stride: rows 64 bytes apart from L1 set alignment
	if len(s.w) < gemmF16TileRows*ks {
		s.w = make([]float32, gemmF16TileRows*ks)
	}
	if len(s.c) < gemmF16TileRows*nb*32 {
		s.c = make([]float32, gemmF16TileRows*nb*32)
	}
	r4 := lo + (hi-lo)/4*4
	for r0 := lo; r0 < r4; r0 += gemmF16TileRows {
		tr := min(gemmF16TileRows, r4-r0)
		// The tile's rows are contiguous in the file: one sequential read.
		for i := range tr {
			cvtF16F32(s.w[i*ks:i*ks+cols], uint16s(w.Data[(r0+i)*rb : (r0+i+1)*rb])[:cols])
		}
		c := s.c[:tr*nb*32] // block j, tile row i, batch lane l at (j*tr + i)*32 + l
		clear(c)
		for k0 := 0; k0 < cols; k0 += gemmF16Chunk {
			n := min(gemmF16Chunk, cols-k0)
			for j := range nb {
				x := mm.xf[(j*cols+k0)*32:]
				for i := 0; i < tr; {
					if tr-i >= 12 {
						gemmF16T12(n/16, s.w[i*ks+k0:], ks, x, c[(j*tr+i)*32:])
						i += 12
					} else {
						gemmF16T4(n/16, s.w[i*ks+k0:], ks, x, c[(j*tr+i)*32:])
						i += 4
					}
				}
			}
		}
		for b := range batch {
			j, l := b/32, b%32
			out := mm.out[b*w.Rows+r0 : b*w.Rows+r0+tr]
			for i := range out {
				out[i] = c[(j*tr+i)*32+l]
			}
		}
	}
	if r4 < hi {
		mm.floatRows(r4, hi)
	}
}
