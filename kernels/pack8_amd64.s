#include "textflag.h"

// Packing of eight Q8_0 / Q4_0 weight rows into a packed tile (layout in
// gemm8.go), AVX2 + F16C: per block, the eight rows' 32 quants are loaded
// as eight YMM registers, made unsigned, and transposed as an 8 x 8 matrix
// of 4-byte groups (three shuffle stages); the eight f16 scales become
// float32 with one VCVTPH2PS.
//
// func pack8Q8_0AVX2(nb int, w *byte, rowBytes int, dst *byte)
// func pack8Q4_0AVX2(nb int, w *byte, rowBytes int, dst *byte)
//
// Registers: SI = row 0's block, R11 = row 4's block, R9 = rowBytes, R10 =
// 3*rowBytes, DI = packed block, CX = blocks left; Y0..Y7 = rows, Y8..Y15
// temporaries, Y14 = 0x80 bytes (Q8_0) or 0x0F bytes (Q4_0), Y13 = qword
// shifts {0,0,4,4} (Q4_0).

DATA pack8sign<>+0(SB)/1, $0x80
GLOBL pack8sign<>(SB), RODATA|NOPTR, $1
DATA pack8nib<>+0(SB)/1, $0x0f
GLOBL pack8nib<>(SB), RODATA|NOPTR, $1
DATA pack8shift<>+0(SB)/8, $0
DATA pack8shift<>+8(SB)/8, $0
DATA pack8shift<>+16(SB)/8, $4
DATA pack8shift<>+24(SB)/8, $4
GLOBL pack8shift<>(SB), RODATA|NOPTR, $32

#define PACK8SETUP \
	MOVQ nb+0(FP), CX \
	MOVQ w+8(FP), SI \
	MOVQ rowBytes+16(FP), R9 \
	LEAQ (R9)(R9*2), R10 \
	LEAQ (SI)(R9*4), R11 \
	MOVQ dst+24(FP), DI

// PACK8SCALES stores the eight rows' f16 block scales as float32 at 0(DI).
#define PACK8SCALES \
	MOVWLZX (SI), AX \
	MOVWLZX (SI)(R9*1), BX \
	MOVWLZX (SI)(R9*2), DX \
	MOVWLZX (SI)(R10*1), R8 \
	SHLQ $16, BX \
	ORQ BX, AX \
	SHLQ $32, DX \
	ORQ DX, AX \
	SHLQ $48, R8 \
	ORQ R8, AX \
	VMOVQ AX, X8 \
	MOVWLZX (R11), AX \
	MOVWLZX (R11)(R9*1), BX \
	MOVWLZX (R11)(R9*2), DX \
	MOVWLZX (R11)(R10*1), R8 \
	SHLQ $16, BX \
	ORQ BX, AX \
	SHLQ $32, DX \
	ORQ DX, AX \
	SHLQ $48, R8 \
	ORQ R8, AX \
	VMOVQ AX, X9 \
	VPUNPCKLQDQ X9, X8, X8 \
	VCVTPH2PS X8, Y8 \
	VMOVUPS Y8, 0(DI)

// PACK8TRANSPOSE stores rows Y0..Y7 transposed in 4-byte groups at 32(DI):
// group g (columns 4g..4g+3 of rows 0..7) at 32+32g.
#define PACK8TRANSPOSE \
	VPUNPCKLDQ Y1, Y0, Y8 \
	VPUNPCKHDQ Y1, Y0, Y9 \
	VPUNPCKLDQ Y3, Y2, Y10 \
	VPUNPCKHDQ Y3, Y2, Y11 \
	VPUNPCKLQDQ Y10, Y8, Y0 \
	VPUNPCKHQDQ Y10, Y8, Y1 \
	VPUNPCKLQDQ Y11, Y9, Y2 \
	VPUNPCKHQDQ Y11, Y9, Y3 \
	VPUNPCKLDQ Y5, Y4, Y8 \
	VPUNPCKHDQ Y5, Y4, Y9 \
	VPUNPCKLDQ Y7, Y6, Y10 \
	VPUNPCKHDQ Y7, Y6, Y11 \
	VPUNPCKLQDQ Y10, Y8, Y4 \
	VPUNPCKHQDQ Y10, Y8, Y5 \
	VPUNPCKLQDQ Y11, Y9, Y6 \
	VPUNPCKHQDQ Y11, Y9, Y7 \
	VPERM2I128 $0x20, Y4, Y0, Y8 \
	VPERM2I128 $0x31, Y4, Y0, Y9 \
	VMOVDQU Y8, 32(DI) \
	VMOVDQU Y9, 160(DI) \
	VPERM2I128 $0x20, Y5, Y1, Y8 \
	VPERM2I128 $0x31, Y5, Y1, Y9 \
	VMOVDQU Y8, 64(DI) \
	VMOVDQU Y9, 192(DI) \
	VPERM2I128 $0x20, Y6, Y2, Y8 \
	VPERM2I128 $0x31, Y6, Y2, Y9 \
	VMOVDQU Y8, 96(DI) \
	VMOVDQU Y9, 224(DI) \
	VPERM2I128 $0x20, Y7, Y3, Y8 \
	VPERM2I128 $0x31, Y7, Y3, Y9 \
	VMOVDQU Y8, 128(DI) \
	VMOVDQU Y9, 256(DI)

