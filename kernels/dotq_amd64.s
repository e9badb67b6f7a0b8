#include "textflag.h"

// Dot products of 32-element block formats against Q8_0 activations for amd64.
//
// Every block contributes d_w*d_x * sum(w_i*x_i). The integer part is formed
// with the sign trick: |w| (unsigned) times x carrying the sign of w, so that
// VPMADDUBSW (AVX2) or VPDPBUSD (AVX-512 VNNI, 256-bit form) can multiply
// unsigned by signed bytes. x must not hold -128 (ggml's Q8 quantizers emit
// [-127, 127]); w may.
//
// Each function processes nb blocks, two per iteration.
// Register use: SI = weight blocks, DI = activation blocks, CX = blocks left,
// Y0/Y1 = float accumulators, Y15 = 16-bit ones, Y14 = 0x0F bytes,
// Y13 = 0x08 bytes.

DATA nib4mask<>+0(SB)/1, $0x0f
GLOBL nib4mask<>(SB), RODATA|NOPTR, $1
DATA eightb<>+0(SB)/1, $0x08
GLOBL eightb<>(SB), RODATA|NOPTR, $1

// SCALE8 sets Y2 to 8 copies of f16(wd)*f16(xd).
#define SCALE8(wd, xd) \
	VPBROADCASTW wd, X2 \
	VPBROADCASTW xd, X3 \
	VCVTPH2PS    X2, Y2 \
	VCVTPH2PS    X3, Y3 \
	VMULPS       Y3, Y2, Y2

// MULAVX2 turns signed weight bytes Y4 and activation bytes Y5 into 8 int32
// partial sums in Y6 (AVX2).
#define MULAVX2 \
	VPABSB     Y4, Y6 \
	VPSIGNB    Y4, Y5, Y5 \
	VPMADDUBSW Y5, Y6, Y6 \
	VPMADDWD   Y15, Y6, Y6

// MULVNNI is MULAVX2 with VPDPBUSD.
#define MULVNNI \
	VPABSB   Y4, Y7 \
	VPSIGNB  Y4, Y5, Y5 \
	VPXOR    Y6, Y6, Y6 \
	VPDPBUSD Y5, Y7, Y6

// ACCUM adds Y2 * float(Y6) to acc.
#define ACCUM(acc) \
	VCVTDQ2PS   Y6, Y6 \
	VFMADD231PS Y6, Y2, acc

// Q8W loads a Q8_0 weight block's quants at wo(SI) into Y4.
#define Q8W(wo) VMOVDQU wo+2(SI), Y4

// Q4W loads a Q4_0 weight block's 32 nibbles at wo(SI) into Y4 as signed
// bytes (nibble - 8): low nibbles are elements 0..15, high nibbles 16..31.
#define Q4W(wo) \
	VMOVDQU     wo+2(SI), X4 \
	VPSRLW      $4, X4, X5 \
	VINSERTI128 $1, X5, Y4, Y4 \
	VPAND       Y14, Y4, Y4 \
	VPSUBB      Y13, Y4, Y4

#define BLOCK(LOADW, MUL, wo, xo, acc) \
	SCALE8(wo(SI), xo(DI)) \
	LOADW(wo) \
	VMOVDQU xo+2(DI), Y5 \
	MUL \
	ACCUM(acc)

#define PROLOGUE \
	MOVQ nb+0(FP), CX \
	MOVQ w+8(FP), SI \
	MOVQ x+16(FP), DI \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	VPBROADCASTB nib4mask<>(SB), Y14 \
	VPBROADCASTB eightb<>(SB), Y13

#define EPILOGUE \
	VADDPS       Y1, Y0, Y0 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X1, X0, X0 \
	VHADDPS      X0, X0, X0 \
	VHADDPS      X0, X0, X0 \
	VMOVSS       X0, ret+24(FP) \
	VZEROUPPER \
	RET

// func dotQ8_0AVX2(nb int, w, x *byte) float32
TEXT ·dotQ8_0AVX2(SB), NOSPLIT, $0-28
	PROLOGUE
q8avx2loop2:
	CMPQ CX, $2
	JLT  q8avx2tail
	BLOCK(Q8W, MULAVX2, 0, 0, Y0)
	BLOCK(Q8W, MULAVX2, 34, 34, Y1)
	ADDQ $68, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q8avx2loop2
q8avx2tail:
	TESTQ CX, CX
	JEQ   q8avx2done
	BLOCK(Q8W, MULAVX2, 0, 0, Y0)
q8avx2done:
	EPILOGUE

// func dotQ8_0VNNI(nb int, w, x *byte) float32
TEXT ·dotQ8_0VNNI(SB), NOSPLIT, $0-28
	PROLOGUE
q8vnniloop2:
	CMPQ CX, $2
	JLT  q8vnnitail
	BLOCK(Q8W, MULVNNI, 0, 0, Y0)
	BLOCK(Q8W, MULVNNI, 34, 34, Y1)
	ADDQ $68, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q8vnniloop2
q8vnnitail:
	TESTQ CX, CX
	JEQ   q8vnnidone
	BLOCK(Q8W, MULVNNI, 0, 0, Y0)
q8vnnidone:
	EPILOGUE

// func dotQ4_0AVX2(nb int, w, x *byte) float32
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-28
	PROLOGUE
q4avx2loop2:
	CMPQ CX, $2
	JLT  q4avx2tail
	BLOCK(Q4W, MULAVX2, 0, 0, Y0)
	BLOCK(Q4W, MULAVX2, 18, 34, Y1)
	ADDQ $36, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q4avx2loop2
q4avx2tail:
	TESTQ CX, CX
	JEQ   q4avx2done
	BLOCK(Q4W, MULAVX2, 0, 0, Y0)
q4avx2done:
	EPILOGUE

// func dotQ4_0VNNI(nb int, w, x *byte) float32
TEXT ·dotQ4_0VNNI(SB), NOSPLIT, $0-28
	PROLOGUE
q4vnniloop2:
	CMPQ CX, $2
	JLT  q4vnnitail
	BLOCK(Q4W, MULVNNI, 0, 0, Y0)
	BLOCK(Q4W, MULVNNI, 18, 34, Y1)
	ADDQ $36, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q4vnniloop2
q4vnnitail:
	TESTQ CX, CX
	JEQ   q4vnnidone
	BLOCK(Q4W, MULVNNI, 0, 0, Y0)
q4vnnidone:
	EPILOGUE
