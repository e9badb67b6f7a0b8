package kernels

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/amulet-llm/amulet/gguf"
)

// Matrix is a read-only weight matrix in its GGUF encoding: Rows rows of
// Cols elements each, row-major, each row RowBytes(Cols) bytes. Data usually
// aliases the mmap'd file.
type Matrix struct {
	Type       gguf.Type
	Rows, Cols int
	Data       []byte

	packed *packedTiles // rows repacked for the CPU's kernels (Repack), or nil
}

// NewMatrix wraps the data of a 1-D (one row) or 2-D tensor; Cols = Shape[0],
// Rows = Shape[1]. It checks that the type is supported, the size matches
// and F32/F16/BF16 data is suitably aligned for zero-copy access.
func NewMatrix(t *gguf.TensorInfo, data []byte) (Matrix, error) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		return Matrix{}, fmt.Errorf("kernels: tensor %q: big-endian hosts are not supported", t.Name)
	}
	if len(t.Shape) < 1 || len(t.Shape) > 2 {
		return Matrix{}, fmt.Errorf("kernels: tensor %q has %d dimensions, want 1 or 2", t.Name, len(t.Shape))
	}
	if !Supported(t.Type) {
		return Matrix{}, fmt.Errorf("kernels: tensor %q has type %s, which is not supported", t.Name, t.Type)
	}
	cols, rows := t.Shape[0], int64(1)
	if len(t.Shape) == 2 {
		rows = t.Shape[1]
	}
	if cols <= 0 || rows <= 0 || cols > 1<<31 || rows > 1<<31 {
		return Matrix{}, fmt.Errorf("kernels: tensor %q has shape %v", t.Name, t.Shape)
	}
	rb, err := t.Type.RowBytes(cols)
	if err != nil {
		return Matrix{}, fmt.Errorf("kernels: tensor %q: %w", t.Name, err)
	}
	if need := rb * rows; int64(len(data)) != need {
		return Matrix{}, fmt.Errorf("kernels: tensor %q (%s %v) needs %d bytes, have %d", t.Name, t.Type, t.Shape, need, len(data))
	}
	f, _ := formatOf(t.Type)
	if f.blockSize == 1 && uintptr(unsafe.Pointer(unsafe.SliceData(data)))%uintptr(f.blockBytes) != 0 {
		return Matrix{}, fmt.Errorf("kernels: tensor %q: %s data is not %d-byte aligned", t.Name, t.Type, f.blockBytes)
	}
	return Matrix{Type: t.Type, Rows: int(rows), Cols: int(cols), Data: data}, nil
}

// RowBytes returns the encoded size of one row.
func (m Matrix) RowBytes() int {
	f, _ := formatOf(m.Type)
	return f.rowBytes(m.Cols)
}

// Row dequantizes row `row` of w into dst[:w.Cols] (an embedding lookup).
// It panics if row is out of range or dst too short, like a slice index.
func Row(dst []float32, w Matrix, row int) {
	f, ok := formatOf(w.Type)
	if !ok {
		panic(fmt.Sprintf("kernels: Row of unsupported type %s", w.Type))
	}
	if row < 0 || row >= w.Rows {
		panic(fmt.Sprintf("kernels: Row %d out of range [0,%d)", row, w.Rows))
	}
	rb := f.rowBytes(w.Cols)
	f.dequant(dst[:w.Cols], w.Data[row*rb:(row+1)*rb])
}
