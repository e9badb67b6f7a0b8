#include "textflag.h"

// Vector float32 exp for SwiGLU and Softmax (AVX2 + FMA): the Cephes expf
// scheme (as in sse_mathfun / ggml's SIMD exp): clamp to [-88.376, 88.376],
// n = floor(x*log2(e) + 0.5), r = x - n*ln2 (two-part constant), a degree-5
// polynomial for e^r, times 2^n built in the exponent bits. Relative error
// about 1e-7 (one or two ulp); e^x underflows to 0 below -87.3.

DATA expfc<>+0(SB)/4, $88.3762626647949
DATA expfc<>+4(SB)/4, $-88.3762626647949
DATA expfc<>+8(SB)/4, $1.44269504088896341
DATA expfc<>+12(SB)/4, $0.5
DATA expfc<>+16(SB)/4, $0.693359375
DATA expfc<>+20(SB)/4, $-2.12194440e-4
DATA expfc<>+24(SB)/4, $1.9875691500e-4
DATA expfc<>+28(SB)/4, $1.3981999507e-3
DATA expfc<>+32(SB)/4, $8.3334519073e-3
DATA expfc<>+36(SB)/4, $4.1665795894e-2
DATA expfc<>+40(SB)/4, $1.6666665459e-1
DATA expfc<>+44(SB)/4, $5.0000001201e-1
DATA expfc<>+48(SB)/4, $1.0
DATA expfc<>+52(SB)/4, $127
GLOBL expfc<>(SB), RODATA|NOPTR, $56

// EXPSETUP loads the constants: Y4 hi, Y5 lo, Y6 log2e, Y7 0.5, Y8 C1,
// Y9 C2, Y10..Y15 via memory broadcast in the body (p0..p5), Y3 = 1.0.
#define EXPSETUP \
	VBROADCASTSS expfc<>+0(SB), Y4 \
	VBROADCASTSS expfc<>+4(SB), Y5 \
	VBROADCASTSS expfc<>+8(SB), Y6 \
	VBROADCASTSS expfc<>+12(SB), Y7 \
	VBROADCASTSS expfc<>+16(SB), Y8 \
	VBROADCASTSS expfc<>+20(SB), Y9 \
	VBROADCASTSS expfc<>+48(SB), Y3 \
	VPBROADCASTD expfc<>+52(SB), Y2

// EXP sets Y0 = e^Y0 (clobbers Y1, Y10, Y11).
#define EXP \
	VMINPS Y4, Y0, Y0 \
	VMAXPS Y5, Y0, Y0 \
	VMOVAPS Y7, Y1 \
	VFMADD231PS Y6, Y0, Y1 \
	VROUNDPS $1, Y1, Y1 \
	VFNMADD231PS Y8, Y1, Y0 \
	VFNMADD231PS Y9, Y1, Y0 \
	VBROADCASTSS expfc<>+24(SB), Y10 \
	VBROADCASTSS expfc<>+28(SB), Y11 \
	VFMADD213PS Y11, Y0, Y10 \
	VBROADCASTSS expfc<>+32(SB), Y11 \
	VFMADD213PS Y11, Y0, Y10 \
	VBROADCASTSS expfc<>+36(SB), Y11 \
	VFMADD213PS Y11, Y0, Y10 \
	VBROADCASTSS expfc<>+40(SB), Y11 \
	VFMADD213PS Y11, Y0, Y10 \
	VBROADCASTSS expfc<>+44(SB), Y11 \
	VFMADD213PS Y11, Y0, Y10 \
	VMULPS Y0, Y0, Y11 \
	VFMADD213PS Y0, Y11, Y10 \
	VADDPS Y3, Y10, Y10 \
	VCVTPS2DQ Y1, Y1 \
	VPADDD Y2, Y1, Y1 \
	VPSLLD $23, Y1, Y1 \
	VMULPS Y1, Y10, Y0

// func swigluAVX2(n8 int, dst, gate, up *float32)
// dst[i] = gate[i] / (1 + e^-gate[i]) * up[i] for 8*n8 elements.
TEXT ·swigluAVX2(SB), NOSPLIT, $0-32
	MOVQ n8+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ gate+16(FP), SI
	MOVQ up+24(FP), DX
	EXPSETUP
	VXORPS Y12, Y12, Y12
	TESTQ CX, CX
	JEQ swiglu_done
swiglu_loop:
	VMOVUPS (SI), Y13
	VSUBPS Y13, Y12, Y0
	EXP
	VADDPS Y3, Y0, Y0
	VDIVPS Y0, Y13, Y13
	VMULPS (DX), Y13, Y13
	VMOVUPS Y13, (DI)
	ADDQ $32, SI
	ADDQ $32, DX
	ADDQ $32, DI
	DECQ CX
	JNZ swiglu_loop
swiglu_done:
	VZEROUPPER
	RET

// func expSubAVX2(n8 int, x *float32, m float32) float64
// x[i] = e^(x[i]-m) for 8*n8 elements; returns their sum in float64.
TEXT ·expSubAVX2(SB), NOSPLIT, $0-32
	MOVQ n8+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Y12
	EXPSETUP
	VXORPD Y14, Y14, Y14
	VXORPD Y15, Y15, Y15
	TESTQ CX, CX
	JEQ expsub_done
expsub_loop:
	VMOVUPS (SI), Y0
	VSUBPS Y12, Y0, Y0
	EXP
	VMOVUPS Y0, (SI)
	VCVTPS2PD X0, Y1
	VADDPD Y1, Y14, Y14
	VEXTRACTF128 $1, Y0, X0
	VCVTPS2PD X0, Y1
	VADDPD Y1, Y15, Y15
	ADDQ $32, SI
	DECQ CX
	JNZ expsub_loop
expsub_done:
	VADDPD Y15, Y14, Y14
	VEXTRACTF128 $1, Y14, X15
	VADDPD X15, X14, X14
	VHADDPD X14, X14, X14
	MOVSD X14, ret+24(FP)
	VZEROUPPER
	RET
