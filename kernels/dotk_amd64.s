#include "textflag.h"

// K-quant dot products against Q8_K activations for amd64 (AVX2).
//
// Q8_K block (292 B): f32 d at 0, int8 qs[256] at 4, int16 bsums[16] at 260
// (bsums[k] = sum of qs[16k .. 16k+15]).
//
// Register use: SI = weight blocks, DI = activation blocks, CX = blocks left,
// Y0 = float accumulator.

// k4shuf row r (32 bytes) picks 16-bit lane r of a register: it broadcasts
// one Q4_K sub-block scale to all 16 words of each 128-bit lane.
// k6shuf row r (16 bytes) picks bytes 2r (x8) and 2r+1 (x8): the scales of
// two consecutive 16-element Q6_K groups.
DATA k4shuf<>+0(SB)/8, $0x0100010001000100
DATA k4shuf<>+8(SB)/8, $0x0100010001000100
DATA k4shuf<>+16(SB)/8, $0x0100010001000100
DATA k4shuf<>+24(SB)/8, $0x0100010001000100
DATA k4shuf<>+32(SB)/8, $0x0302030203020302
DATA k4shuf<>+40(SB)/8, $0x0302030203020302
DATA k4shuf<>+48(SB)/8, $0x0302030203020302
DATA k4shuf<>+56(SB)/8, $0x0302030203020302
DATA k4shuf<>+64(SB)/8, $0x0504050405040504
DATA k4shuf<>+72(SB)/8, $0x0504050405040504
DATA k4shuf<>+80(SB)/8, $0x0504050405040504
DATA k4shuf<>+88(SB)/8, $0x0504050405040504
DATA k4shuf<>+96(SB)/8, $0x0706070607060706
DATA k4shuf<>+104(SB)/8, $0x0706070607060706
DATA k4shuf<>+112(SB)/8, $0x0706070607060706
DATA k4shuf<>+120(SB)/8, $0x0706070607060706
DATA k4shuf<>+128(SB)/8, $0x0908090809080908
DATA k4shuf<>+136(SB)/8, $0x0908090809080908
DATA k4shuf<>+144(SB)/8, $0x0908090809080908
DATA k4shuf<>+152(SB)/8, $0x0908090809080908
DATA k4shuf<>+160(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+168(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+176(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+184(SB)/8, $0x0b0a0b0a0b0a0b0a
DATA k4shuf<>+192(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+200(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+208(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+216(SB)/8, $0x0d0c0d0c0d0c0d0c
DATA k4shuf<>+224(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+232(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+240(SB)/8, $0x0f0e0f0e0f0e0f0e
DATA k4shuf<>+248(SB)/8, $0x0f0e0f0e0f0e0f0e
GLOBL k4shuf<>(SB), RODATA|NOPTR, $256
DATA k6shuf<>+0(SB)/8, $0x0000000000000000
DATA k6shuf<>+8(SB)/8, $0x0101010101010101
DATA k6shuf<>+16(SB)/8, $0x0202020202020202
DATA k6shuf<>+24(SB)/8, $0x0303030303030303
DATA k6shuf<>+32(SB)/8, $0x0404040404040404
DATA k6shuf<>+40(SB)/8, $0x0505050505050505
DATA k6shuf<>+48(SB)/8, $0x0606060606060606
DATA k6shuf<>+56(SB)/8, $0x0707070707070707
DATA k6shuf<>+64(SB)/8, $0x0808080808080808
DATA k6shuf<>+72(SB)/8, $0x0909090909090909
DATA k6shuf<>+80(SB)/8, $0x0a0a0a0a0a0a0a0a
DATA k6shuf<>+88(SB)/8, $0x0b0b0b0b0b0b0b0b
DATA k6shuf<>+96(SB)/8, $0x0c0c0c0c0c0c0c0c
DATA k6shuf<>+104(SB)/8, $0x0d0d0d0d0d0d0d0d
DATA k6shuf<>+112(SB)/8, $0x0e0e0e0e0e0e0e0e
DATA k6shuf<>+120(SB)/8, $0x0f0f0f0f0f0f0f0f
GLOBL k6shuf<>(SB), RODATA|NOPTR, $128

DATA kmask0f<>+0(SB)/1, $0x0f
GLOBL kmask0f<>(SB), RODATA|NOPTR, $1
DATA kmask03<>+0(SB)/1, $0x03
GLOBL kmask03<>(SB), RODATA|NOPTR, $1
DATA kmask0c<>+0(SB)/1, $0x0c
GLOBL kmask0c<>(SB), RODATA|NOPTR, $1
DATA kmask30<>+0(SB)/1, $0x30
GLOBL kmask30<>(SB), RODATA|NOPTR, $1
DATA kmaskc0<>+0(SB)/1, $0xc0
GLOBL kmaskc0<>(SB), RODATA|NOPTR, $1

// HSUM8 reduces the 8 lanes of Y0 into X0 lane 0.
#define HSUM8 \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X1, X0, X0 \
	VHADDPS      X0, X0, X0 \
	VHADDPS      X0, X0, X0

// HSUM8G sums the eight float32 lanes of Y0 into X0 lane 0 in ggml's
// hsum_float_8 order: high half + low half, then (s0+s2) + (s1+s3). The Q6_K
// dots use it so that they equal ggml_vec_dot_q6_K_q8_K (AVX2 branch) bit
// for bit.
#define HSUM8G \
	VEXTRACTF128 $1, Y0, X1 \
	VADDPS       X0, X1, X0 \
	VMOVHLPS     X0, X0, X1 \
	VADDPS       X1, X0, X0 \
	VMOVSHDUP    X0, X1 \
	VADDSS       X1, X0, X0

// Q4K64 handles 64 elements (sub-blocks 2j and 2j+1) of a Q4_K block:
// qs bytes at 16+32j, activations at 4+64j; Y1 holds the 16-bit scales in
// both lanes, Y6 collects int32 sums.
#define Q4K64(qo, xo, so) \
	VMOVDQU    qo(SI), Y7 \
	VPSRLW     $4, Y7, Y8 \
	VPAND      Y15, Y7, Y7 \
	VPAND      Y15, Y8, Y8 \
	VPMADDUBSW xo(DI), Y7, Y7 \
	VPMADDUBSW xo+32(DI), Y8, Y8 \
	VPSHUFB    k4shuf<>+so(SB), Y1, Y9 \
	VPSHUFB    k4shuf<>+so+32(SB), Y1, Y11 \
	VPMADDWD   Y9, Y7, Y7 \
	VPMADDWD   Y11, Y8, Y8 \
	VPADDD     Y7, Y6, Y6 \
	VPADDD     Y8, Y6, Y6

// func dotQ4_KAVX2(nb int, w, x *byte) float32
//
// Q4_K block (144 B): f16 d at 0, f16 dmin at 2, scales[12] at 4 (eight
// 6-bit scales and eight 6-bit mins), qs[128] at 16; element 64j+l is the low
// nibble of qs[32j+l], element 64j+32+l its high nibble. Value = d*sc*q -
// dmin*m, so the block contributes D*sum(sc_k*dot_k) - DMIN*sum(m_k*xsum_k)
// with D = d*xd, DMIN = dmin*xd.
TEXT ·dotQ4_KAVX2(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS X10, X10, X10
	VPBROADCASTB kmask0f<>(SB), Y15
	TESTQ CX, CX
	JEQ   q4kdone

q4kloop:
	// Unpack the 6-bit scales (bytes 0..7) and mins (bytes 8..15).
	MOVL 4(SI), AX
	MOVL 8(SI), BX
	MOVL 12(SI), DX
	MOVL DX, R8
	SHRL $4, R8
	ANDL $0x0f0f0f0f, R8
	MOVL BX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R8              // mins 4..7
	ANDL $0x3f3f3f3f, BX     // mins 0..3
	ANDL $0x0f0f0f0f, DX
	MOVL AX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, DX              // scales 4..7
	ANDL $0x3f3f3f3f, AX     // scales 0..3
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $32, R8
	ORQ  R8, BX
	VMOVQ     AX, X1
	VPINSRQ   $1, BX, X1, X1
	VPMOVZXBW X1, Y1         // 16-bit scales in the low lane, mins in the high lane

	// D and DMIN.
	VMOVD        (SI), X4
	VCVTPH2PS    X4, X4
	VBROADCASTSS (DI), X5
	VMULPS       X5, X4, X4  // [D, DMIN, 0, 0]
	VMOVSHDUP    X4, X5
	VBROADCASTSS X5, X5      // DMIN x4
	VBROADCASTSS X4, Y4      // D x8

	// Mins: pairwise bsums give the 8 sub-block sums.
	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VEXTRACTI128 $1, Y1, X3
	VPMADDWD     X3, X2, X2
	VCVTDQ2PS    X2, X2
	VFMADD231PS  X2, X5, X10

	VINSERTI128 $1, X1, Y1, Y1 // scales in both lanes
	VPXOR       Y6, Y6, Y6
	Q4K64(16, 4, 0)
	Q4K64(48, 68, 64)
	Q4K64(80, 132, 128)
	Q4K64(112, 196, 192)
	VCVTDQ2PS   Y6, Y6
	VFMADD231PS Y6, Y4, Y0

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4kloop

q4kdone:
	HSUM8
	VHADDPS X10, X10, X10
	VHADDPS X10, X10, X10
	VSUBSS  X10, X0, X0
	VMOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET

// Q6KPART finishes one 32-element part of a Q6_K 128-chunk: Y8 holds the
// 6-bit values (0..63) as bytes; multiply by the activations at xo, by the
// two 16-element group scales (k6shuf row at so), and add into Y3.
#define Q6KPART(xo, so) \
	VPMADDUBSW xo(DI), Y8, Y8 \
	VPSHUFB    k6shuf<>+so(SB), X1, X9 \
	VPMOVSXBW  X9, Y9 \
	VPMADDWD   Y9, Y8, Y8 \
	VPADDD     Y8, Y3, Y3

// Q6K128 handles elements 128j..128j+127: ql at 64j, qh at 128+32j,
// activations at 4+128j, scale rows 4j..4j+3 (so = 64j).
#define Q6K128(lo, ho, xo, so) \
	VMOVDQU lo(SI), Y4 \
	VMOVDQU lo+32(SI), Y5 \
	VMOVDQU ho(SI), Y6 \
	VPAND   Y14, Y6, Y7 \
	VPSLLW  $4, Y7, Y7 \
	VPAND   Y15, Y4, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPART(xo, so) \
	VPAND   Y13, Y6, Y7 \
	VPSLLW  $2, Y7, Y7 \
	VPAND   Y15, Y5, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPART(xo+32, so+16) \
	VPAND   Y12, Y6, Y7 \
	VPSRLW  $4, Y4, Y8 \
	VPAND   Y15, Y8, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPART(xo+64, so+32) \
	VPAND   Y11, Y6, Y7 \
	VPSRLW  $2, Y7, Y7 \
	VPSRLW  $4, Y5, Y8 \
	VPAND   Y15, Y8, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPART(xo+96, so+48)

// func dotQ6_KAVX2(nb int, w, x *byte) float32
//
// Q6_K block (210 B): ql[128] at 0, qh[64] at 128, int8 scales[16] at 192,
// f16 d at 208. Value = d*sc*(q-32) with q 6 bits; the -32 is applied through
// the activation block sums: 32*sum(sc_k*bsum_k).
TEXT ·dotQ6_KAVX2(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VPBROADCASTB kmask0f<>(SB), Y15
	VPBROADCASTB kmask03<>(SB), Y14
	VPBROADCASTB kmask0c<>(SB), Y13
	VPBROADCASTB kmask30<>(SB), Y12
	VPBROADCASTB kmaskc0<>(SB), Y11
	TESTQ CX, CX
	JEQ   q6kdone

q6kloop:
	VMOVDQU   192(SI), X1
	VPMOVSXBW X1, Y2
	VPMADDWD  260(DI), Y2, Y2
	VPSLLD    $5, Y2, Y2
	VPXOR     Y3, Y3, Y3
	Q6K128(0, 128, 4, 0)
	Q6K128(64, 160, 132, 64)
	VPSUBD    Y2, Y3, Y3
	VCVTDQ2PS Y3, Y3

	VPBROADCASTW 208(SI), X4
	VCVTPH2PS    X4, Y4
	VBROADCASTSS (DI), Y5
	VMULPS       Y5, Y4, Y4
	VFMADD231PS  Y3, Y4, Y0

	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6kloop

q6kdone:
	HSUM8G
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// Q5K64 is Q4K64 for Q5_K: qs at qo, and the fifth bits are bits 2j and
// 2j+1 of the 32 qh bytes in Y13 (Y14 = 0x01 bytes).
#define Q5K64(qo, xo, so, blo, bhi) \
	VMOVDQU    qo(SI), Y7 \
	VPSRLW     $4, Y7, Y8 \
	VPAND      Y15, Y7, Y7 \
	VPAND      Y15, Y8, Y8 \
	VPSRLW     $blo, Y13, Y12 \
	VPAND      Y14, Y12, Y12 \
	VPSLLW     $4, Y12, Y12 \
	VPOR       Y12, Y7, Y7 \
	VPSRLW     $bhi, Y13, Y12 \
	VPAND      Y14, Y12, Y12 \
	VPSLLW     $4, Y12, Y12 \
	VPOR       Y12, Y8, Y8 \
	VPMADDUBSW xo(DI), Y7, Y7 \
	VPMADDUBSW xo+32(DI), Y8, Y8 \
	VPSHUFB    k4shuf<>+so(SB), Y1, Y9 \
	VPSHUFB    k4shuf<>+so+32(SB), Y1, Y11 \
	VPMADDWD   Y9, Y7, Y7 \
	VPMADDWD   Y11, Y8, Y8 \
	VPADDD     Y7, Y6, Y6 \
	VPADDD     Y8, Y6, Y6

DATA kmask01<>+0(SB)/1, $0x01
GLOBL kmask01<>(SB), RODATA|NOPTR, $1

// func dotQ5_KAVX2(nb int, w, x *byte) float32
//
// Q5_K block (176 B): f16 d at 0, f16 dmin at 2, scales[12] at 4, qh[32] at
// 16, qs[128] at 48: Q4_K's layout plus a fifth bit, bit 2j (2j+1) of qh[l]
// for element 64j+l (64j+32+l). Scales and mins as in Q4_K.
TEXT ·dotQ5_KAVX2(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS X10, X10, X10
	VPBROADCASTB kmask0f<>(SB), Y15
	VPBROADCASTB kmask01<>(SB), Y14
	TESTQ CX, CX
	JEQ   q5kdone

q5kloop:
	MOVL 4(SI), AX
	MOVL 8(SI), BX
	MOVL 12(SI), DX
	MOVL DX, R8
	SHRL $4, R8
	ANDL $0x0f0f0f0f, R8
	MOVL BX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R8
	ANDL $0x3f3f3f3f, BX
	ANDL $0x0f0f0f0f, DX
	MOVL AX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, DX
	ANDL $0x3f3f3f3f, AX
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $32, R8
	ORQ  R8, BX
	VMOVQ     AX, X1
	VPINSRQ   $1, BX, X1, X1
	VPMOVZXBW X1, Y1

	VMOVD        (SI), X4
	VCVTPH2PS    X4, X4
	VBROADCASTSS (DI), X5
	VMULPS       X5, X4, X4
	VMOVSHDUP    X4, X5
	VBROADCASTSS X5, X5
	VBROADCASTSS X4, Y4

	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VEXTRACTI128 $1, Y1, X3
	VPMADDWD     X3, X2, X2
	VCVTDQ2PS    X2, X2
	VFMADD231PS  X2, X5, X10

	VINSERTI128 $1, X1, Y1, Y1
	VMOVDQU     16(SI), Y13
	VPXOR       Y6, Y6, Y6
	Q5K64(48, 4, 0, 0, 1)
	Q5K64(80, 68, 64, 2, 3)
	Q5K64(112, 132, 128, 4, 5)
	Q5K64(144, 196, 192, 6, 7)
	VCVTDQ2PS   Y6, Y6
	VFMADD231PS Y6, Y4, Y0

	ADDQ $176, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q5kloop

q5kdone:
	HSUM8
	VHADDPS X10, X10, X10
	VHADDPS X10, X10, X10
	VSUBSS  X10, X0, X0
	VMOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET

DATA kmask20<>+0(SB)/1, $0x20
GLOBL kmask20<>(SB), RODATA|NOPTR, $1
DATA kmask04<>+0(SB)/1, $0x04
GLOBL kmask04<>(SB), RODATA|NOPTR, $1

// KPART finishes a 32-element part of a Q2_K/Q3_K block: Y4 holds the
// unsigned 2-bit levels; the activations are at xo(DI); k6shuf row at so
// picks the two 16-element group scales from X1 (bytes); Y3 collects int32.
#define KPART(xo, so) \
	VPMADDUBSW xo(DI), Y4, Y4 \
	VPSHUFB    k6shuf<>+so(SB), X1, X9 \
	VPMOVSXBW  X9, Y9 \
	VPMADDWD   Y9, Y4, Y4 \
	VPADDD     Y4, Y3, Y3

// Q2KPART: levels (qs >> shift) & 3 of the 32 qs bytes in Y5.
#define Q2KPART(shift, xo, so) \
	VPSRLW $shift, Y5, Y4 \
	VPAND  Y14, Y4, Y4 \
	KPART(xo, so)

// func dotQ2_KAVX2(nb int, w, x *byte) float32
//
// Q2_K block (84 B): scales[16] at 0 (low nibble scale, high nibble min of
// each 16-element group), qs[64] at 16, f16 d at 80, f16 dmin at 82.
// Element 128k+32j+l is (qs[32k+l] >> 2j) & 3. The block contributes
// D*sum(sc_g*dot_g) - DMIN*sum(m_g*bsum_g).
TEXT ·dotQ2_KAVX2(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS Y10, Y10, Y10
	VPBROADCASTB kmask0f<>(SB), Y15
	VPBROADCASTB kmask03<>(SB), Y14
	TESTQ CX, CX
	JEQ   q2kdone

q2kloop:
	VMOVDQU   (SI), X1
	VPSRLW    $4, X1, X2
	VPAND     X15, X2, X2
	VPAND     X15, X1, X1 // scales (bytes)
	VPMOVZXBW X2, Y2      // mins (words)
	VPMADDWD  260(DI), Y2, Y2

	VMOVD        80(SI), X4
	VCVTPH2PS    X4, X4
	VBROADCASTSS (DI), X5
	VMULPS       X5, X4, X4 // [D, DMIN, 0, 0]
	VMOVSHDUP    X4, X5
	VBROADCASTSS X5, Y5
	VBROADCASTSS X4, Y4
	VCVTDQ2PS    Y2, Y2
	VFMADD231PS  Y2, Y5, Y10
	VMOVAPS      Y4, Y6

	VPXOR   Y3, Y3, Y3
	VMOVDQU 16(SI), Y5
	Q2KPART(0, 4, 0)
	Q2KPART(2, 36, 16)
	Q2KPART(4, 68, 32)
	Q2KPART(6, 100, 48)
	VMOVDQU 48(SI), Y5
	Q2KPART(0, 132, 64)
	Q2KPART(2, 164, 80)
	Q2KPART(4, 196, 96)
	Q2KPART(6, 228, 112)
	VCVTDQ2PS   Y3, Y3
	VFMADD231PS Y3, Y6, Y0

	ADDQ $84, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q2kloop

q2kdone:
	VSUBPS Y10, Y0, Y0
	HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// Q3KPART: levels (qs >> shift) & 3 of the qs bytes in Y5, minus 4 where
// bit hb of the hmask bytes is clear (Y13 = NOT hmask).
#define Q3KPART(shift, hb, xo, so) \
	VPSRLW     $shift, Y5, Y4 \
	VPAND      Y14, Y4, Y4 \
	VPSRLW     $hb, Y13, Y7 \
	VPAND      Y12, Y7, Y7 \
	VPSLLW     $2, Y7, Y7 \
	VPMADDUBSW xo(DI), Y7, Y7 \
	VPMADDUBSW xo(DI), Y4, Y4 \
	VPSUBW     Y7, Y4, Y4 \
	VPSHUFB    k6shuf<>+so(SB), X1, X9 \
	VPMOVSXBW  X9, Y9 \
	VPMADDWD   Y9, Y4, Y4 \
	VPADDD     Y4, Y3, Y3

// func dotQ3_KAVX2(nb int, w, x *byte) float32
//
// Q3_K block (110 B): hmask[32] at 0, qs[64] at 32, scales[12] at 96 (16
// 6-bit scales, stored +32), f16 d at 108. Element 128k+32j+l is
// ((qs[32k+l] >> 2j) & 3) - 4*(bit 4k+j of hmask[l] clear).
TEXT ·dotQ3_KAVX2(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VPBROADCASTB kmask03<>(SB), Y14
	VPBROADCASTB kmask01<>(SB), Y12
	VPBROADCASTB kmask20<>(SB), Y11
	VPCMPEQB     Y10, Y10, Y10
	TESTQ CX, CX
	JEQ   q3kdone

q3kloop:
	// Unpack the 16 scales: low nibbles from bytes 0..7, high 2 bits from 8..11.
	MOVL 96(SI), AX
	MOVL 100(SI), BX
	MOVL 104(SI), DX
	MOVL AX, R8
	SHRL $4, R8
	ANDL $0x0f0f0f0f, R8
	MOVL DX, R9
	SHRL $4, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R8          // scales 8..11
	MOVL BX, R10
	SHRL $4, R10
	ANDL $0x0f0f0f0f, R10
	MOVL DX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R10         // scales 12..15
	ANDL $0x0f0f0f0f, AX
	MOVL DX, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, AX          // scales 0..3
	ANDL $0x0f0f0f0f, BX
	MOVL DX, R9
	SHRL $2, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, BX          // scales 4..7
	SHLQ $32, BX
	ORQ  BX, AX
	SHLQ $32, R10
	ORQ  R10, R8
	VMOVQ   AX, X1
	VPINSRQ $1, R8, X1, X1
	VPSUBB  X11, X1, X1  // scales - 32, signed bytes

	VMOVDQU (SI), Y13
	VPXOR   Y10, Y13, Y13 // NOT hmask
	VPXOR   Y3, Y3, Y3
	VMOVDQU 32(SI), Y5
	Q3KPART(0, 0, 4, 0)
	Q3KPART(2, 1, 36, 16)
	Q3KPART(4, 2, 68, 32)
	Q3KPART(6, 3, 100, 48)
	VMOVDQU 64(SI), Y5
	Q3KPART(0, 4, 132, 64)
	Q3KPART(2, 5, 164, 80)
	Q3KPART(4, 6, 196, 96)
	Q3KPART(6, 7, 228, 112)
	VCVTDQ2PS Y3, Y3

	VPBROADCASTW 108(SI), X4
	VCVTPH2PS    X4, Y4
	VBROADCASTSS (DI), Y6
	VMULPS       Y6, Y4, Y4
	VFMADD231PS  Y3, Y4, Y0

	ADDQ $110, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q3kloop

q3kdone:
	HSUM8
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// VNNI (AVX-512 VNNI, 256-bit) forms of the Q4_K and Q6_K dots: VPDPWSSD
// multiplies the 16-bit products by the 16-bit scales and accumulates in one
// instruction (VPMADDWD + VPADDD in the AVX2 forms), into two accumulators
// (Y6/Y12 for Q4_K, Y3/Y10 for Q6_K) to halve the dependency chain.

#define Q4K64V(qo, xo, so) \
	VMOVDQU    qo(SI), Y7 \
	VPSRLW     $4, Y7, Y8 \
	VPAND      Y15, Y7, Y7 \
	VPAND      Y15, Y8, Y8 \
	VPMADDUBSW xo(DI), Y7, Y7 \
	VPMADDUBSW xo+32(DI), Y8, Y8 \
	VPSHUFB    k4shuf<>+so(SB), Y1, Y9 \
	VPSHUFB    k4shuf<>+so+32(SB), Y1, Y11 \
	VPDPWSSD   Y9, Y7, Y6 \
	VPDPWSSD   Y11, Y8, Y12

#define Q6KPARTV(xo, so, acc) \
	VPMADDUBSW xo(DI), Y8, Y8 \
	VPSHUFB    k6shuf<>+so(SB), X1, X9 \
	VPMOVSXBW  X9, Y9 \
	VPDPWSSD   Y9, Y8, acc

#define Q6K128V(lo, ho, xo, so) \
	VMOVDQU lo(SI), Y4 \
	VMOVDQU lo+32(SI), Y5 \
	VMOVDQU ho(SI), Y6 \
	VPAND   Y14, Y6, Y7 \
	VPSLLW  $4, Y7, Y7 \
	VPAND   Y15, Y4, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPARTV(xo, so, Y3) \
	VPAND   Y13, Y6, Y7 \
	VPSLLW  $2, Y7, Y7 \
	VPAND   Y15, Y5, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPARTV(xo+32, so+16, Y10) \
	VPAND   Y12, Y6, Y7 \
	VPSRLW  $4, Y4, Y8 \
	VPAND   Y15, Y8, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPARTV(xo+64, so+32, Y3) \
	VPAND   Y11, Y6, Y7 \
	VPSRLW  $2, Y7, Y7 \
	VPSRLW  $4, Y5, Y8 \
	VPAND   Y15, Y8, Y8 \
	VPOR    Y7, Y8, Y8 \
	Q6KPARTV(xo+96, so+48, Y10)

// KDIST is how far ahead the VNNI Q4_K/Q6_K dots prefetch the weight row
// (decode streams rows from memory).
#define KDIST 1536

// func dotQ4_KVNNI(nb int, w, x *byte) float32
TEXT ·dotQ4_KVNNI(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS X10, X10, X10
	VPBROADCASTB kmask0f<>(SB), Y15
	TESTQ CX, CX
	JEQ   q4kvdone

q4kvloop:
	PREFETCHT0 KDIST(SI)
	// Unpack the 6-bit scales (bytes 0..7) and mins (bytes 8..15).
	MOVL 4(SI), AX
	MOVL 8(SI), BX
	MOVL 12(SI), DX
	MOVL DX, R8
	SHRL $4, R8
	ANDL $0x0f0f0f0f, R8
	MOVL BX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R8              // mins 4..7
	ANDL $0x3f3f3f3f, BX     // mins 0..3
	ANDL $0x0f0f0f0f, DX
	MOVL AX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, DX              // scales 4..7
	ANDL $0x3f3f3f3f, AX     // scales 0..3
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $32, R8
	ORQ  R8, BX
	VMOVQ     AX, X1
	VPINSRQ   $1, BX, X1, X1
	VPMOVZXBW X1, Y1         // 16-bit scales in the low lane, mins in the high lane

	// D and DMIN.
	VMOVD        (SI), X4
	VCVTPH2PS    X4, X4
	VBROADCASTSS (DI), X5
	VMULPS       X5, X4, X4  // [D, DMIN, 0, 0]
	VMOVSHDUP    X4, X5
	VBROADCASTSS X5, X5      // DMIN x4
	VBROADCASTSS X4, Y4      // D x8

	// Mins: pairwise bsums give the 8 sub-block sums.
	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VEXTRACTI128 $1, Y1, X3
	VPMADDWD     X3, X2, X2
	VCVTDQ2PS    X2, X2
	VFMADD231PS  X2, X5, X10

	VINSERTI128 $1, X1, Y1, Y1 // scales in both lanes
	VPXOR       Y6, Y6, Y6
	VPXOR       Y12, Y12, Y12
	Q4K64V(16, 4, 0)
	Q4K64V(48, 68, 64)
	Q4K64V(80, 132, 128)
	Q4K64V(112, 196, 192)
	VPADDD      Y12, Y6, Y6
	VCVTDQ2PS   Y6, Y6
	VFMADD231PS Y6, Y4, Y0

	ADDQ $144, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q4kvloop

q4kvdone:
	HSUM8
	VHADDPS X10, X10, X10
	VHADDPS X10, X10, X10
	VSUBSS  X10, X0, X0
	VMOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET

// func dotQ6_KVNNI(nb int, w, x *byte) float32
TEXT ·dotQ6_KVNNI(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VPBROADCASTB kmask0f<>(SB), Y15
	VPBROADCASTB kmask03<>(SB), Y14
	VPBROADCASTB kmask0c<>(SB), Y13
	VPBROADCASTB kmask30<>(SB), Y12
	VPBROADCASTB kmaskc0<>(SB), Y11
	TESTQ CX, CX
	JEQ   q6kvdone

q6kvloop:
	PREFETCHT0 KDIST(SI)
	PREFETCHT0 KDIST+64(SI)
	VMOVDQU   192(SI), X1
	VPMOVSXBW X1, Y2
	VPMADDWD  260(DI), Y2, Y2
	VPSLLD    $5, Y2, Y2
	VPXOR     Y3, Y3, Y3
	VPXOR     Y10, Y10, Y10
	Q6K128V(0, 128, 4, 0)
	Q6K128V(64, 160, 132, 64)
	VPADDD    Y10, Y3, Y3
	VPSUBD    Y2, Y3, Y3
	VCVTDQ2PS Y3, Y3

	VPBROADCASTW 208(SI), X4
	VCVTPH2PS    X4, Y4
	VBROADCASTSS (DI), Y5
	VMULPS       Y5, Y4, Y4
	VFMADD231PS  Y3, Y4, Y0

	ADDQ $210, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q6kvloop

q6kvdone:
	HSUM8G
	VMOVSS X0, ret+24(FP)
	VZEROUPPER
	RET

// Q5K64V is Q5K64 with VPDPWSSD (two accumulators, Y6 and Y3).
#define Q5K64V(qo, xo, so, blo, bhi) \
	VMOVDQU    qo(SI), Y7 \
	VPSRLW     $4, Y7, Y8 \
	VPAND      Y15, Y7, Y7 \
	VPAND      Y15, Y8, Y8 \
	VPSRLW     $blo, Y13, Y12 \
	VPAND      Y14, Y12, Y12 \
	VPSLLW     $4, Y12, Y12 \
	VPOR       Y12, Y7, Y7 \
	VPSRLW     $bhi, Y13, Y12 \
	VPAND      Y14, Y12, Y12 \
	VPSLLW     $4, Y12, Y12 \
	VPOR       Y12, Y8, Y8 \
	VPMADDUBSW xo(DI), Y7, Y7 \
	VPMADDUBSW xo+32(DI), Y8, Y8 \
	VPSHUFB    k4shuf<>+so(SB), Y1, Y9 \
	VPSHUFB    k4shuf<>+so+32(SB), Y1, Y11 \
	VPDPWSSD   Y9, Y7, Y6 \
	VPDPWSSD   Y11, Y8, Y3

// func dotQ5_KVNNI(nb int, w, x *byte) float32
TEXT ·dotQ5_KVNNI(SB), NOSPLIT, $0-28
	MOVQ nb+0(FP), CX
	MOVQ w+8(FP), SI
	MOVQ x+16(FP), DI
	VXORPS Y0, Y0, Y0
	VXORPS X10, X10, X10
	VPBROADCASTB kmask0f<>(SB), Y15
	VPBROADCASTB kmask01<>(SB), Y14
	TESTQ CX, CX
	JEQ   q5kvdone

q5kvloop:
	MOVL 4(SI), AX
	MOVL 8(SI), BX
	MOVL 12(SI), DX
	MOVL DX, R8
	SHRL $4, R8
	ANDL $0x0f0f0f0f, R8
	MOVL BX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, R8
	ANDL $0x3f3f3f3f, BX
	ANDL $0x0f0f0f0f, DX
	MOVL AX, R9
	SHRL $6, R9
	ANDL $0x03030303, R9
	SHLL $4, R9
	ORL  R9, DX
	ANDL $0x3f3f3f3f, AX
	SHLQ $32, DX
	ORQ  DX, AX
	SHLQ $32, R8
	ORQ  R8, BX
	VMOVQ     AX, X1
	VPINSRQ   $1, BX, X1, X1
	VPMOVZXBW X1, Y1

	VMOVD        (SI), X4
	VCVTPH2PS    X4, X4
	VBROADCASTSS (DI), X5
	VMULPS       X5, X4, X4
	VMOVSHDUP    X4, X5
	VBROADCASTSS X5, X5
	VBROADCASTSS X4, Y4

	VMOVDQU      260(DI), Y2
	VEXTRACTI128 $1, Y2, X3
	VPHADDW      X3, X2, X2
	VEXTRACTI128 $1, Y1, X3
	VPMADDWD     X3, X2, X2
	VCVTDQ2PS    X2, X2
	VFMADD231PS  X2, X5, X10

	VINSERTI128 $1, X1, Y1, Y1
	VMOVDQU     16(SI), Y13
	VPXOR       Y6, Y6, Y6
	VPXOR       Y3, Y3, Y3
	Q5K64V(48, 4, 0, 0, 1)
	Q5K64V(80, 68, 64, 2, 3)
	Q5K64V(112, 132, 128, 4, 5)
	Q5K64V(144, 196, 192, 6, 7)
	VPADDD      Y3, Y6, Y6
	VCVTDQ2PS   Y6, Y6
	VFMADD231PS Y6, Y4, Y0

	ADDQ $176, SI
	ADDQ $292, DI
	DECQ CX
	JNZ  q5kvloop

q5kvdone:
	HSUM8
	VHADDPS X10, X10, X10
	VHADDPS X10, X10, X10
	VSUBSS  X10, X0, X0
	VMOVSS  X0, ret+24(FP)
	VZEROUPPER
	RET
