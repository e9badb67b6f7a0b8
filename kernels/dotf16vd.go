package kernels

// One-token F16 matrix-vector products in llama.cpp's order. A decode step
// of llama.cpp multiplies an F16 matrix by one activation row with
// ggml_vec_dot_f16 (its tinyBLAS GEMM takes two or more rows): the
// activation rounded to F16, and on AVX-512 builds four 16-lane FMA
// accumulators per 64 columns, combined (a0+a2)+(a1+a3) and reduced like
// _mm512_reduce_add_ps — the same order as ggml_vec_dot_f32 (attnDotRef).
// MatMul takes this path for batch 1 when the columns are a multiple of 64
// (ggml then has no scalar tail) and the CPU has the kernel: the same
// float32 operations as llama.cpp's, in its order (transcribed from ggml's
// source; attnDotRef's identical order was checked against llama.cpp's own
// intermediate tensors). Four rows per call read as four memory
// streams, and the kernel prefetches the next four rows alongside: measured
// on TinyLlama F16 (amulet-run bench -p 0 -n 64 at 2 threads, -n 32 at 1,
// alternating), 2 threads 9.44 -> 10.2-10.6 t/s and 1 thread 5.15 -> 5.72
// with the prefetch; one
// interleaved stream instead (rows repacked) was slower. A prefetch past the
// matrix's last row is harmless (PREFETCH never faults).

// dotF16x4VD sets out[r] = the vec_dot_f16 sum of weight row r (rows
// rowStride elements apart) times x (float32 values of F16-rounded
// activations) for r = 0..3, over 64*n64 columns. Nil where the CPU has no
// kernel (set in dispatch_amd64.go).
var dotF16x4VD func(n64 int, w []uint16, rowStride int, x []float32, out []float32)

// dotF16VDRef is dotF16x4VD for one row in Go: attnDotRef over the widened
// weights (len(x) a multiple of 64).
func dotF16VDRef(w []uint16, x []float32) float32 {
	n := len(x)
	w = w[:n]
	var a [4][16]float32
	for i := 0; i < n; i += 64 {
		for r := range a {
			for j := range a[r] {
				a[r][j] = fmaF32(fp16ToFP32(w[i+16*r+j]), x[i+16*r+j], a[r][j])
			}
		}
	}
	var v [16]float32
	for j := range v {
		v[j] = (a[0][j] + a[2][j]) + (a[1][j] + a[3][j])
	}
	return reduce16(&v)
}

// vecDotF16Rows computes rows [r0, r1) for the one activation row mm.xv.
func (mm *matmulJob) vecDotF16Rows(r0, r1 int) {
	w, cols := mm.w, mm.w.Cols
	r := r0
	for ; r+4 <= r1; r += 4 {
		dotF16x4VD(cols/64, uint16s(w.Data[r*mm.rb:(r+4)*mm.rb]), cols, mm.xv, mm.out[r:r+4])
	}
	for ; r < r1; r++ {
		mm.out[r] = dotF16VDRef(uint16s(w.Data[r*mm.rb:(r+1)*mm.rb]), mm.xv)
	}
}
