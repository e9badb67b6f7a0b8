package kernels

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Kernels lists the dispatch table as "entry: implementation" lines (for
// example "dotQ8_0: dotQ8_0AsmVNNI", or "dotQ5_Kx4n: -" where none is set),
// so benchmarks and bug reports can say which kernels ran.
func Kernels() []string {
	entries := []struct {
		name string
		fn   any
	}{
		{"dotF32", dotF32}, {"dotF16", dotF16}, {"dotBF16", dotBF16},
		{"dotQ8_0", dotQ8_0}, {"dotQ4_0", dotQ4_0}, {"dotQ5_0", dotQ5_0}, {"dotQ4_1", dotQ4_1}, {"dotQ5_1", dotQ5_1},
		{"dotQ2_K", dotQ2_K}, {"dotQ3_K", dotQ3_K}, {"dotQ4_K", dotQ4_K}, {"dotQ5_K", dotQ5_K}, {"dotQ6_K", dotQ6_K},
		{"dotQ8_0x4", dotQ8_0x4}, {"dotQ4_0x4", dotQ4_0x4}, {"dotQ5_0x4", dotQ5_0x4}, {"dotQ4_1x4", dotQ4_1x4},
		{"dotQ5_1x4", dotQ5_1x4}, {"dotQ2_Kx4", dotQ2_Kx4}, {"dotQ3_Kx4", dotQ3_Kx4}, {"dotQ4_Kx4", dotQ4_Kx4},
		{"dotQ5_Kx4", dotQ5_Kx4}, {"dotQ6_Kx4", dotQ6_Kx4},
		{"dotQ8_0x4n", dotQ8_0x4n}, {"dotQ4_0x4n", dotQ4_0x4n}, {"dotQ5_0x4n", dotQ5_0x4n}, {"dotQ4_1x4n", dotQ4_1x4n},
		{"dotQ5_1x4n", dotQ5_1x4n}, {"dotQ2_Kx4n", dotQ2_Kx4n}, {"dotQ3_Kx4n", dotQ3_Kx4n}, {"dotQ4_Kx4n", dotQ4_Kx4n},
		{"dotQ5_Kx4n", dotQ5_Kx4n}, {"dotQ6_Kx4n", dotQ6_Kx4n}, {"dotF16x4n", dotF16x4n}, {"dotBF16x4n", dotBF16x4n},
		{"axpyF32", axpyF32}, {"axpyF16", axpyF16}, {"axpyF16Rows", axpyF16Rows}, {"swiglu", swiglu}, {"expSub", expSub},
		{"gemm8x8", gemm8x8}, {"gemm8x4", gemm8x4}, {"gemm8x1", gemm8x1}, {"gemm16x8", gemm16x8}, {"gemm16x1", gemm16x1},
		{"gemm8Kx8", gemm8Kx8}, {"gemm8Kx1", gemm8Kx1}, {"gemm16Kx8", gemm16Kx8}, {"gemm16Kx1", gemm16Kx1},
		{"gemmF16T12", gemmF16T12}, {"gemmF16T4", gemmF16T4}, {"dotF16x4VD", dotF16x4VD}, {"cvtF16F32", cvtF16F32},
		{"pack8Q8_0", pack8Q8_0}, {"pack8Q4_0", pack8Q4_0}, {"pack8Q4_KQuants", pack8Q4_KQuants},
		{"pack16hQ8_0", pack16hQ8_0}, {"pack16hQ4_0", pack16hQ4_0}, {"pack16hQ4_KQuants", pack16hQ4_KQuants},
		{"quantizeRowQ8_0", quantizeRowQ8_0}, {"quantizeRowQ8_1", quantizeRowQ8_1}, {"quantizeRowQ8_K", quantizeRowQ8_K},
	}
	lines := make([]string, len(entries))
	for i, e := range entries {
		impl := "-"
		if v := reflect.ValueOf(e.fn); !v.IsNil() {
			impl = runtime.FuncForPC(v.Pointer()).Name()
			impl = impl[strings.LastIndex(impl, ".")+1:]
		}
		lines[i] = fmt.Sprintf("%s: %s", e.name, impl)
	}
	return lines
}
