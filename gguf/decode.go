package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"sort"
)

// FormatError describes invalid or unsupported GGUF content: the file, the field and the
// byte offset where the problem was found.
type FormatError struct {
	File   string // the path or name given to Open or FromBytes
	Field  string // what was being read, e.g. `tensor 3 ("blk.0.attn_q.weight") dims`
	Offset int64  // absolute byte offset of the field
	Err    error  // what is wrong
}

// Error formats the problem as "gguf: FILE: FIELD at offset N: what is wrong".
func (e *FormatError) Error() string {
	return fmt.Sprintf("gguf: %s: %s at offset %d: %v", e.File, e.Field, e.Offset, e.Err)
}

// Unwrap returns what is wrong, for errors.Is and errors.As.
func (e *FormatError) Unwrap() error { return e.Err }

// within prefixes the field of a FormatError with its context (only on the error path).
func within(err error, context string) error {
	if fe, ok := err.(*FormatError); ok {
		fe.Field = context + " " + fe.Field
	}
	return err
}

const (
	maxNesting = 16 // arrays of arrays deeper than this are refused
	maxDims    = 4  // GGML_MAX_DIMS

	// maxReserve caps the entries a count read from the file reserves up front. A count is
	// only checked to fit in the rest of the file, which in a model file is gigabytes of
	// tensor data; past this, slices and maps grow as entries are actually read.
	maxReserve = 1 << 10
)

// decoder is a bounds-checked little-endian cursor over the whole file.
type decoder struct {
	file string
	b    []byte
	off  int
	wide bool // counts and lengths are u64 (v2, v3) rather than u32 (v1)
}

func (d *decoder) errorf(at int, field, format string, args ...any) error {
	return &FormatError{File: d.file, Field: field, Offset: int64(at), Err: fmt.Errorf(format, args...)}
}

func (d *decoder) remaining() int { return len(d.b) - d.off }

func (d *decoder) take(n int, field string) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, d.errorf(d.off, field, "needs %d bytes but only %d remain in the %d-byte file", n, d.remaining(), len(d.b))
	}
	p := d.b[d.off : d.off+n : d.off+n]
	d.off += n
	return p, nil
}

