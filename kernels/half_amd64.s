#include "textflag.h"

// func f32ToF16F16C(n8 int, dst *uint16, src *float32)
// converts 8*n8 float32 to binary16, round to nearest even (VCVTPS2PH imm 0).
TEXT ·f32ToF16F16C(SB), NOSPLIT, $0-24
	MOVQ n8+0(FP), CX
	MOVQ dst+8(FP), DI
	MOVQ src+16(FP), SI
	TESTQ CX, CX
	JEQ f32tof16done
f32tof16loop:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, X0
	VMOVDQU X0, (DI)
	ADDQ $32, SI
	ADDQ $16, DI
	DECQ CX
	JNZ f32tof16loop
f32tof16done:
	VZEROUPPER
	RET

// func roundF16sF16C(n8 int, x *float32)
// rounds 8*n8 float32 in place to the nearest binary16 value (as float32).
TEXT ·roundF16sF16C(SB), NOSPLIT, $0-16
	MOVQ n8+0(FP), CX
	MOVQ x+8(FP), SI
	TESTQ CX, CX
	JEQ roundf16done
roundf16loop:
	VMOVUPS (SI), Y0
	VCVTPS2PH $0, Y0, X0
	VCVTPH2PS X0, Y0
	VMOVUPS Y0, (SI)
	ADDQ $32, SI
	DECQ CX
	JNZ roundf16loop
roundf16done:
	VZEROUPPER
	RET
