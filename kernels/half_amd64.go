package kernels

// F16C conversions (half_amd64.s): VCVTPS2PH rounds to nearest even and
// keeps NaN payloads (quieted) exactly as fp32ToFP16 does.

//go:noescape
func f32ToF16F16C(n8 int, dst *uint16, src *float32)

//go:noescape
func roundF16sF16C(n8 int, x *float32)

// f32ToF16Fast converts the first multiple of 8 elements of src into dst
// with F16C where the CPU has it and returns how many it converted.
func f32ToF16Fast(dst []uint16, src []float32) int {
	n8 := len(src) / 8
	if n8 == 0 || !x86HasAVX2() {
		return 0
	}
	_ = dst[n8*8-1]
	f32ToF16F16C(n8, &dst[0], &src[0])
	return n8 * 8
}

// roundF16sFast rounds the first multiple of 8 elements of x in place to
// binary16 precision where the CPU has F16C and returns how many it did.
func roundF16sFast(x []float32) int {
	n8 := len(x) / 8
	if n8 == 0 || !x86HasAVX2() {
		return 0
	}
	roundF16sF16C(n8, &x[0])
	return n8 * 8
}
