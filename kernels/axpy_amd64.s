#include "textflag.h"

// dst[i] += a*x[i] with FMA (AVX2), x in float32 or binary16 (F16C): the
// weighted sum of values in attention. 32, then 8, then 1 element per step.

// func axpyF32AVX2(n int, dst *float32, a float32, x *float32)
TEXT ·axpyF32AVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	MOVQ         dst+8(FP), DI
	VBROADCASTSS a+16(FP), Y0
	MOVQ         x+24(FP), SI
f32loop32:
	CMPQ CX, $32
	JLT  f32loop8
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VMOVUPS     64(DI), Y3
	VMOVUPS     96(DI), Y4
	VFMADD231PS (SI), Y0, Y1
	VFMADD231PS 32(SI), Y0, Y2
	VFMADD231PS 64(SI), Y0, Y3
	VFMADD231PS 96(SI), Y0, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ $128, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f32loop32
f32loop8:
	CMPQ CX, $8
	JLT  f32tail
	VMOVUPS     (DI), Y1
	VFMADD231PS (SI), Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ $32, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f32loop8
f32tail:
	TESTQ CX, CX
	JEQ   f32done
	VMOVSS      (DI), X1
	VFMADD231SS (SI), X0, X1
	VMOVSS      X1, (DI)
	ADDQ $4, SI
	ADDQ $4, DI
	DECQ CX
	JMP  f32tail
f32done:
	VZEROUPPER
	RET

// func axpyF16AVX2(n int, dst *float32, a float32, x *uint16)
TEXT ·axpyF16AVX2(SB), NOSPLIT, $0-32
	MOVQ         n+0(FP), CX
	MOVQ         dst+8(FP), DI
	VBROADCASTSS a+16(FP), Y0
	MOVQ         x+24(FP), SI
f16loop32:
	CMPQ CX, $32
	JLT  f16loop8
	VCVTPH2PS   (SI), Y5
	VCVTPH2PS   16(SI), Y6
	VCVTPH2PS   32(SI), Y7
	VCVTPH2PS   48(SI), Y8
	VMOVUPS     (DI), Y1
	VMOVUPS     32(DI), Y2
	VMOVUPS     64(DI), Y3
	VMOVUPS     96(DI), Y4
	VFMADD231PS Y5, Y0, Y1
	VFMADD231PS Y6, Y0, Y2
	VFMADD231PS Y7, Y0, Y3
	VFMADD231PS Y8, Y0, Y4
	VMOVUPS     Y1, (DI)
	VMOVUPS     Y2, 32(DI)
	VMOVUPS     Y3, 64(DI)
	VMOVUPS     Y4, 96(DI)
	ADDQ $64, SI
	ADDQ $128, DI
	SUBQ $32, CX
	JMP  f16loop32
f16loop8:
	CMPQ CX, $8
	JLT  f16tail
	VCVTPH2PS   (SI), Y5
	VMOVUPS     (DI), Y1
	VFMADD231PS Y5, Y0, Y1
	VMOVUPS     Y1, (DI)
	ADDQ $16, SI
	ADDQ $32, DI
	SUBQ $8, CX
	JMP  f16loop8
f16tail:
	TESTQ CX, CX
	JEQ   f16done
	MOVWLZX     (SI), AX
	VMOVD       AX, X5
	VCVTPH2PS   X5, X5
	VMOVSS      (DI), X1
	VFMADD231SS X5, X0, X1
	VMOVSS      X1, (DI)
	ADDQ $2, SI
	ADDQ $4, DI
	DECQ CX
	JMP  f16tail
f16done:
	VZEROUPPER
	RET

// func axpyF16RowsAVX2(n32 int, dst *float32, p *float32, np int, v *uint16, vStride int)
// dst[i] += p[t] * v[t*vStride + i] for t = 0..np-1 in order, i < 32*n32
// (one FMA per element and row, so the same as np axpyF16 calls), keeping
// 32 elements of dst in registers over all rows.
TEXT ·axpyF16RowsAVX2(SB), NOSPLIT, $0-48
	MOVQ n32+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ v+32(FP), SI
	MOVQ vStride+40(FP), R9
	SHLQ $1, R9
	TESTQ CX, CX
	JEQ axpyrowsdone
axpyrowschunk:
	VMOVUPS (DI), Y0
	VMOVUPS 32(DI), Y1
	VMOVUPS 64(DI), Y2
	VMOVUPS 96(DI), Y3
	MOVQ p+16(FP), DX
	MOVQ np+24(FP), BX
	MOVQ SI, R8
	TESTQ BX, BX
	JEQ axpyrowsstore
axpyrowsloop:
	VBROADCASTSS (DX), Y4
	VCVTPH2PS (R8), Y5
	VFMADD231PS Y5, Y4, Y0
	VCVTPH2PS 16(R8), Y6
	VFMADD231PS Y6, Y4, Y1
	VCVTPH2PS 32(R8), Y7
	VFMADD231PS Y7, Y4, Y2
	VCVTPH2PS 48(R8), Y8
	VFMADD231PS Y8, Y4, Y3
	ADDQ $4, DX
	ADDQ R9, R8
	DECQ BX
	JNZ axpyrowsloop
axpyrowsstore:
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	VMOVUPS Y2, 64(DI)
	VMOVUPS Y3, 96(DI)
	ADDQ $128, DI
	ADDQ $64, SI
	DECQ CX
	JNZ axpyrowschunk
axpyrowsdone:
	VZEROUPPER
	RET