// PACK16TRANSPOSE is PACK8TRANSPOSE for half of a 16-row tile: group g at
// 64+64g(DI).
#define PACK16TRANSPOSE \
	VPUNPCKLDQ Y1, Y0, Y8 \
	VPUNPCKHDQ Y1, Y0, Y9 \
	VPUNPCKLDQ Y3, Y2, Y10 \
	VPUNPCKHDQ Y3, Y2, Y11 \
	VPUNPCKLQDQ Y10, Y8, Y0 \
	VPUNPCKHQDQ Y10, Y8, Y1 \
	VPUNPCKLQDQ Y11, Y9, Y2 \
	VPUNPCKHQDQ Y11, Y9, Y3 \
	VPUNPCKLDQ Y5, Y4, Y8 \
	VPUNPCKHDQ Y5, Y4, Y9 \
	VPUNPCKLDQ Y7, Y6, Y10 \
	VPUNPCKHDQ Y7, Y6, Y11 \
	VPUNPCKLQDQ Y10, Y8, Y4 \
	VPUNPCKHQDQ Y10, Y8, Y5 \
	VPUNPCKLQDQ Y11, Y9, Y6 \
	VPUNPCKHQDQ Y11, Y9, Y7 \
	VPERM2I128 $0x20, Y4, Y0, Y8 \
	VPERM2I128 $0x31, Y4, Y0, Y9 \
	VMOVDQU Y8, 64(DI) \
	VMOVDQU Y9, 320(DI) \
	VPERM2I128 $0x20, Y5, Y1, Y8 \
	VPERM2I128 $0x31, Y5, Y1, Y9 \
	VMOVDQU Y8, 128(DI) \
	VMOVDQU Y9, 384(DI) \
	VPERM2I128 $0x20, Y6, Y2, Y8 \
	VPERM2I128 $0x31, Y6, Y2, Y9 \
	VMOVDQU Y8, 192(DI) \
	VMOVDQU Y9, 448(DI) \
	VPERM2I128 $0x20, Y7, Y3, Y8 \
	VPERM2I128 $0x31, Y7, Y3, Y9 \
	VMOVDQU Y8, 256(DI) \
	VMOVDQU Y9, 512(DI)

TEXT ·pack8Q8_0AVX2(SB), NOSPLIT, $0-32
	PACK8SETUP
	VPBROADCASTB pack8sign<>(SB), Y14
	TESTQ CX, CX
	JEQ pack8Q8_0done
pack8Q8_0loop:
	PACK8SCALES
	VPXOR 2(SI), Y14, Y0
	VPXOR 2(SI)(R9*1), Y14, Y1
	VPXOR 2(SI)(R9*2), Y14, Y2
	VPXOR 2(SI)(R10*1), Y14, Y3
	VPXOR 2(R11), Y14, Y4
	VPXOR 2(R11)(R9*1), Y14, Y5
	VPXOR 2(R11)(R9*2), Y14, Y6
	VPXOR 2(R11)(R10*1), Y14, Y7
	PACK8TRANSPOSE
	ADDQ $34, SI
	ADDQ $34, R11
	ADDQ $288, DI
	DECQ CX
	JNZ pack8Q8_0loop
pack8Q8_0done:
	VZEROUPPER
	RET

// pack16hQ8_0AVX2 packs eight rows into one half of a 16-row tile (see
// gemm16.go): scales at 0(DI), groups at 64+64g(DI), 576 bytes per block.
TEXT ·pack16hQ8_0AVX2(SB), NOSPLIT, $0-32
	PACK8SETUP
	VPBROADCASTB pack8sign<>(SB), Y14
	TESTQ CX, CX
	JEQ pack16hQ8_0done
pack16hQ8_0loop:
	PACK8SCALES
	VPXOR 2(SI), Y14, Y0
	VPXOR 2(SI)(R9*1), Y14, Y1
	VPXOR 2(SI)(R9*2), Y14, Y2
	VPXOR 2(SI)(R10*1), Y14, Y3
	VPXOR 2(R11), Y14, Y4
	VPXOR 2(R11)(R9*1), Y14, Y5
	VPXOR 2(R11)(R9*2), Y14, Y6
	VPXOR 2(R11)(R10*1), Y14, Y7
	PACK16TRANSPOSE
	ADDQ $34, SI
	ADDQ $34, R11
	ADDQ $576, DI
	DECQ CX
	JNZ pack16hQ8_0loop
