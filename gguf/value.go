package gguf

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ValueType is the type of a metadata value, numbered as gguf_type in gguf.h.
type ValueType uint32

// The metadata value types.
const (
	ValueUint8   ValueType = 0
	ValueInt8    ValueType = 1
	ValueUint16  ValueType = 2
	ValueInt16   ValueType = 3
	ValueUint32  ValueType = 4
	ValueInt32   ValueType = 5
	ValueFloat32 ValueType = 6
	ValueBool    ValueType = 7
	ValueString  ValueType = 8
	ValueArray   ValueType = 9
	ValueUint64  ValueType = 10
	ValueInt64   ValueType = 11
	ValueFloat64 ValueType = 12
)

var valueTypeNames = [...]string{"u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"}

// String returns the short name of the type ("u32", "f32", "string", "array", ...)
// or "valuetype(N)" for an unknown number.
func (t ValueType) String() string {
	if int(t) < len(valueTypeNames) {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("valuetype(%d)", uint32(t))
}

// fixedSize is the encoded size of a scalar of type t; 0 for strings, arrays and unknown types.
func (t ValueType) fixedSize() int {
	switch t {
	case ValueUint8, ValueInt8, ValueBool:
		return 1
	case ValueUint16, ValueInt16:
		return 2
	case ValueUint32, ValueInt32, ValueFloat32:
		return 4
	case ValueUint64, ValueInt64, ValueFloat64:
		return 8
	}
	return 0
}

// KeyValue is one metadata entry.
type KeyValue struct {
	Key   string
	Value Value
}

// Value is a metadata value: a scalar, a string, or an array of one element type
// (arrays of arrays included). The zero Value is invalid.
//
// The Go representation, returned by Interface, is one of uint8, int8, uint16, int16,
// uint32, int32, float32, bool, string, uint64, int64, float64 for scalars; a slice of
// one of those for an array; and []Value for an array of arrays.
type Value struct {
	typ ValueType
	x   any
}

// Scalar is the set of Go types that map to a GGUF metadata scalar type.
type Scalar interface {
	uint8 | int8 | uint16 | int16 | uint32 | int32 | float32 | bool | string | uint64 | int64 | float64
}

// Of returns the Value holding x: a scalar, or an array when x is a slice of scalars.
// A slice is used as it is, not copied. For arrays of arrays use ArrayOf.
func Of[T Scalar | []uint8 | []int8 | []uint16 | []int16 | []uint32 | []int32 | []float32 |
	[]bool | []string | []uint64 | []int64 | []float64](x T) Value {
	if _, ok := sliceElemType(x); ok {
		return Value{typ: ValueArray, x: x}
	}
	return Value{typ: scalarType(x), x: x}
}

// ArrayOf returns an array whose elements are the given arrays (a GGUF array of arrays).
// Every item must itself be an array.
func ArrayOf(items ...Value) (Value, error) {
	for i, it := range items {
		if it.typ != ValueArray {
			return Value{}, fmt.Errorf("gguf: ArrayOf: item %d has type %s, want array", i, it.typ)
		}
	}
	if items == nil {
		items = []Value{}
	}
	return Value{typ: ValueArray, x: items}, nil
}

func scalarType(x any) ValueType {
	switch x.(type) {
	case uint8:
		return ValueUint8
	case int8:
		return ValueInt8
	case uint16:
		return ValueUint16
	case int16:
		return ValueInt16
	case uint32:
		return ValueUint32
	case int32:
		return ValueInt32
	case float32:
		return ValueFloat32
	case bool:
		return ValueBool
	case string:
		return ValueString
	case uint64:
		return ValueUint64
	case int64:
		return ValueInt64
	case float64:
		return ValueFloat64
	}
	panic(fmt.Sprintf("gguf: no value type for %T", x)) // unreachable: Of's constraint rules it out
}

// sliceElemType reports the element type of an array representation.
func sliceElemType(x any) (ValueType, bool) {
	switch x.(type) {
	case []uint8:
		return ValueUint8, true
	case []int8:
		return ValueInt8, true
	case []uint16:
		return ValueUint16, true
	case []int16:
		return ValueInt16, true
	case []uint32:
		return ValueUint32, true
	case []int32:
		return ValueInt32, true
	case []float32:
		return ValueFloat32, true
	case []bool:
		return ValueBool, true
	case []string:
		return ValueString, true
	case []uint64:
		return ValueUint64, true
	case []int64:
		return ValueInt64, true
	case []float64:
		return ValueFloat64, true
	case []Value:
		return ValueArray, true
	}
	return 0, false
}

// Type returns the value's type (ValueArray for arrays).
func (v Value) Type() ValueType { return v.typ }

// Valid reports whether v holds a value (the zero Value does not).
func (v Value) Valid() bool { return v.x != nil }

// ElemType returns the element type of an array, and false for other values.
func (v Value) ElemType() (ValueType, bool) {
	if v.typ != ValueArray {
		return 0, false
	}
	return sliceElemType(v.x)
}

// Interface returns the Go representation described on Value. Slices are shared, not
// copied: do not modify them.
func (v Value) Interface() any { return v.x }

// Len returns the number of elements of an array, and 0 for other values.
func (v Value) Len() int {
	switch x := v.x.(type) {
	case []uint8:
		return len(x)
	case []int8:
		return len(x)
	case []uint16:
		return len(x)
	case []int16:
		return len(x)
	case []uint32:
		return len(x)
	case []int32:
		return len(x)
	case []float32:
		return len(x)
	case []bool:
		return len(x)
	case []string:
		return len(x)
	case []uint64:
		return len(x)
	case []int64:
		return len(x)
	case []float64:
		return len(x)
	case []Value:
		return len(x)
	}
	return 0
}

// Index returns element i of an array as a Value. It panics if v is not an array or
// i is out of range, like indexing a slice.
func (v Value) Index(i int) Value {
	switch x := v.x.(type) {
	case []uint8:
		return Value{ValueUint8, x[i]}
	case []int8:
		return Value{ValueInt8, x[i]}
	case []uint16:
		return Value{ValueUint16, x[i]}
	case []int16:
		return Value{ValueInt16, x[i]}
	case []uint32:
		return Value{ValueUint32, x[i]}
	case []int32:
		return Value{ValueInt32, x[i]}
	case []float32:
		return Value{ValueFloat32, x[i]}
	case []bool:
		return Value{ValueBool, x[i]}
	case []string:
		return Value{ValueString, x[i]}
	case []uint64:
		return Value{ValueUint64, x[i]}
	case []int64:
		return Value{ValueInt64, x[i]}
	case []float64:
		return Value{ValueFloat64, x[i]}
	case []Value:
		return x[i]
	}
	panic(fmt.Sprintf("gguf: Index of a %s value", v.typ))
}

// AsUint returns an integer value that is non-negative as a uint64.
func (v Value) AsUint() (uint64, bool) {
	switch x := v.x.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int8, int16, int32, int64:
		i, _ := v.AsInt()
		return uint64(i), i >= 0
	}
	return 0, false
}

