#include "textflag.h"

// Dot products of 32-element block formats against Q8_0 activations for amd64.
//
// Every block contributes d_w*d_x * sum(w_i*x_i). Each function processes nb
// blocks, two per iteration, with one float accumulator per block of the pair.
//
// Q8_0 x Q8_0 forms the integer part with the sign trick: |w| (unsigned)
// times x carrying the sign of w, so that VPMADDUBSW (AVX2) or VPDPBUSD
// (AVX-512 VNNI, 256-bit form) can multiply unsigned by signed bytes. x must
// not hold -128 (ggml's Q8 quantizers emit [-127, 127]); w may.
// Q4_0 x Q8_0 multiplies the unsigned nibbles q by x and subtracts 8*sum(x):
// sum((q-8)*x) = sum(q*x) - sum(8*x).
//
// Register use: SI = weight blocks, DI = activation blocks, CX = blocks left,
// Y0/Y1 = float accumulators, Y2/Y3 = the pair's scales, Y15 = 16-bit ones,
// Y14 = 0x0F bytes, Y13 = 0x08 bytes, Y12 = qword shifts {0,0,4,4},
// Y11 = dword 2s (VPERMPS index).

DATA nib4mask<>+0(SB)/1, $0x0f
GLOBL nib4mask<>(SB), RODATA|NOPTR, $1
DATA eightb<>+0(SB)/1, $0x08
GLOBL eightb<>(SB), RODATA|NOPTR, $1
DATA nibshift<>+0(SB)/8, $0
DATA nibshift<>+8(SB)/8, $0
DATA nibshift<>+16(SB)/8, $4
DATA nibshift<>+24(SB)/8, $4
GLOBL nibshift<>(SB), RODATA|NOPTR, $32
DATA two32<>+0(SB)/4, $2
GLOBL two32<>(SB), RODATA|NOPTR, $4

// PAIRSCALE sets Y2 (Y3) to 8 copies of f16(d_w)*f16(d_x) of the first
// (second) block of the pair: the four f16 scales are gathered into one
// register and converted at once.
#define PAIRSCALE(wsz) \
	MOVWLZX   (SI), AX \
	MOVWLZX   (DI), BX \
	MOVWLZX   wsz(SI), DX \
	MOVWLZX   34(DI), R8 \
	SHLL      $16, BX \
	ORL       BX, AX \
	SHLL      $16, R8 \
	ORL       R8, DX \
	SHLQ      $32, DX \
	ORQ       DX, AX \
	VMOVQ     AX, X2 \
	VCVTPH2PS X2, X2 \
	VMOVSHDUP X2, X3 \
	VMULPS    X3, X2, X2 \
	VPERMPS   Y2, Y11, Y3 \
	VBROADCASTSS X2, Y2

// ONESCALE sets Y2 to 8 copies of the single block's scale product.
#define ONESCALE \
	MOVWLZX   (SI), AX \
	MOVWLZX   (DI), BX \
	SHLL      $16, BX \
	ORL       BX, AX \
	VMOVD     AX, X2 \
	VCVTPH2PS X2, X2 \
	VMOVSHDUP X2, X3 \
	VMULSS    X3, X2, X2 \
	VBROADCASTSS X2, Y2

// Q8AVX2 adds scale * dot(Q8_0 block at wo(SI), block at xo(DI)) to acc.
#define Q8AVX2(wo, xo, scale, acc) \
	VMOVDQU     wo+2(SI), Y4 \
	VMOVDQU     xo+2(DI), Y5 \
	VPABSB      Y4, Y6 \
	VPSIGNB     Y4, Y5, Y5 \
	VPMADDUBSW  Y5, Y6, Y6 \
	VPMADDWD    Y15, Y6, Y6 \
	VCVTDQ2PS   Y6, Y6 \
	VFMADD231PS Y6, scale, acc

#define Q8VNNI(wo, xo, scale, acc) \
	VMOVDQU     wo+2(SI), Y4 \
	VMOVDQU     xo+2(DI), Y5 \
	VPABSB      Y4, Y6 \
	VPSIGNB     Y4, Y5, Y5 \
	VPXOR       Y7, Y7, Y7 \
	VPDPBUSD    Y5, Y6, Y7 \
	VCVTDQ2PS   Y7, Y7 \
	VFMADD231PS Y7, scale, acc

