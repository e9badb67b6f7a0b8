#include "textflag.h"

// Activation quantizers for amd64 (AVX2): the same arithmetic as the
// scalar references (ggml's x86 quantize_row_q8_0/q8_1, quantize_row_q8_K_ref):
// float32 scale division, one float32 multiply per element, round to
// nearest even (VCVTPS2DQ under the default MXCSR), saturating packs.

DATA qabsmask<>+0(SB)/4, $0x7fffffff
GLOBL qabsmask<>(SB), RODATA|NOPTR, $4
DATA q127<>+0(SB)/4, $127.0
GLOBL q127<>(SB), RODATA|NOPTR, $4
DATA qm127<>+0(SB)/4, $-127.0
GLOBL qm127<>(SB), RODATA|NOPTR, $4
DATA qinf<>+0(SB)/4, $0x7f800000
GLOBL qinf<>(SB), RODATA|NOPTR, $4
DATA qone<>+0(SB)/4, $1.0
GLOBL qone<>(SB), RODATA|NOPTR, $4
// qperm undoes the lane interleave of VPACKSSDW+VPACKSSWB.
DATA qperm<>+0(SB)/4, $0
DATA qperm<>+4(SB)/4, $4
DATA qperm<>+8(SB)/4, $1
DATA qperm<>+12(SB)/4, $5
DATA qperm<>+16(SB)/4, $2
DATA qperm<>+20(SB)/4, $6
DATA qperm<>+24(SB)/4, $3
DATA qperm<>+28(SB)/4, $7
GLOBL qperm<>(SB), RODATA|NOPTR, $32
DATA qones8<>+0(SB)/1, $1
GLOBL qones8<>(SB), RODATA|NOPTR, $1

// AMAX32: X4 lane 0 = max |x| of the 32 floats in Y0..Y3 (Y15 = abs mask).
#define AMAX32 \
	VANDPS       Y15, Y0, Y4 \
	VANDPS       Y15, Y1, Y5 \
	VMAXPS       Y5, Y4, Y4 \
	VANDPS       Y15, Y2, Y5 \
	VMAXPS       Y5, Y4, Y4 \
	VANDPS       Y15, Y3, Y5 \
	VMAXPS       Y5, Y4, Y4 \
	VEXTRACTF128 $1, Y4, X5 \
	VMAXPS       X5, X4, X4 \
	VMOVHLPS     X4, X4, X5 \
	VMAXPS       X5, X4, X4 \
	VMOVSHDUP    X4, X5 \
	VMAXSS       X5, X4, X4

// SCALE32: Y0..Y3 *= broadcast(X6), converted to int32 (nearest even).
#define SCALE32 \
	VBROADCASTSS X6, Y6 \
	VMULPS       Y6, Y0, Y0 \
	VMULPS       Y6, Y1, Y1 \
	VMULPS       Y6, Y2, Y2 \
	VMULPS       Y6, Y3, Y3 \
	VCVTPS2DQ    Y0, Y0 \
	VCVTPS2DQ    Y1, Y1 \
	VCVTPS2DQ    Y2, Y2 \
	VCVTPS2DQ    Y3, Y3

// PACK32: Y0 = the 32 int32 of Y0..Y3 as saturated int8, in order (Y14 = qperm).
#define PACK32 \
	VPACKSSDW Y1, Y0, Y0 \
	VPACKSSDW Y3, Y2, Y2 \
	VPACKSSWB Y2, Y0, Y0 \
	VPERMD    Y0, Y14, Y0

#define LOAD32 \
	VMOVUPS (SI), Y0 \
	VMOVUPS 32(SI), Y1 \
	VMOVUPS 64(SI), Y2 \
	VMOVUPS 96(SI), Y3

// Q8SCALES: from amax (X4): X5 = d = amax/127 and X6 = id = 127/amax, or 0
// when amax is 0. X13 = 127, X12 = 0.
#define Q8SCALES \
	VDIVSS  X13, X4, X5 \
	VDIVSS  X4, X13, X6 \
	VCMPSS  $4, X12, X4, X7 \
	VANDPS  X7, X6, X6