func (d *decoder) u32(field string) (uint32, error) {
	p, err := d.take(4, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(p), nil
}

func (d *decoder) u64(field string) (uint64, error) {
	p, err := d.take(8, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(p), nil
}

// lenSize is the encoded size of a count or length: 4 in v1, 8 later.
func (d *decoder) lenSize() int {
	if d.wide {
		return 8
	}
	return 4
}

// count reads a count or length (u32 in v1, u64 later) of items that take at least
// minSize (>= 1) bytes each, and checks that they can fit in the rest of the file.
func (d *decoder) count(field string, minSize int) (int, error) {
	at := d.off
	var n uint64
	if d.wide {
		v, err := d.u64(field)
		if err != nil {
			return 0, err
		}
		n = v
	} else {
		v, err := d.u32(field)
		if err != nil {
			return 0, err
		}
		n = uint64(v)
	}
	if n > uint64(d.remaining()/minSize) {
		return 0, d.errorf(at, field, "%d items of at least %d bytes each do not fit in the %d bytes left", n, minSize, d.remaining())
	}
	return int(n), nil
}

func (d *decoder) str(field string) (string, error) {
	n, err := d.count(field+" length", 1)
	if err != nil {
		return "", err
	}
	p, err := d.take(n, field)
	if err != nil {
		return "", err
	}
	return string(p), nil
}

// parse decodes the header, metadata and tensor infos of a whole GGUF file and checks
// every tensor's data range. It allocates in proportion to what it has read, whatever the
// counts in the file claim.
func parse(name string, data []byte) (*File, error) {
	d := &decoder{file: name, b: data}
	magic, err := d.take(4, "magic")
	if err != nil {
		return nil, err
	}
	if string(magic) != "GGUF" {
		return nil, d.errorf(0, "magic", "got %q, want \"GGUF\" (not a GGUF file)", magic)
	}
	version, err := d.u32("version")
	if err != nil {
		return nil, err
	}
	switch version {
	case 1:
	case 2, 3:
		d.wide = true
	default:
		if bits.ReverseBytes32(version) <= 3 {
			return nil, d.errorf(4, "version", "unsupported version %d (a big-endian file? only little-endian is supported)", version)
		}
		return nil, d.errorf(4, "version", "unsupported version %d (want 1, 2 or 3)", version)
	}
	w := d.lenSize()
	minTensorInfo := w + 4 + 4 + 8 // name length, n_dims, type, offset
	nTensors, err := d.count("tensor count", minTensorInfo)
	if err != nil {
		return nil, err
	}
	nKV, err := d.count("metadata count", w+4+1) // key length, value type, smallest value
	if err != nil {
		return nil, err
	}

	f := &File{
		Version:   version,
		Alignment: defaultAlignment,
		name:      name,
		data:      data,
		keys:      make(map[string]int, min(nKV, maxReserve)),
	}
	f.Metadata = make([]KeyValue, 0, min(nKV, maxReserve))
	alignAt := 0 // offset of the general.alignment entry, for errors
	for i := range nKV {
		at := d.off
		key, err := d.str("key")
		if err != nil {
			return nil, within(err, fmt.Sprintf("metadata %d", i))
		}
		ctx := fmt.Sprintf("metadata %d (%q)", i, key)
		if key == "" {
			return nil, d.errorf(at, ctx, "empty key")
		}
		if j, dup := f.keys[key]; dup {
			return nil, d.errorf(at, ctx, "duplicate key (also metadata %d)", j)
		}
		v, err := d.value(0)
		if err != nil {
			return nil, within(err, ctx)
		}
		if key == KeyAlignment {
			alignAt = at
		}
		f.keys[key] = len(f.Metadata)
		f.Metadata = append(f.Metadata, KeyValue{Key: key, Value: v})
	}
	if v, ok := f.Lookup(KeyAlignment); ok {
		a, ok := v.AsUint()
		if !ok || a == 0 || a&(a-1) != 0 || a > 1<<30 {
			return nil, d.errorf(alignAt, "metadata "+KeyAlignment, "alignment %s is not a power of two in [1, 2^30]", v)
		}
		f.Alignment = int64(a)
	}

	if nTensors > d.remaining()/minTensorInfo {
		return nil, d.errorf(d.off, "tensor count", "%d tensor infos of at least %d bytes each do not fit in the %d bytes left", nTensors, minTensorInfo, d.remaining())
	}
	f.Tensors = make([]TensorInfo, 0, min(nTensors, maxReserve))
	f.tensors = make(map[string]int, min(nTensors, maxReserve))
	for i := range nTensors {
		var t TensorInfo
		at := d.off
		if err := d.tensorInfo(&t, f.Alignment); err != nil {
			return nil, within(err, fmt.Sprintf("tensor %d (%q)", i, t.Name))
		}
		if t.Name == "" {
			return nil, d.errorf(at, fmt.Sprintf("tensor %d name", i), "empty tensor name")
		}
		if j, dup := f.tensors[t.Name]; dup {
			return nil, d.errorf(at, fmt.Sprintf("tensor %d (%q) name", i, t.Name), "duplicate tensor name (also tensor %d)", j)
		}
		f.tensors[t.Name] = i
		f.Tensors = append(f.Tensors, t)
	}

	f.DataOffset = int64(d.off)
	if nTensors > 0 {
		f.DataOffset = alignUp(int64(d.off), f.Alignment)
		if f.DataOffset > int64(len(data)) {
			return nil, d.errorf(d.off, "data section", "starts at offset %d, past the end of the %d-byte file", f.DataOffset, len(data))
		}
	}
	if err := f.checkRanges(); err != nil {
		return nil, err
	}
	return f, nil
}

// value reads a value type and a value of that type.
func (d *decoder) value(depth int) (Value, error) {
	at := d.off
	t, err := d.u32("value type")
	if err != nil {
		return Value{}, err
	}
	switch ValueType(t) {
	case ValueArray:
		return d.array(depth + 1)
	case ValueString:
		s, err := d.str("string value")
		return Value{ValueString, s}, err
	}
	if ValueType(t).fixedSize() == 0 {
		return Value{}, d.errorf(at, "value type", "unknown value type %d", t)
	}
	return d.scalar(ValueType(t))
}

func (d *decoder) scalar(t ValueType) (Value, error) {
	p, err := d.take(t.fixedSize(), t.String()+" value")
	if err != nil {
		return Value{}, err
	}
	le := binary.LittleEndian
	var x any
	switch t {
	case ValueUint8:
		x = p[0]
	case ValueInt8:
		x = int8(p[0])
	case ValueBool:
		x = p[0] != 0
	case ValueUint16:
		x = le.Uint16(p)
	case ValueInt16:
		x = int16(le.Uint16(p))
	case ValueUint32:
		x = le.Uint32(p)
	case ValueInt32:
		x = int32(le.Uint32(p))
	case ValueFloat32:
		x = math.Float32frombits(le.Uint32(p))
	case ValueUint64:
		x = le.Uint64(p)
	case ValueInt64:
		x = int64(le.Uint64(p))
	case ValueFloat64:
		x = math.Float64frombits(le.Uint64(p))
	}
	return Value{t, x}, nil
}

// array reads an array's element type, length and elements.
func (d *decoder) array(depth int) (Value, error) {
	if depth > maxNesting {
		return Value{}, d.errorf(d.off, "array", "arrays nested deeper than %d", maxNesting)
	}
	at := d.off
	et32, err := d.u32("array element type")
	if err != nil {
		return Value{}, err
	}
	et := ValueType(et32)
	minSize := et.fixedSize()
	switch et {
	case ValueString:
		minSize = d.lenSize()
	case ValueArray:
		minSize = 4 + d.lenSize()
	}
	if minSize == 0 {
		return Value{}, d.errorf(at, "array element type", "unknown value type %d", et32)
	}
	n, err := d.count("array length", minSize)
	if err != nil {
		return Value{}, err
	}
	switch et {
	case ValueString:
		s := make([]string, 0, min(n, maxReserve))
		for i := range n {
			x, err := d.str("string")
			if err != nil {
				return Value{}, within(err, fmt.Sprintf("array element %d", i))
			}
			s = append(s, x)
		}
		return Value{ValueArray, s}, nil
	case ValueArray:
		s := make([]Value, 0, min(n, maxReserve))
		for i := range n {
			x, err := d.array(depth + 1)
			if err != nil {
				return Value{}, within(err, fmt.Sprintf("array element %d", i))
			}
			s = append(s, x)
		}
		return Value{ValueArray, s}, nil
	}
	p, err := d.take(n*minSize, "array of "+et.String())
	if err != nil {
		return Value{}, err
	}
	return Value{ValueArray, decodeNumbers(et, p)}, nil
}

// decodeNumbers converts the little-endian fixed-size values of type et in p.
func decodeNumbers(et ValueType, p []byte) any {
	le := binary.LittleEndian
	switch et {
	case ValueUint8:
		return append([]uint8{}, p...)
	case ValueInt8:
		return decodeEach(p, 1, func(b []byte) int8 { return int8(b[0]) })
	case ValueBool:
		return decodeEach(p, 1, func(b []byte) bool { return b[0] != 0 })
	case ValueUint16:
		return decodeEach(p, 2, le.Uint16)
	case ValueInt16:
		return decodeEach(p, 2, func(b []byte) int16 { return int16(le.Uint16(b)) })
	case ValueUint32:
		return decodeEach(p, 4, le.Uint32)
	case ValueInt32:
		return decodeEach(p, 4, func(b []byte) int32 { return int32(le.Uint32(b)) })
	case ValueFloat32:
		return decodeEach(p, 4, func(b []byte) float32 { return math.Float32frombits(le.Uint32(b)) })
	case ValueUint64:
		return decodeEach(p, 8, le.Uint64)
	case ValueInt64:
		return decodeEach(p, 8, func(b []byte) int64 { return int64(le.Uint64(b)) })
	case ValueFloat64:
		return decodeEach(p, 8, func(b []byte) float64 { return math.Float64frombits(le.Uint64(b)) })
	}
	return nil
}

// decodeEach decodes the len(p)/size values of size bytes each in p with one.
func decodeEach[T any](p []byte, size int, one func([]byte) T) []T {
	s := make([]T, len(p)/size)
	for i := range s {
		s[i] = one(p[i*size : (i+1)*size])
	}
	return s
}

// tensorInfo reads one tensor info: name, dims, type and offset, and computes its size.
// The size is -1 when the type is unknown.
func (d *decoder) tensorInfo(t *TensorInfo, alignment int64) error {
	var err error
	if t.Name, err = d.str("name"); err != nil {
		return err
	}
	at := d.off
	nDims, err := d.u32("dimension count")
	if err != nil {
		return err
	}
	if nDims > maxDims {
		return d.errorf(at, "dimension count", "%d dimensions, at most %d allowed", nDims, maxDims)
	}
	t.Shape = make([]int64, nDims)
	dimsAt := d.off
	elems := uint64(1)
	overflow, zero := false, false
	for j := range t.Shape {
		at := d.off
		var v uint64
		if d.wide {
			v, err = d.u64("dims")
		} else {
			var v32 uint32
			v32, err = d.u32("dims")
			v = uint64(v32)
		}
		if err != nil {
			return err
		}
		if v > math.MaxInt64 {
			return d.errorf(at, "dims", "dimension %d is %d, more than 2^63-1", j, v)
		}
		t.Shape[j] = int64(v)
		zero = zero || v == 0
		hi, lo := bits.Mul64(elems, v)
		overflow = overflow || hi != 0 || lo > math.MaxInt64
		elems = lo
	}
	if zero {
		elems = 0
	} else if overflow {
		return d.errorf(dimsAt, "dims", "shape %v has more than 2^63-1 elements", t.Shape)
	}
	at = d.off
	typ, err := d.u32("type")
	if err != nil {
		return err
	}
	t.Type = Type(typ)
	t.Size = -1
	if t.Type.Known() {
		row := int64(1)
		if len(t.Shape) > 0 {
			row = t.Shape[0]
		}
		if row%t.Type.BlockSize() != 0 {
			return d.errorf(at, "type", "rows of %d elements are not a multiple of the %s block size %d", row, t.Type, t.Type.BlockSize())
		}
		if t.Size, err = t.Type.RowBytes(int64(elems)); err != nil {
			return d.errorf(at, "type", "%v", err)
		}
	}
	at = d.off
	off, err := d.u64("offset")
	if err != nil {
		return err
	}
	if off > math.MaxInt64 {
		return d.errorf(at, "offset", "data offset %d is more than 2^63-1", off)
	}
	if int64(off)%alignment != 0 {
		return d.errorf(at, "offset", "data offset %d is not a multiple of the alignment %d", off, alignment)
	}
	t.Offset = int64(off)
	return nil
}

// checkRanges checks that every tensor's data lies inside the file and that no two
// tensors overlap. Tensors of unknown type are only checked to start inside the file.
func (f *File) checkRanges() error {
	dataSize := int64(len(f.data)) - f.DataOffset
	order := make([]int, 0, len(f.Tensors))
	for i := range f.Tensors {
		t := &f.Tensors[i]
		end := t.Offset + t.Size
		if t.Offset > dataSize || t.Size > dataSize-t.Offset {
			if t.Size < 0 {
				end = t.Offset
			}
			return &FormatError{File: f.name, Field: fmt.Sprintf("tensor %d (%q) data", i, t.Name), Offset: f.DataOffset + t.Offset,
				Err: fmt.Errorf("bytes [%d, %d) of the data section run past its end at %d (file size %d)", t.Offset, end, dataSize, len(f.data))}
		}
		if t.Size > 0 {
			order = append(order, i)
		}
	}
	sort.Slice(order, func(a, b int) bool { return f.Tensors[order[a]].Offset < f.Tensors[order[b]].Offset })
	for k := 1; k < len(order); k++ {
		p, q := &f.Tensors[order[k-1]], &f.Tensors[order[k]]
		if p.Offset+p.Size > q.Offset {
			return &FormatError{File: f.name, Field: fmt.Sprintf("tensor %d (%q) data", order[k], q.Name), Offset: f.DataOffset + q.Offset,
				Err: fmt.Errorf("overlaps tensor %d (%q) at data bytes [%d, %d)", order[k-1], p.Name, p.Offset, p.Offset+p.Size)}
		}
	}
	return nil
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }
