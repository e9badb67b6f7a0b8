package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
)

// Writer builds a GGUF version 3 file: metadata in the order added, then tensors in the
// order added, each tensor's data padded to the alignment (general.alignment, default 32),
// with offsets laid out the way llama.cpp expects them.
type Writer struct {
	meta    []KeyValue
	keys    map[string]int
	tensors []TensorInfo
	data    [][]byte
	names   map[string]bool
}

// NewWriter returns an empty Writer.
func NewWriter() *Writer {
	return &Writer{keys: map[string]int{}, names: map[string]bool{}}
}

// Add sets a metadata key to v. Adding a key again replaces its value in place.
// An invalid (zero) Value makes WriteTo fail.
func (w *Writer) Add(key string, v Value) {
	if i, ok := w.keys[key]; ok {
		w.meta[i].Value = v
		return
	}
	w.keys[key] = len(w.meta)
	w.meta = append(w.meta, KeyValue{Key: key, Value: v})
}

// AddString sets a string value.
func (w *Writer) AddString(key, v string) { w.Add(key, Of(v)) }

// AddUint32 sets a u32 value.
func (w *Writer) AddUint32(key string, v uint32) { w.Add(key, Of(v)) }

// AddInt32 sets an i32 value.
func (w *Writer) AddInt32(key string, v int32) { w.Add(key, Of(v)) }

// AddFloat32 sets an f32 value.
func (w *Writer) AddFloat32(key string, v float32) { w.Add(key, Of(v)) }

// AddBool sets a bool value.
func (w *Writer) AddBool(key string, v bool) { w.Add(key, Of(v)) }

// AddUint64 sets a u64 value.
func (w *Writer) AddUint64(key string, v uint64) { w.Add(key, Of(v)) }

// AddStrings sets an array of strings (the slice is not copied).
func (w *Writer) AddStrings(key string, v []string) { w.Add(key, Of(v)) }

// AddFloat32s sets an array of f32 values (the slice is not copied).
func (w *Writer) AddFloat32s(key string, v []float32) { w.Add(key, Of(v)) }

// AddInt32s sets an array of i32 values (the slice is not copied).
func (w *Writer) AddInt32s(key string, v []int32) { w.Add(key, Of(v)) }

// AddTensor adds a tensor. shape is in ggml order (shape[0] is the row length, at most 4
// dims); data must hold exactly the tensor's size in bytes for its type and is not copied.
func (w *Writer) AddTensor(name string, t Type, shape []int64, data []byte) error {
	if name == "" {
		return errors.New("gguf: AddTensor: empty tensor name")
	}
	if w.names[name] {
		return fmt.Errorf("gguf: AddTensor %q: duplicate tensor name", name)
	}
	if len(shape) > maxDims {
		return fmt.Errorf("gguf: AddTensor %q: %d dimensions, at most %d allowed", name, len(shape), maxDims)
	}
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("gguf: AddTensor %q: negative dimension in shape %v", name, shape)
		}
		if d != 0 && n > math.MaxInt64/d {
			return fmt.Errorf("gguf: AddTensor %q: shape %v has too many elements", name, shape)
		}
		n *= d
	}
	if len(shape) > 0 && t.BlockSize() > 0 && shape[0]%t.BlockSize() != 0 {
		return fmt.Errorf("gguf: AddTensor %q: row length %d is not a multiple of the %s block size %d", name, shape[0], t, t.BlockSize())
	}
	size, err := t.RowBytes(n)
	if err != nil {
		return fmt.Errorf("gguf: AddTensor %q: %w", name, err)
	}
	if int64(len(data)) != size {
		return fmt.Errorf("gguf: AddTensor %q: %d bytes of data, want %d for %s %v", name, len(data), size, t, shape)
	}
	w.names[name] = true
	w.tensors = append(w.tensors, TensorInfo{Name: name, Shape: append([]int64(nil), shape...), Type: t, Size: size})
	w.data = append(w.data, data)
	return nil
}

