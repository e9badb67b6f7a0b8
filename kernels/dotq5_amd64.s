#include "textflag.h"

// Q4_1, Q5_0 and Q5_1 dot products for amd64 (AVX2), one block per
// iteration (these formats are less common than Q8_0/Q4_0).
//
// Q4_1 (20 B: f16 d, f16 m, qs[16]) and Q5_1 (24 B: f16 d, f16 m, qh[4],
// qs[16]) go with Q8_1 activations (36 B: f16 d, f16 s = d*sum(qs), qs[32]):
// a block contributes d_w*d_x*sum(q*x) + m_w*s_x with q unsigned.
// Q5_0 (22 B: f16 d, qh[4], qs[16]) goes with Q8_0 (34 B): q-16 is signed,
// so it uses the sign trick of dotq_amd64.s.
//
// Register use: SI = weight blocks, DI = activation blocks, CX = blocks left,
// Y0 = float accumulator, X10 lane 1 = sum of m_w*s_x, Y15 = 16-bit ones,
// Y14 = 0x0F bytes, Y12 = qword shifts {0,0,4,4}, Y11 = qh byte shuffle,
// Y9 = bit masks, Y8 = all ones, Y7 = 0xF0 (Q5_0) or 0x10 (Q5_1) bytes.

DATA q5nib<>+0(SB)/1, $0x0f
GLOBL q5nib<>(SB), RODATA|NOPTR, $1
DATA q5f0<>+0(SB)/1, $0xf0
GLOBL q5f0<>(SB), RODATA|NOPTR, $1
DATA q510<>+0(SB)/1, $0x10
GLOBL q510<>(SB), RODATA|NOPTR, $1
DATA q5shift<>+0(SB)/8, $0
DATA q5shift<>+8(SB)/8, $0
DATA q5shift<>+16(SB)/8, $4
DATA q5shift<>+24(SB)/8, $4
GLOBL q5shift<>(SB), RODATA|NOPTR, $32
// qhshuf: byte i of the low lane takes qh byte i/8, of the high lane 2+i/8.
DATA qhshuf<>+0(SB)/8, $0x0000000000000000
DATA qhshuf<>+8(SB)/8, $0x0101010101010101
DATA qhshuf<>+16(SB)/8, $0x0202020202020202
DATA qhshuf<>+24(SB)/8, $0x0303030303030303
GLOBL qhshuf<>(SB), RODATA|NOPTR, $32
// qhbits: byte i has every bit set except bit i%8.
DATA qhbits<>+0(SB)/8, $0x7fbfdfeff7fbfdfe
GLOBL qhbits<>(SB), RODATA|NOPTR, $8

#define SETUP \
	MOVQ nb+0(FP), CX \
	MOVQ w+8(FP), SI \
	MOVQ x+16(FP), DI \
	VXORPS Y0, Y0, Y0 \
	VXORPS X10, X10, X10 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	VPBROADCASTB q5nib<>(SB), Y14 \
	VMOVDQU q5shift<>(SB), Y12 \
	VMOVDQU qhshuf<>(SB), Y11 \
	VPBROADCASTQ qhbits<>(SB), Y9 \
	VPCMPEQB Y8, Y8, Y8

// FINISH returns hsum(Y0) + X10 lane 1, hsum in ggml's order
// (hsum_float_8: high half + low half, then (s0+s2) + (s1+s3)), so the
// result is bit-identical to ggml_vec_dot_q5_0_q8_0 and friends.
#define FINISH \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X0, X1, X0 \
	VMOVHLPS     X0, X0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVSHDUP    X0, X1 \
	VADDSS       X1, X0, X0 \
	VMOVSHDUP    X10, X10 \
	VADDSS       X10, X0, X0 \
	VMOVSS       X0, ret+24(FP) \
	VZEROUPPER \
	RET