// NIBBLES loads the Q4_0 block's 16 qs bytes at wo(SI) as 32 unsigned
// nibbles in Y4: low nibbles (elements 0..15) in the low lane, high nibbles
// (16..31) in the high lane.
#define NIBBLES(wo) \
	VBROADCASTI128 wo+2(SI), Y4 \
	VPSRLVQ        Y12, Y4, Y4 \
	VPAND          Y14, Y4, Y4

#define Q4AVX2(wo, xo, scale, acc) \
	NIBBLES(wo) \
	VMOVDQU     xo+2(DI), Y5 \
	VPMADDUBSW  Y5, Y4, Y6 \
	VPMADDUBSW  Y5, Y13, Y7 \
	VPSUBW      Y7, Y6, Y6 \
	VPMADDWD    Y15, Y6, Y6 \
	VCVTDQ2PS   Y6, Y6 \
	VFMADD231PS Y6, scale, acc

#define Q4VNNI(wo, xo, scale, acc) \
	NIBBLES(wo) \
	VPXOR       Y6, Y6, Y6 \
	VPXOR       Y7, Y7, Y7 \
	VMOVDQU     xo+2(DI), Y5 \
	VPDPBUSD    Y5, Y4, Y6 \
	VPDPBUSD    Y5, Y13, Y7 \
	VPSUBD      Y7, Y6, Y6 \
	VCVTDQ2PS   Y6, Y6 \
	VFMADD231PS Y6, scale, acc

#define PROLOGUE \
	MOVQ nb+0(FP), CX \
	MOVQ w+8(FP), SI \
	MOVQ x+16(FP), DI \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VPCMPEQW Y15, Y15, Y15 \
	VPSRLW $15, Y15, Y15 \
	VPBROADCASTB nib4mask<>(SB), Y14 \
	VPBROADCASTB eightb<>(SB), Y13 \
	VMOVDQU nibshift<>(SB), Y12 \
	VPBROADCASTD two32<>(SB), Y11

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
q8avx2loop:
	CMPQ CX, $2
	JLT  q8avx2tail
	PAIRSCALE(34)
	Q8AVX2(0, 0, Y2, Y0)
	Q8AVX2(34, 34, Y3, Y1)
	ADDQ $68, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q8avx2loop
q8avx2tail:
	TESTQ CX, CX
	JEQ   q8avx2done
	ONESCALE
	Q8AVX2(0, 0, Y2, Y0)
q8avx2done:
	EPILOGUE

// func dotQ8_0VNNI(nb int, w, x *byte) float32
TEXT ·dotQ8_0VNNI(SB), NOSPLIT, $0-28
	PROLOGUE
q8vnniloop:
	CMPQ CX, $2
	JLT  q8vnnitail
	PAIRSCALE(34)
	Q8VNNI(0, 0, Y2, Y0)
	Q8VNNI(34, 34, Y3, Y1)
	ADDQ $68, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q8vnniloop
q8vnnitail:
	TESTQ CX, CX
	JEQ   q8vnnidone
	ONESCALE
	Q8VNNI(0, 0, Y2, Y0)
q8vnnidone:
	EPILOGUE

// func dotQ4_0AVX2(nb int, w, x *byte) float32
TEXT ·dotQ4_0AVX2(SB), NOSPLIT, $0-28
	PROLOGUE
q4avx2loop:
	CMPQ CX, $2
	JLT  q4avx2tail
	PAIRSCALE(18)
	Q4AVX2(0, 0, Y2, Y0)
	Q4AVX2(18, 34, Y3, Y1)
	ADDQ $36, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q4avx2loop
q4avx2tail:
	TESTQ CX, CX
	JEQ   q4avx2done
	ONESCALE
	Q4AVX2(0, 0, Y2, Y0)
q4avx2done:
	EPILOGUE

// func dotQ4_0VNNI(nb int, w, x *byte) float32
TEXT ·dotQ4_0VNNI(SB), NOSPLIT, $0-28
	PROLOGUE
q4vnniloop:
	CMPQ CX, $2
	JLT  q4vnnitail
	PAIRSCALE(18)
	Q4VNNI(0, 0, Y2, Y0)
	Q4VNNI(18, 34, Y3, Y1)
	ADDQ $36, SI
	ADDQ $68, DI
	SUBQ $2, CX
	JMP  q4vnniloop
q4vnnitail:
	TESTQ CX, CX
	JEQ   q4vnnidone
	ONESCALE
	Q4VNNI(0, 0, Y2, Y0)
q4vnnidone:
	EPILOGUE