pack16hQ8_0done:
	VZEROUPPER
	RET

// Q4_0: a row's 16 quant bytes broadcast to both halves, the upper half
// shifted right by 4, masked: columns 0..15 (low nibbles) then 16..31.
#define PACK8NIBBLES(addr, reg) \
	VBROADCASTI128 addr, reg \
	VPSRLVQ Y13, reg, reg \
	VPAND Y14, reg, reg

TEXT ·pack8Q4_0AVX2(SB), NOSPLIT, $0-32
	PACK8SETUP
	VPBROADCASTB pack8nib<>(SB), Y14
	VMOVDQU pack8shift<>(SB), Y13
	TESTQ CX, CX
	JEQ pack8Q4_0done
pack8Q4_0loop:
	PACK8SCALES
	PACK8NIBBLES(2(SI), Y0)
	PACK8NIBBLES(2(SI)(R9*1), Y1)
	PACK8NIBBLES(2(SI)(R9*2), Y2)
	PACK8NIBBLES(2(SI)(R10*1), Y3)
	PACK8NIBBLES(2(R11), Y4)
	PACK8NIBBLES(2(R11)(R9*1), Y5)
	PACK8NIBBLES(2(R11)(R9*2), Y6)
	PACK8NIBBLES(2(R11)(R10*1), Y7)
	PACK8TRANSPOSE
	ADDQ $18, SI
	ADDQ $18, R11
	ADDQ $288, DI
	DECQ CX
	JNZ pack8Q4_0loop
pack8Q4_0done:
	VZEROUPPER
	RET

// pack16hQ4_0AVX2 packs eight rows into one half of a 16-row tile (see
// gemm16.go): scales at 0(DI), groups at 64+64g(DI), 576 bytes per block.
TEXT ·pack16hQ4_0AVX2(SB), NOSPLIT, $0-32
	PACK8SETUP
	VPBROADCASTB pack8nib<>(SB), Y14
	VMOVDQU pack8shift<>(SB), Y13
	TESTQ CX, CX
	JEQ pack16hQ4_0done
pack16hQ4_0loop:
	PACK8SCALES
	PACK8NIBBLES(2(SI), Y0)
	PACK8NIBBLES(2(SI)(R9*1), Y1)
	PACK8NIBBLES(2(SI)(R9*2), Y2)
	PACK8NIBBLES(2(SI)(R10*1), Y3)
	PACK8NIBBLES(2(R11), Y4)
	PACK8NIBBLES(2(R11)(R9*1), Y5)
	PACK8NIBBLES(2(R11)(R9*2), Y6)
	PACK8NIBBLES(2(R11)(R10*1), Y7)
	PACK16TRANSPOSE
	ADDQ $18, SI
	ADDQ $18, R11
	ADDQ $576, DI
	DECQ CX
	JNZ pack16hQ4_0loop
pack16hQ4_0done:
	VZEROUPPER
	RET

// func pack8Q4_KQuantsAVX2(nsb int, w *byte, rowBytes int, dst *byte)
// writes the quant groups of eight Q4_K rows (nsb super-blocks each) into
// a packed tile: sub-block j of super-block s at dst + (8s+j)*320 + 64.
TEXT ·pack8Q4_KQuantsAVX2(SB), NOSPLIT, $0-32
	MOVQ nsb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ rowBytes+16(FP), R9
	LEAQ (R9)(R9*2), R10
	LEAQ (SI)(R9*4), R11
	MOVQ dst+24(FP), DI
	ADDQ $32, DI
	VPBROADCASTB pack8nib<>(SB), Y14
	TESTQ CX, CX
	JEQ pack8Q4_Kdone
pack8Q4_Kloop:
	MOVQ $4, DX
	ADDQ $16, SI
	ADDQ $16, R11
