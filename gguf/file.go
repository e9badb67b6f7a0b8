package gguf

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Well-known metadata keys.
const (
	KeyAlignment    = "general.alignment"
	KeyArchitecture = "general.architecture"
)

const defaultAlignment = 32

// ErrMissing is wrapped by the typed getters when a key is absent, so callers can apply
// their own defaults with errors.Is(err, ErrMissing).
var ErrMissing = errors.New("missing")

// TensorInfo describes one tensor of a GGUF file.
type TensorInfo struct {
	Name   string
	Shape  []int64 // ggml order: Shape[0] is the innermost dimension (row length); 0 to 4 dims
	Type   Type
	Offset int64 // relative to the start of the data section
	Size   int64 // bytes; -1 when Type is unknown and the size cannot be computed
}

// Elements returns the number of elements (the product of the shape; 1 for no dims).
func (t *TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is a parsed GGUF file. Tensor data is read through TensorData, which returns
// views into the file's memory: they stay valid until Close.
type File struct {
	Version    uint32       // 1, 2 or 3
	Metadata   []KeyValue   // in file order
	Tensors    []TensorInfo // in file order
	Alignment  int64        // general.alignment, default 32
	DataOffset int64        // absolute byte offset of the data section

	name    string
	data    []byte
	unmap   func() error // releases a memory mapping; nil for FromBytes and plain reads
	closed  bool
	keys    map[string]int // metadata key -> index in Metadata
	tensors map[string]int // tensor name -> index in Tensors
}

// Open maps the file at path read-only and parses it. If the file cannot be mapped it
// is read into memory instead. The caller must Close the File.
func Open(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	size := st.Size()
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("gguf: %s: not a regular file", path)
	}
	if int64(int(size)) != size {
		return nil, fmt.Errorf("gguf: %s: %d bytes is too large to address", path, size)
	}
	data, unmap, err := mapFile(fh, size)
	if err != nil || data == nil {
		// Plain read fallback: mmap unsupported, refused, or an empty file.
		data = make([]byte, size)
		if _, err := io.ReadFull(fh, data); err != nil {
			return nil, fmt.Errorf("gguf: %s: %w", path, err)
		}
		unmap = nil
	}
	f, err := parse(path, data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, err
	}
	f.unmap = unmap
	return f, nil
}

// FromBytes parses a GGUF file held in memory (an embedded model, say). The File
// aliases data, which must not be modified while the File is used; name appears in errors.
func FromBytes(name string, data []byte) (*File, error) {
	return parse(name, data)
}

// Close releases the file's memory. Byte slices from TensorData must not be used after.
// Closing twice is harmless.
func (f *File) Close() error {
	if f.closed {
		return nil
	}
	f.closed = true
	f.data = nil
	if f.unmap != nil {
		err := f.unmap()
		f.unmap = nil
		if err != nil {
			return fmt.Errorf("gguf: %s: unmap: %w", f.name, err)
		}
	}
	return nil
}

// Name returns the path or name the file was opened with.
func (f *File) Name() string { return f.name }

// Tensor returns the tensor with the given name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.tensors[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorData returns the bytes of a tensor without copying. It fails for a tensor of
// unknown type (whose size cannot be computed) and after Close.
func (f *File) TensorData(t *TensorInfo) ([]byte, error) {
	if f.closed {
		return nil, fmt.Errorf("gguf: %s: tensor %q: file is closed", f.name, t.Name)
	}
	if t.Size < 0 || !t.Type.Known() {
		return nil, fmt.Errorf("gguf: %s: tensor %q has unknown type %s: its size cannot be computed", f.name, t.Name, t.Type)
	}
	dataSize := int64(len(f.data)) - f.DataOffset
	if t.Offset < 0 || t.Offset > dataSize || t.Size > dataSize-t.Offset {
		return nil, fmt.Errorf("gguf: %s: tensor %q: data bytes [%d, %d) outside the %d-byte data section", f.name, t.Name, t.Offset, t.Offset+t.Size, dataSize)
	}
	a := f.DataOffset + t.Offset
	return f.data[a : a+t.Size : a+t.Size], nil
}

