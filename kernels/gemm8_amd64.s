#include "textflag.h"

// Prefill GEMM micro-kernels on packed 8-row tiles (see gemm8.go for the
// layout), AVX-512 VL + VNNI, 256-bit. One YMM lane per weight row: per
// block, eight VPDPBUSD (unsigned weight bytes x a broadcast group of four
// signed activation bytes) give the eight rows' integer block sums at once;
// one convert, one scale multiply and one FMA per block then serve all
// eight rows (the one-row dots pay those per row).
//
// func gemm8x4VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)
// func gemm8x1VNNI(nb int, w *byte, x *byte, xStride int, aux *uint32, auxStride int, out *float32, outStride int)
// out[a*outStride + r] = sum over blocks b of float(isum) * (dw[b][r]*dx[a][b])
// for r = 0..7 and a = 0..3 (x4) or a = 0 (x1), where isum = corr[a][b] +
// sum_k wu[b][r][k] * xq[a][b][k]. x: Q8_0 activation rows (34-byte blocks,
// row a at x + a*xStride); aux: per block {dx float32, corr int32}, row a at
// aux + a*auxStride; strides in bytes (outStride in floats).
//
// Registers: SI = packed block, R8 = activation block of row 0, R9 =
// xStride, R10 = 3*xStride, R11 = aux of row 0, R12 = auxStride, R13 =
// 3*auxStride, CX = blocks left; Y0..Y7 = weight groups, Y8 = weight
// scales, Y9..Y12 = float accumulators, Y13..Y16 = integer sums, Y17..Y20
// = scale products.

TEXT ·gemm8x4VNNI(SB), NOSPLIT, $0-64
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ xStride+24(FP), R9
	LEAQ (R9)(R9*2), R10
	MOVQ aux+32(FP), R11
	MOVQ auxStride+40(FP), R12
	LEAQ (R12)(R12*2), R13
	VPXORD Y9, Y9, Y9
	VPXORD Y10, Y10, Y10
	VPXORD Y11, Y11, Y11
	VPXORD Y12, Y12, Y12
	TESTQ CX, CX
	JEQ gemm8x4done
gemm8x4loop:
	VMOVUPS 0(SI), Y8
	VMOVDQU 32(SI), Y0
	VMOVDQU 64(SI), Y1
	VMOVDQU 96(SI), Y2
	VMOVDQU 128(SI), Y3
	VMOVDQU 160(SI), Y4
	VMOVDQU 192(SI), Y5
	VMOVDQU 224(SI), Y6
	VMOVDQU 256(SI), Y7
	VPBROADCASTD 4(R11), Y13
	VPBROADCASTD 4(R11)(R12*1), Y14
	VPBROADCASTD 4(R11)(R12*2), Y15
	VPBROADCASTD 4(R11)(R13*1), Y16
	VPDPBUSD.BCST 2(R8), Y0, Y13
	VPDPBUSD.BCST 2(R8)(R9*1), Y0, Y14
	VPDPBUSD.BCST 2(R8)(R9*2), Y0, Y15
	VPDPBUSD.BCST 2(R8)(R10*1), Y0, Y16
	VPDPBUSD.BCST 6(R8), Y1, Y13
	VPDPBUSD.BCST 6(R8)(R9*1), Y1, Y14
	VPDPBUSD.BCST 6(R8)(R9*2), Y1, Y15
	VPDPBUSD.BCST 6(R8)(R10*1), Y1, Y16
	VPDPBUSD.BCST 10(R8), Y2, Y13
	VPDPBUSD.BCST 10(R8)(R9*1), Y2, Y14
	VPDPBUSD.BCST 10(R8)(R9*2), Y2, Y15
	VPDPBUSD.BCST 10(R8)(R10*1), Y2, Y16
	VPDPBUSD.BCST 14(R8), Y3, Y13
	VPDPBUSD.BCST 14(R8)(R9*1), Y3, Y14
	VPDPBUSD.BCST 14(R8)(R9*2), Y3, Y15
	VPDPBUSD.BCST 14(R8)(R10*1), Y3, Y16
	VPDPBUSD.BCST 18(R8), Y4, Y13
	VPDPBUSD.BCST 18(R8)(R9*1), Y4, Y14
	VPDPBUSD.BCST 18(R8)(R9*2), Y4, Y15
	VPDPBUSD.BCST 18(R8)(R10*1), Y4, Y16
	VPDPBUSD.BCST 22(R8), Y5, Y13
	VPDPBUSD.BCST 22(R8)(R9*1), Y5, Y14
	VPDPBUSD.BCST 22(R8)(R9*2), Y5, Y15
	VPDPBUSD.BCST 22(R8)(R10*1), Y5, Y16
	VPDPBUSD.BCST 26(R8), Y6, Y13
	VPDPBUSD.BCST 26(R8)(R9*1), Y6, Y14
	VPDPBUSD.BCST 26(R8)(R9*2), Y6, Y15
	VPDPBUSD.BCST 26(R8)(R10*1), Y6, Y16
	VPDPBUSD.BCST 30(R8), Y7, Y13
	VPDPBUSD.BCST 30(R8)(R9*1), Y7, Y14
	VPDPBUSD.BCST 30(R8)(R9*2), Y7, Y15
	VPDPBUSD.BCST 30(R8)(R10*1), Y7, Y16
	VMULPS.BCST 0(R11), Y8, Y17
	VMULPS.BCST 0(R11)(R12*1), Y8, Y18
	VMULPS.BCST 0(R11)(R12*2), Y8, Y19
	VMULPS.BCST 0(R11)(R13*1), Y8, Y20
	VCVTDQ2PS Y13, Y13
	VCVTDQ2PS Y14, Y14
	VCVTDQ2PS Y15, Y15
	VCVTDQ2PS Y16, Y16
	VFMADD231PS Y13, Y17, Y9
	VFMADD231PS Y14, Y18, Y10
	VFMADD231PS Y15, Y19, Y11
	VFMADD231PS Y16, Y20, Y12
	ADDQ $288, SI
	ADDQ $34, R8
	ADDQ $8, R11
	DECQ CX
	JNZ gemm8x4loop
