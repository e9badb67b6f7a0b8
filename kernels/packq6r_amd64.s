#include "textflag.h"

// func pack16Q6RAVX512(nsb int, w *byte, rowBytes int, q *byte, meta *byte)
// writes rows w, w+rowBytes, ..., w+15*rowBytes (nsb Q6_K super-blocks
// each) to a 16-row tile in the repacked layout (packed.go): per
// super-block, one VPGATHERDD per group of four quant bytes of the sixteen
// rows, and of d and each scale pair (truncated to 16 bits by VPMOVDW).
TEXT ·pack16Q6RAVX512(SB), NOSPLIT, $0-40
	MOVQ nsb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ rowBytes+16(FP), AX
	MOVQ q+24(FP), DI
	MOVQ meta+32(FP), DX
	VPBROADCASTD AX, Z2
	VPMULLD pack16Q6RIota<>(SB), Z2, Z1
	TESTQ CX, CX
	JEQ done
loop:
#define G(src, dst) KXNORW K1, K1, K1; VPGATHERDD src(SI)(Z1*1), K1, Z0; VMOVDQU32 Z0, dst(DI)
	G(0, 0)
	G(4, 384)
	G(8, 768)
	G(12, 1152)
	G(16, 1536)
	G(20, 1920)
	G(24, 2304)
	G(28, 2688)
	G(32, 64)
	G(36, 448)
	G(40, 832)
	G(44, 1216)
	G(48, 1600)
	G(52, 1984)
	G(56, 2368)
	G(60, 2752)
	G(64, 192)
	G(68, 576)
	G(72, 960)
	G(76, 1344)
	G(80, 1728)
	G(84, 2112)
	G(88, 2496)
	G(92, 2880)
	G(96, 256)
	G(100, 640)
	G(104, 1024)
	G(108, 1408)
	G(112, 1792)
	G(116, 2176)
	G(120, 2560)
	G(124, 2944)
	G(128, 128)
	G(132, 512)
	G(136, 896)
	G(140, 1280)
	G(144, 1664)
	G(148, 2048)
	G(152, 2432)
	G(156, 2816)
	G(160, 320)
	G(164, 704)
	G(168, 1088)
	G(172, 1472)
	G(176, 1856)
	G(180, 2240)
	G(184, 2624)
	G(188, 3008)
#undef G
	KXNORW K1, K1, K1
	VPGATHERDD 206(SI)(Z1*1), K1, Z0
	VPSRLD $16, Z0, Z0
	VPMOVDW Z0, 0(DX)
#define S(u) KXNORW K1, K1, K1; VPGATHERDD (192+2*u)(SI)(Z1*1), K1, Z0; VPMOVDW Z0, (32+32*u)(DX)
	S(0)
	S(1)
	S(2)
	S(3)
	S(4)
	S(5)
	S(6)
	S(7)
#undef S
	ADDQ $210, SI
	ADDQ $3072, DI
	ADDQ $288, DX
	DECQ CX
	JNZ loop
done:
	VZEROUPPER
	RET

DATA pack16Q6RIota<>+0(SB)/4, $0
DATA pack16Q6RIota<>+4(SB)/4, $1
DATA pack16Q6RIota<>+8(SB)/4, $2
DATA pack16Q6RIota<>+12(SB)/4, $3
DATA pack16Q6RIota<>+16(SB)/4, $4
DATA pack16Q6RIota<>+20(SB)/4, $5
DATA pack16Q6RIota<>+24(SB)/4, $6
DATA pack16Q6RIota<>+28(SB)/4, $7
DATA pack16Q6RIota<>+32(SB)/4, $8
DATA pack16Q6RIota<>+36(SB)/4, $9
DATA pack16Q6RIota<>+40(SB)/4, $10
DATA pack16Q6RIota<>+44(SB)/4, $11
DATA pack16Q6RIota<>+48(SB)/4, $12
DATA pack16Q6RIota<>+52(SB)/4, $13
DATA pack16Q6RIota<>+56(SB)/4, $14
DATA pack16Q6RIota<>+60(SB)/4, $15
GLOBL pack16Q6RIota<>(SB), RODATA|NOPTR, $64
