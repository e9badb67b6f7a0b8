#include "textflag.h"

// AVX-512 F/DQ SwiGLU and softmax exp as llama.cpp's AVX-512 builds compute
// them: ggml_v_expf of ggml-cpu/vec.h (__AVX512F__ && __AVX512DQ__ branch),
// lane for lane (Go references: exp512, swiglu512Go, expSub512Go and
// softmax512Go in expf.go).

DATA exp512c<>+0(SB)/4, $0x4b400000  // 0x1.8p23 (rounding shift)
DATA exp512c<>+4(SB)/4, $0x3fb8aa3b  // 0x1.715476p+0 (log2 e)
DATA exp512c<>+8(SB)/4, $0x3f317200  // 0x1.62e4p-1 (ln 2, high part)
DATA exp512c<>+12(SB)/4, $0x35bfbe8e // 0x1.7f7d1cp-20 (ln 2, low part)
DATA exp512c<>+16(SB)/4, $0x3c072010 // 0x1.0e4020p-7
DATA exp512c<>+20(SB)/4, $0x3d2b9f17 // 0x1.573e2ep-5
DATA exp512c<>+24(SB)/4, $0x3e2aaf33 // 0x1.555e66p-3
DATA exp512c<>+28(SB)/4, $0x3efffedb // 0x1.fffdb6p-2
DATA exp512c<>+32(SB)/4, $0x3f7ffff6 // 0x1.ffffecp-1
DATA exp512c<>+36(SB)/4, $0x3f800000 // 1
DATA exp512c<>+40(SB)/4, $0x43400000 // 192
DATA exp512c<>+44(SB)/4, $0x7f800000 // +Inf
DATA exp512c<>+48(SB)/4, $0x7fffffff // abs mask
GLOBL exp512c<>(SB), RODATA|NOPTR, $52

// EXP512SETUP loads the constants into Z16..Z28 and zero into Z29.
#define EXP512SETUP \
	VBROADCASTSS exp512c<>+0(SB), Z16 \
	VBROADCASTSS exp512c<>+4(SB), Z17 \
	VBROADCASTSS exp512c<>+8(SB), Z18 \
	VBROADCASTSS exp512c<>+12(SB), Z19 \
	VBROADCASTSS exp512c<>+16(SB), Z20 \
	VBROADCASTSS exp512c<>+20(SB), Z21 \
	VBROADCASTSS exp512c<>+24(SB), Z22 \
	VBROADCASTSS exp512c<>+28(SB), Z23 \
	VBROADCASTSS exp512c<>+32(SB), Z24 \
	VBROADCASTSS exp512c<>+36(SB), Z25 \
	VBROADCASTSS exp512c<>+40(SB), Z26 \
	VBROADCASTSS exp512c<>+44(SB), Z27 \
	VPBROADCASTD exp512c<>+48(SB), Z28 \
	VPXORD Z29, Z29, Z29

// EXP512 sets Z0 = ggml_v_expf(Z0) (clobbers Z1..Z6, K1, K2):
// z = fma(x, log2e, r), n = z - r, b = fnma(n, ln2lo, fnma(n, ln2hi, x)),
// u = b*b, j = fma(fma(fma(c0, b, c1), u, fma(c2, b, c3)), u, fma(c4, b, 1)),
// scalef(j, n); lanes with |n| > 192 get +Inf (n > 0) or 0.
#define EXP512 \
	VMOVAPS Z16, Z1 \
	VFMADD231PS Z17, Z0, Z1 \
	VSUBPS Z16, Z1, Z1 \
	VFNMADD231PS Z18, Z1, Z0 \
	VFNMADD231PS Z19, Z1, Z0 \
	VMULPS Z0, Z0, Z3 \
	VMOVAPS Z20, Z4 \
	VFMADD213PS Z21, Z0, Z4 \
	VMOVAPS Z22, Z5 \
	VFMADD213PS Z23, Z0, Z5 \
	VFMADD213PS Z5, Z3, Z4 \
	VMOVAPS Z24, Z5 \
	VFMADD213PS Z25, Z0, Z5 \
	VFMADD213PS Z5, Z3, Z4 \
	VSCALEFPS Z1, Z4, Z0 \
	VPANDD Z28, Z1, Z6 \
	VCMPPS $0x1e, Z26, Z6, K1 \
	VCMPPS $0x1e, Z29, Z1, K2 \
	KANDW K1, K2, K2 \
	VXORPS Z0, Z0, K1, Z0 \
	VMOVAPS Z27, K2, Z0

// func swiglu512(n16 int, dst, gate, up *float32)
// dst[i] = gate[i] / (1 + exp(0 - gate[i])) * up[i] for 16*n16 elements.
TEXT ·swiglu512(SB), NOSPLIT, $0-32
	MOVQ n16+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ gate+16(FP), SI
	MOVQ up+24(FP), DX
	EXP512SETUP
	TESTQ CX, CX
	JEQ swiglu512_done
swiglu512_loop:
	VMOVUPS (SI), Z13
	VSUBPS Z13, Z29, Z0
	EXP512
	VADDPS Z25, Z0, Z0
	VDIVPS Z0, Z13, Z13
	VMULPS (DX), Z13, Z13
	VMOVUPS Z13, (DI)
	ADDQ $64, SI
	ADDQ $64, DX
	ADDQ $64, DI
	DECQ CX
	JNZ swiglu512_loop
swiglu512_done:
	VZEROUPPER
	RET