pack8Q4_Kpair:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R9*1), Y1
	VMOVDQU (SI)(R9*2), Y2
	VMOVDQU (SI)(R10*1), Y3
	VMOVDQU (R11), Y4
	VMOVDQU (R11)(R9*1), Y5
	VMOVDQU (R11)(R9*2), Y6
	VMOVDQU (R11)(R10*1), Y7
	VPAND Y14, Y0, Y0
	VPAND Y14, Y1, Y1
	VPAND Y14, Y2, Y2
	VPAND Y14, Y3, Y3
	VPAND Y14, Y4, Y4
	VPAND Y14, Y5, Y5
	VPAND Y14, Y6, Y6
	VPAND Y14, Y7, Y7
	PACK8TRANSPOSE
	ADDQ $320, DI
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R9*1), Y1
	VMOVDQU (SI)(R9*2), Y2
	VMOVDQU (SI)(R10*1), Y3
	VMOVDQU (R11), Y4
	VMOVDQU (R11)(R9*1), Y5
	VMOVDQU (R11)(R9*2), Y6
	VMOVDQU (R11)(R10*1), Y7
	VPSRLW $4, Y0, Y0
	VPSRLW $4, Y1, Y1
	VPSRLW $4, Y2, Y2
	VPSRLW $4, Y3, Y3
	VPSRLW $4, Y4, Y4
	VPSRLW $4, Y5, Y5
	VPSRLW $4, Y6, Y6
	VPSRLW $4, Y7, Y7
	VPAND Y14, Y0, Y0
	VPAND Y14, Y1, Y1
	VPAND Y14, Y2, Y2
	VPAND Y14, Y3, Y3
	VPAND Y14, Y4, Y4
	VPAND Y14, Y5, Y5
	VPAND Y14, Y6, Y6
	VPAND Y14, Y7, Y7
	PACK8TRANSPOSE
	ADDQ $320, DI
	ADDQ $32, SI
	ADDQ $32, R11
	DECQ DX
	JNZ pack8Q4_Kpair
	DECQ CX
	JNZ pack8Q4_Kloop
pack8Q4_Kdone:
	VZEROUPPER
	RET

// func pack16hQ4_KQuantsAVX2(nsb int, w *byte, rowBytes int, dst *byte)
// is pack8Q4_KQuantsAVX2 for one half of a 16-row Q4_K tile (gemm16.go):
// sub-block j of super-block s at dst + (8s+j)*640 + 128 + 64g (the second
// half: dst+32).
TEXT ·pack16hQ4_KQuantsAVX2(SB), NOSPLIT, $0-32
	MOVQ nsb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ rowBytes+16(FP), R9
	LEAQ (R9)(R9*2), R10
	LEAQ (SI)(R9*4), R11
	MOVQ dst+24(FP), DI
	ADDQ $64, DI
	VPBROADCASTB pack8nib<>(SB), Y14
	TESTQ CX, CX
	JEQ pack16hQ4_Kdone
pack16hQ4_Kloop:
	MOVQ $4, DX
	ADDQ $16, SI
	ADDQ $16, R11
pack16hQ4_Kpair:
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R9*1), Y1
	VMOVDQU (SI)(R9*2), Y2
	VMOVDQU (SI)(R10*1), Y3
	VMOVDQU (R11), Y4
	VMOVDQU (R11)(R9*1), Y5
	VMOVDQU (R11)(R9*2), Y6
	VMOVDQU (R11)(R10*1), Y7
	VPAND Y14, Y0, Y0
	VPAND Y14, Y1, Y1
	VPAND Y14, Y2, Y2
	VPAND Y14, Y3, Y3
	VPAND Y14, Y4, Y4
	VPAND Y14, Y5, Y5
	VPAND Y14, Y6, Y6
	VPAND Y14, Y7, Y7
	PACK16TRANSPOSE
	ADDQ $640, DI
	VMOVDQU (SI), Y0
	VMOVDQU (SI)(R9*1), Y1
	VMOVDQU (SI)(R9*2), Y2
	VMOVDQU (SI)(R10*1), Y3
	VMOVDQU (R11), Y4
	VMOVDQU (R11)(R9*1), Y5
	VMOVDQU (R11)(R9*2), Y6
	VMOVDQU (R11)(R10*1), Y7
	VPSRLW $4, Y0, Y0
	VPSRLW $4, Y1, Y1
	VPSRLW $4, Y2, Y2
	VPSRLW $4, Y3, Y3
	VPSRLW $4, Y4, Y4
	VPSRLW $4, Y5, Y5
	VPSRLW $4, Y6, Y6
	VPSRLW $4, Y7, Y7
	VPAND Y14, Y0, Y0
	VPAND Y14, Y1, Y1
	VPAND Y14, Y2, Y2
	VPAND Y14, Y3, Y3
	VPAND Y14, Y4, Y4
	VPAND Y14, Y5, Y5
	VPAND Y14, Y6, Y6
	VPAND Y14, Y7, Y7
	PACK16TRANSPOSE
	ADDQ $640, DI
	ADDQ $32, SI
	ADDQ $32, R11
	DECQ DX
	JNZ pack16hQ4_Kpair
	DECQ CX
	JNZ pack16hQ4_Kloop
pack16hQ4_Kdone:
	VZEROUPPER
	RET
