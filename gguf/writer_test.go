package gguf

import (
	"bytes"
	"encoding/binary"
	"math"
	"path/filepath"
	"testing"
)

// allValues returns one metadata value of every type, arrays of every element type,
// and nested arrays.
func allValues(t *testing.T) []KeyValue {
	t.Helper()
	nested, err := ArrayOf(Of([]string{"a", "bc"}), Of([]string{}), Of([]string{"", "日本"}))
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := ArrayOf(Of([]uint8{1, 2}), Of([]float64{math.Pi}), Of([]bool{true, false}))
	if err != nil {
		t.Fatal(err)
	}
	deep, err := ArrayOf(nested, mixed)
	if err != nil {
		t.Fatal(err)
	}
	empty, err := ArrayOf()
	if err != nil {
		t.Fatal(err)
	}
	return []KeyValue{
		{"u8", Of(uint8(255))}, {"i8", Of(int8(-128))}, {"u16", Of(uint16(65535))}, {"i16", Of(int16(-32768))},
		{"u32", Of(uint32(math.MaxUint32))}, {"i32", Of(int32(math.MinInt32))}, {"f32", Of(float32(-1.5e-7))},
		{"f32nan", Of(math.Float32frombits(0x7fc00001))}, {"bool.true", Of(true)}, {"bool.false", Of(false)},
		{"string", Of("héllo\x00world")}, {"string.empty", Of("")}, {"u64", Of(uint64(math.MaxUint64))},
		{"i64", Of(int64(math.MinInt64))}, {"f64", Of(math.Inf(-1))},
		{"a.u8", Of([]uint8{0, 1, 255})}, {"a.i8", Of([]int8{-1, 2})}, {"a.u16", Of([]uint16{7})},
		{"a.i16", Of([]int16{-7, 8})}, {"a.u32", Of([]uint32{1 << 31})}, {"a.i32", Of([]int32{-5, 6, 7})},
		{"a.f32", Of([]float32{0.25, -0})}, {"a.bool", Of([]bool{true, false, true})},
		{"a.string", Of([]string{"x", "", "▁the"})}, {"a.u64", Of([]uint64{1 << 63})},
		{"a.i64", Of([]int64{-1 << 40})}, {"a.f64", Of([]float64{1e300})}, {"a.empty", Of([]int32{})},
		{"a.nested", nested}, {"a.mixed", mixed}, {"a.deep", deep}, {"a.emptyarrays", empty},
	}
}

func TestWriterRoundTrip(t *testing.T) {
	for _, align := range []uint32{0, 1, 64} {
		w := NewWriter()
		kvs := allValues(t)
		if align != 0 {
			kvs = append([]KeyValue{{KeyAlignment, Of(align)}}, kvs...)
		}
		for _, kv := range kvs {
			w.Add(kv.Key, kv.Value)
		}
		tensors := []struct {
			name  string
			typ   Type
			shape []int64
			data  []byte
		}{
			{"f32", TypeF32, []int64{3}, seq(12)},
			{"f16.2d", TypeF16, []int64{3, 2}, seq(12)},
			{"q4_0", TypeQ4_0, []int64{64, 1, 1, 2}, seq(4 * 18)},
			{"zero", TypeF32, []int64{0, 5}, nil},
			{"scalar", TypeI8, nil, []byte{42}},
			{"q6_k", TypeQ6_K, []int64{256}, seq(210)},
		}
		for _, tt := range tensors {
			if err := w.AddTensor(tt.name, tt.typ, tt.shape, tt.data); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		n, err := w.WriteTo(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if n != int64(buf.Len()) {
			t.Errorf("WriteTo returned %d, wrote %d", n, buf.Len())
		}
		f, err := FromBytes("roundtrip", buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		wantAlign := int64(32)
		if align != 0 {
			wantAlign = int64(align)
		}
		if f.Version != 3 || f.Alignment != wantAlign || f.DataOffset%wantAlign != 0 {
			t.Errorf("version %d alignment %d data offset %d", f.Version, f.Alignment, f.DataOffset)
		}
		if len(f.Metadata) != len(kvs) {
			t.Fatalf("%d metadata entries, want %d", len(f.Metadata), len(kvs))
		}
		for i, kv := range kvs {
			got := f.Metadata[i]
			if got.Key != kv.Key || !got.Value.Equal(kv.Value) {
				t.Errorf("metadata %d: got %s = %s, want %s = %s", i, got.Key, got.Value, kv.Key, kv.Value)
			}
		}
		if len(f.Tensors) != len(tensors) {
			t.Fatalf("%d tensors", len(f.Tensors))
		}
		for i, tt := range tensors {
			ti := &f.Tensors[i]
			d, err := f.TensorData(ti)
			if err != nil {
				t.Fatal(err)
			}
			if ti.Name != tt.name || ti.Type != tt.typ || !equalShape(ti.Shape, tt.shape) || !bytes.Equal(d, tt.data) || ti.Offset%wantAlign != 0 {
				t.Errorf("tensor %d: got %+v %x, want %+v", i, *ti, d, tt)
			}
		}
		if int64(buf.Len())%wantAlign != 0 {
			t.Errorf("file length %d not padded to %d", buf.Len(), wantAlign)
		}
	}
}

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + 1)
	}
	return b
}