// DMSCALE: Y2 = 8 copies of d_w*d_x; X10 lane 1 += m_w*s_x. The weight block
// starts with f16 d, f16 m; the Q8_1 block with f16 d, f16 s.
#define DMSCALE \
	MOVL      (SI), AX \
	MOVL      (DI), BX \
	SHLQ      $32, BX \
	ORQ       BX, AX \
	VMOVQ     AX, X2 \
	VCVTPH2PS X2, X2 \
	VMOVHLPS  X2, X2, X3 \
	VMULPS    X3, X2, X2 \
	VADDPS    X2, X10, X10 \
	VBROADCASTSS X2, Y2

// DSCALE: Y2 = 8 copies of d_w*d_x for a weight block and a Q8_0 block.
#define DSCALE \
	MOVWLZX   (SI), AX \
	MOVWLZX   (DI), BX \
	SHLL      $16, BX \
	ORL       BX, AX \
	VMOVD     AX, X2 \
	VCVTPH2PS X2, X2 \
	VMOVSHDUP X2, X3 \
	VMULSS    X3, X2, X2 \
	VBROADCASTSS X2, Y2

// NIBS: Y4 = the 32 unsigned nibbles of the 16 bytes at qo(SI), elements
// 0..15 (low nibbles) in the low lane, 16..31 in the high lane.
#define NIBS(qo) \
	VBROADCASTI128 qo(SI), Y4 \
	VPSRLVQ        Y12, Y4, Y4 \
	VPAND          Y14, Y4, Y4

// QHBYTES: Y5 byte i = 0xFF if bit i of the 32-bit qh at ho(SI) is set.
#define QHBYTES(ho) \
	VPBROADCASTD ho(SI), Y5 \
	VPSHUFB      Y11, Y5, Y5 \
	VPOR         Y9, Y5, Y5 \
	VPCMPEQB     Y8, Y5, Y5

// UDOT: Y0 += Y2 * sum(Y4 (unsigned) * activations at xo(DI) (signed)).
#define UDOT(xo) \
	VPMADDUBSW  xo(DI), Y4, Y6 \
	VPMADDWD    Y15, Y6, Y6 \
	VCVTDQ2PS   Y6, Y6 \
	VFMADD231PS Y6, Y2, Y0

// func dotQ4_1AVX2(nb int, w, x *byte) float32
TEXT ·dotQ4_1AVX2(SB), NOSPLIT, $0-28
	SETUP
	TESTQ CX, CX
	JEQ   q41done
q41loop:
	DMSCALE
	NIBS(4)
	UDOT(4)
	ADDQ $20, SI
	ADDQ $36, DI
	DECQ CX
	JNZ  q41loop
q41done:
	FINISH

// func dotQ5_1AVX2(nb int, w, x *byte) float32
TEXT ·dotQ5_1AVX2(SB), NOSPLIT, $0-28
	SETUP
	VPBROADCASTB q510<>(SB), Y7
	TESTQ CX, CX
	JEQ   q51done
q51loop:
	DMSCALE
	NIBS(8)
	QHBYTES(4)
	VPAND Y7, Y5, Y5
	VPOR  Y5, Y4, Y4
	UDOT(4)
	ADDQ $24, SI
	ADDQ $36, DI
	DECQ CX
	JNZ  q51loop
q51done:
	FINISH

// func dotQ5_0AVX2(nb int, w, x *byte) float32
TEXT ·dotQ5_0AVX2(SB), NOSPLIT, $0-28
	SETUP
	VPBROADCASTB q5f0<>(SB), Y7
	TESTQ CX, CX
	JEQ   q50done
q50loop:
	DSCALE
	NIBS(6)
	QHBYTES(2)
	VPANDN Y7, Y5, Y5 // 0xF0 where the fifth bit is clear: q-16 as a signed byte
	VPOR   Y5, Y4, Y4
	VMOVDQU     2(DI), Y5
	VPABSB      Y4, Y6
	VPSIGNB     Y4, Y5, Y5
	VPMADDUBSW  Y5, Y6, Y6
	VPMADDWD    Y15, Y6, Y6
	VCVTDQ2PS   Y6, Y6
	VFMADD231PS Y6, Y2, Y0
	ADDQ $22, SI
	ADDQ $34, DI
	DECQ CX
	JNZ  q50loop
q50done:
	FINISH