#define Q8SETUP \
	MOVQ nb+0(FP), CX \
	MOVQ dst+8(FP), DI \
	MOVQ x+16(FP), SI \
	VBROADCASTSS qabsmask<>(SB), Y15 \
	VMOVDQU      qperm<>(SB), Y14 \
	VMOVSS       q127<>(SB), X13 \
	VXORPS       X12, X12, X12

// func quantizeQ8_0AVX2(nb int, dst *byte, x *float32)
TEXT ·quantizeQ8_0AVX2(SB), NOSPLIT, $0-24
	Q8SETUP
	TESTQ CX, CX
	JEQ   q80done
q80loop:
	LOAD32
	AMAX32
	Q8SCALES
	VCVTPS2PH $0, X5, X7
	VPEXTRW   $0, X7, AX
	MOVW      AX, (DI)
	SCALE32
	PACK32
	VMOVDQU Y0, 2(DI)
	ADDQ $128, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q80loop
q80done:
	VZEROUPPER
	RET

// func quantizeQ8_1AVX2(nb int, dst *byte, x *float32)
// Q8_1 also stores s = d*sum(qs) as f16 after d.
TEXT ·quantizeQ8_1AVX2(SB), NOSPLIT, $0-24
	Q8SETUP
	TESTQ CX, CX
	JEQ   q81done
q81loop:
	LOAD32
	AMAX32
	Q8SCALES
	VCVTPS2PH $0, X5, X7
	VPEXTRW   $0, X7, AX
	MOVW      AX, (DI)
	SCALE32
	VPADDD       Y1, Y0, Y8
	VPADDD       Y3, Y2, Y9
	VPADDD       Y9, Y8, Y8
	VEXTRACTI128 $1, Y8, X9
	VPADDD       X9, X8, X8
	VPHADDD      X8, X8, X8
	VPHADDD      X8, X8, X8
	VCVTDQ2PS    X8, X8
	VMULSS       X8, X5, X8
	VCVTPS2PH    $0, X8, X8
	VPEXTRW      $0, X8, AX
	MOVW         AX, 2(DI)
	PACK32
	VMOVDQU Y0, 4(DI)
	ADDQ $128, SI
	ADDQ $36, DI
	DECQ CX
	JNZ  q81loop
q81done:
	VZEROUPPER
	RET

// QKCHUNK quantizes 32 floats at so(SI) with X6 into qs at 4+so/4 (DI) and
// leaves in qsum the 8 int32 sums of 4 consecutive quants.
#define QKCHUNK(so, qo, qsum) \
	VMOVUPS    so(SI), Y0 \
	VMOVUPS    so+32(SI), Y1 \
	VMOVUPS    so+64(SI), Y2 \
	VMOVUPS    so+96(SI), Y3 \
	SCALE32 \
	PACK32 \
	VMOVDQU    Y0, qo(DI) \
	VPMADDUBSW Y0, Y11, Y0 \
	VPMADDWD   Y10, Y0, qsum

// QKSUMS stores the 8 int16 sums of 16 quants for 128 elements whose
// chunk sums are in Y8, Y9, Y12, Y13, at bo(DI).
#define QKSUMS(bo) \
	VPHADDD      Y9, Y8, Y8 \
	VPHADDD      Y13, Y12, Y12 \
	VPHADDD      Y12, Y8, Y8 \
	VPERMD       Y8, Y14, Y8 \
	VEXTRACTI128 $1, Y8, X9 \
	VPACKSSDW    X9, X8, X8 \
	VMOVDQU      X8, bo(DI)