// ReleasePages tells the operating system that the memory-mapped bytes of t are not
// needed for now (the caller keeps a copy in another layout, say): they leave the
// process's resident memory and are read back from the file if used again, so views from
// TensorData stay valid. It does nothing for files read into memory.
func (f *File) ReleasePages(t *TensorInfo) {
	if f.unmap == nil {
		return
	}
	if data, err := f.TensorData(t); err == nil {
		releasePages(data)
	}
}

// Lookup returns the value of a metadata key.
func (f *File) Lookup(key string) (Value, bool) {
	i, ok := f.keys[key]
	if !ok {
		return Value{}, false
	}
	return f.Metadata[i].Value, true
}

// Architecture returns general.architecture, or "" if absent or not a string.
func (f *File) Architecture() string {
	v, _ := f.Lookup(KeyArchitecture)
	s, _ := v.AsString()
	return s
}

// ArchKey returns suffix prefixed with the architecture: ArchKey("block_count") is
// "llama.block_count" in a llama file.
func (f *File) ArchKey(suffix string) string {
	return f.Architecture() + "." + strings.TrimPrefix(suffix, ".")
}

// get looks up key for a typed getter, wrapping ErrMissing when absent.
func (f *File) get(key string) (Value, error) {
	v, ok := f.Lookup(key)
	if !ok {
		return Value{}, fmt.Errorf("gguf: %s: key %q: %w", f.name, key, ErrMissing)
	}
	return v, nil
}

// getAs is a typed getter: the value of key converted by as, or an error naming the key and
// the wanted type.
func getAs[T any](f *File, key string, as func(Value) (T, bool), want string) (T, error) {
	var zero T
	v, err := f.get(key)
	if err != nil {
		return zero, err
	}
	x, ok := as(v)
	if !ok {
		return zero, f.typeError(key, v, want)
	}
	return x, nil
}

func (f *File) typeError(key string, v Value, want string) error {
	got := v.Type().String()
	if et, ok := v.ElemType(); ok {
		got = "array of " + et.String()
	}
	return fmt.Errorf("gguf: %s: key %q has type %s, want %s", f.name, key, got, want)
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	return getAs(f, key, Value.AsString, "string")
}

// Uint returns a value of any integer type that holds a non-negative number.
func (f *File) Uint(key string) (uint64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	u, ok := v.AsUint()
	if !ok {
		if _, isInt := v.AsInt(); isInt {
			return 0, fmt.Errorf("gguf: %s: key %q: negative value %s, want unsigned", f.name, key, v)
		}
		return 0, f.typeError(key, v, "unsigned integer")
	}
	return u, nil
}

// Int returns a value of any integer type that fits in an int64.
func (f *File) Int(key string) (int64, error) {
	v, err := f.get(key)
	if err != nil {
		return 0, err
	}
	i, ok := v.AsInt()
	if !ok {
		if _, isUint := v.AsUint(); isUint {
			return 0, fmt.Errorf("gguf: %s: key %q: value %s overflows int64", f.name, key, v)
		}
		return 0, f.typeError(key, v, "integer")
	}
	return i, nil
}

// Float returns an f32 or f64 value (integers are accepted too) as a float64.
func (f *File) Float(key string) (float64, error) {
	return getAs(f, key, Value.AsFloat, "number")
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	return getAs(f, key, Value.AsBool, "bool")
}

// Strings returns a copy of an array of strings.
func (f *File) Strings(key string) ([]string, error) {
	return getAs(f, key, Value.AsStrings, "array of string")
}

// Float32s returns a copy of an array of f32 values.
func (f *File) Float32s(key string) ([]float32, error) {
	return getAs(f, key, Value.AsFloat32s, "array of f32")
}

// Int32s returns an array of any integer type as int32s; every element must fit.
func (f *File) Int32s(key string) ([]int32, error) {
	return getAs(f, key, Value.AsInt32s, "array of integers that fit in int32")
}
