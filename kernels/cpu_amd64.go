package kernels

import "golang.org/x/sys/cpu"

// x86HasAVX2 reports whether the AVX2 kernels can run: AVX2, FMA and F16C
// (the operating system's YMM state support is included in cpu.X86.HasAVX2).
func x86HasAVX2() bool {
	return cpu.X86.HasAVX2 && cpu.X86.HasFMA && cpu.X86.HasF16C
}

// x86HasVNNI reports whether the 256-bit AVX-512 VNNI kernels (EVEX VPDPBUSD
// on YMM registers) can run: AVX-512 VNNI and VL with OS ZMM state support,
// on top of x86HasAVX2.
func x86HasVNNI() bool {
	return x86HasAVX2() && cpu.X86.HasAVX512 && cpu.X86.HasAVX512VNNI && cpu.X86.HasAVX512VL
}