// func quantizeQ8_KAVX2(nb int, dst *byte, x *float32)
//
// Q8_K block (292 B): f32 d at 0, int8 qs[256] at 4, int16 bsums[16] at 260.
// maxv is the first element of largest magnitude, iscale = -127/maxv,
// q = round(iscale*x), d = 1/iscale; an all-zero block is stored as zeros.
TEXT ·quantizeQ8_KAVX2(SB), NOSPLIT, $0-24
	MOVQ nb+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ x+16(FP), SI
	VBROADCASTSS qabsmask<>(SB), Y15
	VMOVDQU      qperm<>(SB), Y14
	VPBROADCASTB qones8<>(SB), Y11
	VPCMPEQW     Y10, Y10, Y10
	VPSRLW       $15, Y10, Y10 // 16-bit ones
	TESTQ CX, CX
	JEQ   qkdone

qkloop:
	// amax over the 256 elements.
	VXORPS Y4, Y4, Y4
	XORQ   AX, AX
qkmax:
	VANDPS (SI)(AX*1), Y15, Y5
	VMAXPS Y5, Y4, Y4
	ADDQ   $32, AX
	CMPQ   AX, $1024
	JLT    qkmax
	VEXTRACTF128 $1, Y4, X5
	VMAXPS       X5, X4, X4
	VMOVHLPS     X4, X4, X5
	VMAXPS       X5, X4, X4
	VMOVSHDUP    X4, X5
	VMAXSS       X5, X4, X4
	VXORPS       X5, X5, X5
	VUCOMISS     X5, X4
	JNE          qknonzero
	JPS          qknonzero

	// All zero: clear the 292-byte block.
	VPXOR   Y0, Y0, Y0
	XORQ    AX, AX
qkclear:
	VMOVDQU Y0, (DI)(AX*1)
	ADDQ    $32, AX
	CMPQ    AX, $288
	JLT     qkclear
	MOVL    $0, 288(DI)
	JMP     qknext

qknonzero:
	// maxv: the first element whose magnitude equals amax.
	VBROADCASTSS X4, Y4
	XORQ         AX, AX
qkfind:
	VANDPS    (SI)(AX*1), Y15, Y5
	VCMPPS    $0, Y4, Y5, Y5
	VMOVMSKPS Y5, BX
	TESTL     BX, BX
	JNE       qkfound
	ADDQ      $32, AX
	CMPQ      AX, $1024
	JLT       qkfind
	XORQ      AX, AX // not reached for finite input: use element 0
	MOVL      $1, BX
qkfound:
	BSFL   BX, BX
	LEAQ   (AX)(BX*4), AX
	VMOVSS (SI)(AX*1), X5
	VMOVSS qm127<>(SB), X6
	VDIVSS X5, X6, X6 // iscale = -127/maxv
	VMOVSS qone<>(SB), X7
	VDIVSS X6, X7, X7 // d = 1/iscale
	VMOVSS X7, (DI)
	// A tiny maxv (|maxv| < 127/MaxFloat32) overflows iscale to infinity;
	// the reference then rounds every quant (and bsum) to 0.
	VANDPS   X15, X6, X8
	VUCOMISS qinf<>(SB), X8
	JNE      qkscale
	VPXOR    Y0, Y0, Y0
	VMOVDQU  Y0, 4(DI)
	VMOVDQU  Y0, 36(DI)
	VMOVDQU  Y0, 68(DI)
	VMOVDQU  Y0, 100(DI)
	VMOVDQU  Y0, 132(DI)
	VMOVDQU  Y0, 164(DI)
	VMOVDQU  Y0, 196(DI)
	VMOVDQU  Y0, 228(DI)
	VMOVDQU  Y0, 260(DI)
	JMP      qknext
qkscale:

	QKCHUNK(0, 4, Y8)
	QKCHUNK(128, 36, Y9)
	QKCHUNK(256, 68, Y12)
	QKCHUNK(384, 100, Y13)
	QKSUMS(260)
	QKCHUNK(512, 132, Y8)
	QKCHUNK(640, 164, Y9)
	QKCHUNK(768, 196, Y12)
	QKCHUNK(896, 228, Y13)
	QKSUMS(276)

qknext:
	ADDQ $1024, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  qkloop
qkdone:
	VZEROUPPER
	RET