// alignment returns general.alignment as set, or the default.
func (w *Writer) alignment() (int64, error) {
	i, ok := w.keys[KeyAlignment]
	if !ok {
		return defaultAlignment, nil
	}
	v := w.meta[i].Value
	a, ok := v.AsUint()
	if !ok || v.Type() != ValueUint32 || a == 0 || a&(a-1) != 0 || a > 1<<30 {
		return 0, fmt.Errorf("gguf: %s must be a u32 power of two up to 2^30, got %s %s", KeyAlignment, v.Type(), v)
	}
	return int64(a), nil
}

// WriteTo writes the file to out and returns the number of bytes written.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	align, err := w.alignment()
	if err != nil {
		return 0, err
	}
	for _, kv := range w.meta {
		if kv.Key == "" {
			return 0, errors.New("gguf: empty metadata key (readers refuse it)")
		}
		if err := checkValue(kv.Value); err != nil {
			return 0, fmt.Errorf("gguf: key %q: %w", kv.Key, err)
		}
	}
	e := &encoder{w: bufio.NewWriterSize(out, 1<<16)}
	e.bytes([]byte("GGUF"))
	e.u32(3)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(len(w.meta)))
	for _, kv := range w.meta {
		e.str(kv.Key)
		e.u32(uint32(kv.Value.Type()))
		e.value(kv.Value)
	}
	offset := int64(0)
	for _, t := range w.tensors {
		e.str(t.Name)
		e.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.Type))
		e.u64(uint64(offset))
		offset = alignUp(offset+t.Size, align)
	}
	if len(w.tensors) > 0 {
		e.pad(align)
	}
	for i, t := range w.tensors {
		e.bytes(w.data[i])
		e.padTo(alignUp(t.Size, align) - t.Size)
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.n, e.err
}

// WriteFile writes the file to path, removing it again if writing fails.
func (w *Writer) WriteFile(path string) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	_, err = w.WriteTo(fh)
	if cerr := fh.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("gguf: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("gguf: writing %s: %w", path, err)
	}
	return nil
}

// checkValue reports values that cannot be encoded: the zero Value, and arrays of
// arrays holding non-arrays.
func checkValue(v Value) error {
	if !v.Valid() {
		return errors.New("invalid (zero) Value")
	}
	if items, ok := v.x.([]Value); ok {
		for i, it := range items {
			if it.typ != ValueArray {
				return fmt.Errorf("array element %d has type %s, want array", i, it.typ)
			}
			if err := checkValue(it); err != nil {
				return fmt.Errorf("array element %d: %w", i, err)
			}
		}
	}
	return nil
}

// encoder writes little-endian GGUF v3 fields, keeping the first error and the count.
type encoder struct {
	w   *bufio.Writer
	n   int64
	err error
	buf [8]byte
}

func (e *encoder) bytes(p []byte) {
	if e.err != nil {
		return
	}
	k, err := e.w.Write(p)
	e.n += int64(k)
	e.err = err
}

func (e *encoder) u8(v uint8)   { e.buf[0] = v; e.bytes(e.buf[:1]) }
func (e *encoder) u16(v uint16) { binary.LittleEndian.PutUint16(e.buf[:], v); e.bytes(e.buf[:2]) }
func (e *encoder) u32(v uint32) { binary.LittleEndian.PutUint32(e.buf[:], v); e.bytes(e.buf[:4]) }
func (e *encoder) u64(v uint64) { binary.LittleEndian.PutUint64(e.buf[:], v); e.bytes(e.buf[:8]) }

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		k, err := e.w.WriteString(s)
		e.n += int64(k)
		e.err = err
	}
}

func (e *encoder) padTo(n int64) {
	for ; n > 0; n-- {
		e.u8(0)
	}
}

func (e *encoder) pad(align int64) { e.padTo(alignUp(e.n, align) - e.n) }

// value writes a value's payload (its type is written by the caller).
func (e *encoder) value(v Value) {
	switch x := v.x.(type) {
	case uint8:
		e.u8(x)
	case int8:
		e.u8(uint8(x))
	case bool:
		if x {
			e.u8(1)
		} else {
			e.u8(0)
		}
	case uint16:
		e.u16(x)
	case int16:
		e.u16(uint16(x))
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case string:
		e.str(x)
	default:
		et, _ := v.ElemType()
		e.u32(uint32(et))
		n := v.Len()
		e.u64(uint64(n))
		for i := range n {
			e.value(v.Index(i)) // an array element that is an array writes its own type and length
		}
	}
}