// AsInt returns an integer value that fits in an int64.
func (v Value) AsInt() (int64, bool) {
	switch x := v.x.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}

// AsFloat returns a float or integer value as a float64.
func (v Value) AsFloat() (float64, bool) {
	switch x := v.x.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	case uint64:
		return float64(x), true
	}
	if i, ok := v.AsInt(); ok {
		return float64(i), true
	}
	return 0, false
}

// AsBool returns a bool value.
func (v Value) AsBool() (bool, bool) {
	b, ok := v.x.(bool)
	return b, ok
}

// AsString returns a string value.
func (v Value) AsString() (string, bool) {
	s, ok := v.x.(string)
	return s, ok
}

// AsStrings returns a copy of an array of strings.
func (v Value) AsStrings() ([]string, bool) {
	s, ok := v.x.([]string)
	if !ok {
		return nil, false
	}
	return append([]string(nil), s...), true
}

// AsFloat32s returns a copy of an array of f32 values.
func (v Value) AsFloat32s() ([]float32, bool) {
	s, ok := v.x.([]float32)
	if !ok {
		return nil, false
	}
	return append([]float32(nil), s...), true
}

// AsInt32s returns an array of any integer type as int32s, if every element fits.
func (v Value) AsInt32s() ([]int32, bool) {
	if s, ok := v.x.([]int32); ok {
		return append([]int32(nil), s...), true
	}
	et, ok := v.ElemType()
	if !ok || et == ValueArray || et == ValueBool || et == ValueString || et == ValueFloat32 || et == ValueFloat64 {
		return nil, false
	}
	n := v.Len()
	out := make([]int32, n)
	for i := range n {
		x, ok := v.Index(i).AsInt()
		if !ok || x < math.MinInt32 || x > math.MaxInt32 {
			return nil, false
		}
		out[i] = int32(x)
	}
	return out, true
}

// Equal reports whether v and w have the same type and contents. Floats compare by
// bits, so NaNs with the same bits are equal.
func (v Value) Equal(w Value) bool {
	if v.typ != w.typ || v.Len() != w.Len() {
		return false
	}
	if v.typ != ValueArray {
		return scalarEqual(v.x, w.x)
	}
	et, _ := v.ElemType()
	if wt, _ := w.ElemType(); wt != et {
		return false
	}
	for i := range v.Len() {
		if !v.Index(i).Equal(w.Index(i)) {
			return false
		}
	}
	return true
}

func scalarEqual(a, b any) bool {
	switch x := a.(type) {
	case float32:
		y, ok := b.(float32)
		return ok && math.Float32bits(x) == math.Float32bits(y)
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	}
	return a == b
}

// String formats the value for people: strings quoted, arrays as [a, b, ...].
func (v Value) String() string {
	var b strings.Builder
	v.format(&b, -1)
	return b.String()
}

// Summary formats the value like String, but shows at most max elements of each array,
// followed by "... (N items)".
func (v Value) Summary(max int) string {
	var b strings.Builder
	v.format(&b, max)
	return b.String()
}

func (v Value) format(b *strings.Builder, max int) {
	if v.typ != ValueArray {
		switch x := v.x.(type) {
		case string:
			b.WriteString(strconv.Quote(x))
		case float32:
			b.WriteString(strconv.FormatFloat(float64(x), 'g', -1, 32))
		case float64:
			b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
		case nil:
			b.WriteString("<invalid>")
		default:
			fmt.Fprint(b, x)
		}
		return
	}
	n := v.Len()
	shown := n
	if max >= 0 && shown > max {
		shown = max
	}
	b.WriteByte('[')
	for i := range shown {
		if i > 0 {
			b.WriteString(", ")
		}
		v.Index(i).format(b, max)
	}
	if shown < n {
		if shown > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(b, "... (%d items)", n)
	}
	b.WriteByte(']')
}