// The encoding of one key is checked byte for byte against the GGUF v3 layout written
// out by hand (gguf.h): key length u64, key, type u32, then the value.
func TestWriterEncodingBytes(t *testing.T) {
	w := NewWriter()
	nested, _ := ArrayOf(Of([]uint16{5}))
	w.Add("k", nested)
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	var want []byte
	want = append(want, "GGUF"...)
	want = le.AppendUint32(want, 3)
	want = le.AppendUint64(want, 0) // tensors
	want = le.AppendUint64(want, 1) // kvs
	want = le.AppendUint64(want, 1)
	want = append(want, 'k')
	want = le.AppendUint32(want, 9) // array
	want = le.AppendUint32(want, 9) // of arrays
	want = le.AppendUint64(want, 1) // one item
	want = le.AppendUint32(want, 2) // of u16
	want = le.AppendUint64(want, 1) // one element
	want = le.AppendUint16(want, 5)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("got  %x\nwant %x", buf.Bytes(), want)
	}
}

func TestWriterErrors(t *testing.T) {
	w := NewWriter()
	if err := w.AddTensor("a", TypeQ4_0, []int64{33}, make([]byte, 18)); err == nil {
		t.Error("row not a multiple of the block size: no error")
	}
	if err := w.AddTensor("a", TypeF32, []int64{2}, make([]byte, 4)); err == nil {
		t.Error("wrong data length: no error")
	}
	if err := w.AddTensor("a", Type(4), []int64{2}, make([]byte, 4)); err == nil {
		t.Error("unknown type: no error")
	}
	if err := w.AddTensor("a", TypeF32, []int64{1, 1, 1, 1, 1}, make([]byte, 4)); err == nil {
		t.Error("5 dims: no error")
	}
	if err := w.AddTensor("a", TypeF32, []int64{1 << 40, 1 << 40}, nil); err == nil {
		t.Error("overflowing shape: no error")
	}
	if err := w.AddTensor("a", TypeF32, []int64{1}, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("a", TypeF32, []int64{1}, make([]byte, 4)); err == nil {
		t.Error("duplicate name: no error")
	}
	w.Add("bad", Value{})
	if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("zero Value: no error")
	}
	w.AddUint32("bad", 1)
	w.AddUint32(KeyAlignment, 48)
	if _, err := w.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("alignment 48: no error")
	}
	empty := NewWriter()
	empty.AddString("", "x")
	if _, err := empty.WriteTo(&bytes.Buffer{}); err == nil {
		t.Error("empty key: no error (Open refuses such a file)")
	}
	if _, err := ArrayOf(Of(1.0)); err == nil {
		t.Error("ArrayOf a scalar: no error")
	}
}

// convertToV3 rewrites f with our Writer.
func convertToV3(t *testing.T, f *File) []byte {
	t.Helper()
	w := NewWriter()
	for _, kv := range f.Metadata {
		w.Add(kv.Key, kv.Value)
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		d, err := f.TensorData(ti)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, d); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Converting the v1 stories260K file with our Writer gives the same content, and the
// very same bytes as the independent Python converter's output (stories260k-f32.gguf).
func TestConvertV1ToV3(t *testing.T) {
	dir := sharedModels(t)
	v1, err := Open(filepath.Join(dir, "stories260k-f32-v1.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer v1.Close()
	out := convertToV3(t, v1)
	v3, err := FromBytes("converted", out)
	if err != nil {
		t.Fatal(err)
	}
	if v3.Version != 3 {
		t.Errorf("version %d", v3.Version)
	}
	assertSameContent(t, v1, v3)
	ref := readFile(t, filepath.Join(dir, "stories260k-f32.gguf"))
	if !bytes.Equal(out, ref) {
		t.Errorf("converted file (%d bytes) differs from gguf_v1_to_v3.py's output (%d bytes)", len(out), len(ref))
	}
}

// Every shared model survives read, write, read unchanged.
func TestRewriteSharedModels(t *testing.T) {
	for _, path := range modelFiles(t) {
		f, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		g, err := FromBytes("rewritten "+filepath.Base(path), convertToV3(t, f))
		if err != nil {
			t.Fatal(err)
		}
		assertSameContent(t, f, g)
		f.Close()
	}
}