// REDUCEADD adds Z0's lanes into X15 (float64) as ggml does:
// sum += (double)_mm512_reduce_add_ps(v), GCC's tree (halves added
// lane-wise down to four lanes, then (v0+v2) + (v1+v3)). Clobbers X1..X3.
#define REDUCEADD \
	VEXTRACTF32X8 $1, Z0, Y1 \
	VADDPS Y0, Y1, Y1 \
	VEXTRACTF128 $1, Y1, X2 \
	VADDPS X1, X2, X2 \
	VPERMILPS $0x4e, X2, X3 \
	VADDPS X3, X2, X2 \
	VMOVSHDUP X2, X3 \
	VADDSS X3, X2, X2 \
	VCVTSS2SD X2, X2, X2 \
	VADDSD X2, X15, X15

// TAILMASK sets K3 to the low BX lanes (BX in 1..15; clobbers AX, CX).
#define TAILMASK \
	MOVL $1, AX \
	MOVQ BX, CX \
	SHLL CX, AX \
	DECL AX \
	KMOVW AX, K3

// func expSub512(n int, x *float32, m float32) float64
// x[i] = exp(x[i]-m) for n elements in chunks of 16 (the last one masked);
// returns the float64 sum of the chunks' float32 sums.
TEXT ·expSub512(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), SI
	VBROADCASTSS m+16(FP), Z12
	EXP512SETUP
	VXORPD X15, X15, X15
	MOVQ CX, BX
	SHRQ $4, CX
	ANDQ $15, BX
	// x[i] = exp(x[i]-m); each chunk of 16 (the partial one with its missing
	// lanes as 0) summed by REDUCEADD into X15
	TESTQ CX, CX
	JEQ expsub512_tail
expsub512_loop:
	VMOVUPS (SI), Z0
	VSUBPS Z12, Z0, Z0
	EXP512
	VMOVUPS Z0, (SI)
	REDUCEADD
	ADDQ $64, SI
	DECQ CX
	JNZ expsub512_loop
expsub512_tail:
	TESTQ BX, BX
	JEQ expsub512_done
	TAILMASK
	VMOVUPS.Z (SI), K3, Z0
	VSUBPS Z12, Z0, Z0
	EXP512
	VMOVAPS.Z Z0, K3, Z0
	VMOVUPS Z0, K3, (SI)
	REDUCEADD
expsub512_done:
	MOVSD X15, ret+24(FP)
	VZEROUPPER
	RET

DATA softmaxc<>+0(SB)/8, $1.0
DATA softmaxc<>+8(SB)/4, $0xff800000 // -Inf
GLOBL softmaxc<>(SB), RODATA|NOPTR, $12

// func softmax512(n int, x *float32)
// Softmax of x[0:n] (n >= 1) as llama.cpp's AVX-512 soft_max over a row
// padded with -Inf: m = max x[i]; x[i] = exp(x[i]-m) with the float64 sum of
// the 16-lane chunks' float32 sums (as expSub512); x[i] *= float32(1/sum).
TEXT ·softmax512(SB), NOSPLIT, $0-16
	MOVQ n+0(FP), DX
	MOVQ x+8(FP), DI
	MOVQ DX, BX
	ANDQ $15, BX
	// max
	VBROADCASTSS softmaxc<>+8(SB), Z7
	MOVQ DI, SI
	MOVQ DX, CX
	SHRQ $4, CX
	JEQ smax_tail
smax_loop:
	VMAXPS (SI), Z7, Z7
	ADDQ $64, SI
	DECQ CX
	JNZ smax_loop
smax_tail:
	TESTQ BX, BX
	JEQ smax_done
	TAILMASK
	VMOVAPS Z7, Z8
	VMOVUPS (SI), K3, Z8
	VMAXPS Z8, Z7, Z7
smax_done:
	VEXTRACTF32X8 $1, Z7, Y8
	VMAXPS Y8, Y7, Y7
	VEXTRACTF128 $1, Y7, X8
	VMAXPS X8, X7, X7
	VPERMILPS $0x4e, X7, X8
	VMAXPS X8, X7, X7
	VMOVSHDUP X7, X8
	VMAXSS X8, X7, X7
	VBROADCASTSS X7, Z12
	// exp and sum
	EXP512SETUP
	VXORPD X15, X15, X15
	MOVQ DI, SI
	MOVQ DX, CX
	SHRQ $4, CX
	TESTQ CX, CX
	JEQ sexp_tail
sexp_loop:
	VMOVUPS (SI), Z0
	VSUBPS Z12, Z0, Z0
	EXP512
	VMOVUPS Z0, (SI)
	REDUCEADD
	ADDQ $64, SI
	DECQ CX
	JNZ sexp_loop
sexp_tail:
	TESTQ BX, BX
	JEQ sexp_done
	TAILMASK
	VMOVUPS.Z (SI), K3, Z0
	VSUBPS Z12, Z0, Z0
	EXP512
	VMOVAPS.Z Z0, K3, Z0
	VMOVUPS Z0, K3, (SI)
	REDUCEADD
sexp_done:
	// scale by float32(1/sum)
	VMOVSD softmaxc<>+0(SB), X0
	VDIVSD X15, X0, X0
	VCVTSD2SS X0, X0, X0
	VBROADCASTSS X0, Z0
	MOVQ DI, SI
	MOVQ DX, CX
	SHRQ $4, CX
	JEQ sscale_tail
sscale_loop:
	VMULPS (SI), Z0, Z1
	VMOVUPS Z1, (SI)
	ADDQ $64, SI
	DECQ CX
	JNZ sscale_loop
sscale_tail:
	TESTQ BX, BX
	JEQ sscale_done
	TAILMASK
	VMULPS.Z (SI), Z0, K3, Z1
	VMOVUPS Z1, K3, (SI)
sscale_done:
	VZEROUPPER
	RET
