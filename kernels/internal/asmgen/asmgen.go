// Package asmgen holds helpers shared by the kernels' assembly generators
// (kernels/*_gen.go, run by go generate); nothing in the engine imports it.
package asmgen

import "fmt"

// RowAddr is the Go assembler operand of byte off of row a of a strided
// array: rows 0..3 from base0, rows 4..7 from base4 (= base0 + 4*stride),
// indexed by stride (rows 1, 2 as stride*1, stride*2) and stride3 (row 3,
// a register holding 3*stride).
func RowAddr(a, off int, base0, base4, stride, stride3 string) string {
	base := base0
	if a >= 4 {
		base = base4
	}
	switch a % 4 {
	case 0:
		return fmt.Sprintf("%d(%s)", off, base)
	case 1:
		return fmt.Sprintf("%d(%s)(%s*1)", off, base, stride)
	case 2:
		return fmt.Sprintf("%d(%s)(%s*2)", off, base, stride)
	}
	return fmt.Sprintf("%d(%s)(%s*1)", off, base, stride3)
}