gemm8x4done:
	MOVQ out+48(FP), DI
	MOVQ outStride+56(FP), DX
	SHLQ $2, DX
	VMOVUPS Y9, (DI)
	ADDQ DX, DI
	VMOVUPS Y10, (DI)
	ADDQ DX, DI
	VMOVUPS Y11, (DI)
	ADDQ DX, DI
	VMOVUPS Y12, (DI)
	VZEROUPPER
	RET

TEXT ·gemm8x1VNNI(SB), NOSPLIT, $0-64
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), R8
	MOVQ aux+32(FP), R11
	VPXORD Y9, Y9, Y9
	TESTQ CX, CX
	JEQ gemm8x1done
gemm8x1loop:
	// Two integer sums (even and odd groups) halve the VPDPBUSD chain.
	VMOVUPS 0(SI), Y8
	VMOVDQU 32(SI), Y0
	VMOVDQU 64(SI), Y1
	VMOVDQU 96(SI), Y2
	VMOVDQU 128(SI), Y3
	VMOVDQU 160(SI), Y4
	VMOVDQU 192(SI), Y5
	VMOVDQU 224(SI), Y6
	VMOVDQU 256(SI), Y7
	VPBROADCASTD 4(R11), Y13
	VPXORD Y14, Y14, Y14
	VPDPBUSD.BCST 2(R8), Y0, Y13
	VPDPBUSD.BCST 6(R8), Y1, Y14
	VPDPBUSD.BCST 10(R8), Y2, Y13
	VPDPBUSD.BCST 14(R8), Y3, Y14
	VPDPBUSD.BCST 18(R8), Y4, Y13
	VPDPBUSD.BCST 22(R8), Y5, Y14
	VPDPBUSD.BCST 26(R8), Y6, Y13
	VPDPBUSD.BCST 30(R8), Y7, Y14
	VPADDD Y14, Y13, Y13
	VMULPS.BCST 0(R11), Y8, Y17
	VCVTDQ2PS Y13, Y13
	VFMADD231PS Y13, Y17, Y9
	ADDQ $288, SI
	ADDQ $34, R8
	ADDQ $8, R11
	DECQ CX
	JNZ gemm8x1loop
gemm8x1done:
	MOVQ out+48(FP), DI
	VMOVUPS Y9, (DI)
	VZEROUPPER
	RET
