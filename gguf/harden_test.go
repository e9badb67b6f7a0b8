package gguf

import (
	"encoding/binary"
	"errors"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// raw builds GGUF bytes field by field, valid or not.
type raw struct {
	b  []byte
	v1 bool
}

func (r *raw) u32(v uint32) *raw { r.b = binary.LittleEndian.AppendUint32(r.b, v); return r }
func (r *raw) u64(v uint64) *raw { r.b = binary.LittleEndian.AppendUint64(r.b, v); return r }
func (r *raw) n(v uint64) *raw {
	if r.v1 {
		return r.u32(uint32(v))
	}
	return r.u64(v)
}
func (r *raw) str(s string) *raw    { r.n(uint64(len(s))); r.b = append(r.b, s...); return r }
func (r *raw) bytes(p ...byte) *raw { r.b = append(r.b, p...); return r }
func (r *raw) header(version uint32, tensors, kvs uint64) *raw {
	r.v1 = version == 1
	r.b = append(r.b, "GGUF"...)
	return r.u32(version).n(tensors).n(kvs)
}
func (r *raw) padTo(a int) *raw {
	for len(r.b)%a != 0 {
		r.b = append(r.b, 0)
	}
	return r
}

// tensor appends a tensor info with the given dims.
func (r *raw) tensor(name string, typ Type, off uint64, dims ...uint64) *raw {
	r.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		r.n(d)
	}
	return r.u32(uint32(typ)).u64(off)
}

// smallV1 is a valid GGUF v1 file with one string key, one u32 array and two F32
// tensors; edit, if non-nil, changes the tensor infos.
func smallV1(edit func(r *raw)) []byte {
	r := &raw{}
	r.header(1, 2, 2)
	r.str("general.architecture").u32(uint32(ValueString)).str("llama")
	r.str("a").u32(uint32(ValueArray)).u32(uint32(ValueUint32)).n(2).u32(7).u32(8)
	if edit != nil {
		edit(r)
	} else {
		r.tensor("x", TypeF32, 0, 4, 2)
		r.tensor("y", TypeF32, 32, 3)
	}
	r.padTo(32)
	r.b = append(r.b, seq(32+12)...)
	return r.b
}

func TestSmallV1(t *testing.T) {
	f, err := FromBytes("v1", smallV1(nil))
	if err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || len(f.Tensors) != 2 || f.Architecture() != "llama" {
		t.Fatalf("%+v", f)
	}
	a, err := f.Int32s("a")
	if err != nil || len(a) != 2 || a[0] != 7 || a[1] != 8 {
		t.Errorf("a = %v, %v", a, err)
	}
	y, _ := f.Tensor("y")
	d, err := f.TensorData(y)
	if err != nil || len(d) != 12 || d[0] != seq(33)[32] {
		t.Errorf("y data %x, %v", d, err)
	}
}

// Each bad input gives a *FormatError whose text names the field (and offset).
func TestBadInputs(t *testing.T) {
	v3 := func() *raw { return (&raw{}).header(3, 0, 1) }
	cases := []struct {
		name, want string
		data       []byte
	}{
		{"empty", "magic at offset 0: needs 4 bytes", nil},
		{"wrong magic", `magic at offset 0: got "GGML"`, []byte("GGML\x03\x00\x00\x00")},
		{"no version", "version at offset 4", []byte("GGUF\x03")},
		{"version 4", "version at offset 4: unsupported version 4", []byte("GGUF\x04\x00\x00\x00")},
		{"big-endian", "big-endian", []byte("GGUF\x00\x00\x00\x03")},
		{"huge tensor count", "tensor count at offset 8: 18446744073709551615 items", (&raw{}).header(3, math.MaxUint64, 0).b},
		{"huge kv count", "metadata count at offset 16", (&raw{}).header(3, 0, 1<<40).b},
		{"huge v1 kv count", "metadata count at offset 12", (&raw{}).header(1, 0, math.MaxUint32).b},
		{"huge key length", `metadata 0 key length at offset 24: 18446744073709551615 items`, v3().u64(math.MaxUint64).u64(0).u64(0).b},
		{"empty key", "empty key", v3().str("").u32(0).bytes(0).b},
		{"unknown value type", `metadata 0 ("k") value type at offset 33: unknown value type 13`, v3().str("k").u32(13).bytes(0, 0, 0, 0).b},
		{"truncated u64", `metadata 0 ("k") u64 value at offset 37: needs 8 bytes but only 4 remain`, v3().str("k").u32(uint32(ValueUint64)).u32(0).b},
		{"huge string", `metadata 0 ("k") string value length`, v3().str("k").u32(uint32(ValueString)).u64(1 << 62).b},
		{"huge array", `metadata 0 ("k") array length at offset 41: 4611686018427387904 items of at least 4 bytes`,
			v3().str("k").u32(uint32(ValueArray)).u32(uint32(ValueFloat32)).u64(1 << 62).b},
		{"huge string array", `array length at offset 41: 1000 items of at least 8 bytes`,
			v3().str("k").u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(1000).u64(0).b},
		{"unknown array type", "array element type at offset 37: unknown value type 99", v3().str("k").u32(uint32(ValueArray)).u32(99).u64(0).b},
		{"short array element", `metadata 0 ("k") array element 1 string length`,
			v3().str("k").u32(uint32(ValueArray)).u32(uint32(ValueString)).u64(2).str("ab").u64(100).b},
		{"duplicate key", `metadata 1 ("k") at offset 38: duplicate key (also metadata 0)`,
			(&raw{}).header(3, 0, 2).str("k").u32(uint32(ValueUint8)).bytes(1).str("k").u32(uint32(ValueUint8)).bytes(1).b},
		{"bad alignment", "general.alignment at offset 24: alignment 48 is not a power of two",
			v3().str(KeyAlignment).u32(uint32(ValueUint32)).u32(48).b},
		{"zero alignment", "alignment 0 is not a power of two", v3().str(KeyAlignment).u32(uint32(ValueUint32)).u32(0).b},
		{"5 dims", `tensor 1 ("y") dimension count at offset 112: 5 dimensions, at most 4 allowed`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, 32, 1, 1, 1, 1, 1)
		})},
		{"dims overflow", `tensor 0 ("x") dims at offset 87: shape [4294967295 4294967295 4294967295]`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, math.MaxUint32, math.MaxUint32, math.MaxUint32)
			r.tensor("y", TypeF32, 32, 3)
		})},
		{"dims above int64", `tensor 0 ("x") dims at offset 37: dimension 0 is 9223372036854775808`,
			(&raw{}).header(3, 1, 0).tensor("x", TypeF32, 0, 1<<63).b},
		{"size overflow", `tensor 0 ("x") type at offset 53: 4611686018427387904 elements of type F32: size overflows int64`,
			(&raw{}).header(3, 1, 0).tensor("x", TypeF32, 0, 1<<31, 1<<31).bytes(make([]byte, 64)...).b},
		{"row not whole blocks", `tensor 0 ("x") type at offset 91: rows of 33 elements are not a multiple of the Q4_0 block size 32`, smallV1(func(r *raw) {
			r.tensor("x", TypeQ4_0, 0, 33)
			r.tensor("y", TypeF32, 32, 3)
		})},
		{"misaligned offset", `tensor 1 ("y") offset at offset 124: data offset 36 is not a multiple of the alignment 32`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, 36, 3)
		})},
		{"offset above int64", `tensor 1 ("y") offset at offset 124: data offset 18446744073709551615 is more than 2^63-1`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, math.MaxUint64, 3)
		})},
		{"duplicate tensor", `tensor 1 ("x") name at offset 107: duplicate tensor name (also tensor 0)`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("x", TypeF32, 32, 3)
		})},
		{"empty tensor name", `tensor 1 name at offset 107: empty tensor name`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("", TypeF32, 32, 3)
		})},
		{"overlap", `tensor 1 ("y") data at offset 160: overlaps tensor 0 ("x") at data bytes [0, 32)`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, 0, 3)
		})},
		{"past end", `tensor 1 ("y") data at offset 192: bytes [32, 52) of the data section run past its end at 44`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, 32, 5)
		})},
		{"far past end", `tensor 1 ("y") data at offset 4294967456: bytes [4294967296, 4294967308)`, smallV1(func(r *raw) {
			r.tensor("x", TypeF32, 0, 4, 2)
			r.tensor("y", TypeF32, 1<<32, 3)
		})},
		{"truncated data", `tensor 0 ("x") data at offset 160: bytes [0, 32) of the data section run past its end at 10`, smallV1(nil)[:170]},
		{"data section past end", "data section at offset", (&raw{}).header(3, 1, 0).tensor("x", TypeF32, 0, 0).b},
		{"deep nesting", "arrays nested deeper than 16", nestedArrays(40)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FromBytes("bad.gguf", c.data)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, want a *FormatError", err)
			}
			if !strings.HasPrefix(err.Error(), "gguf: bad.gguf: ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got  %v\nwant it to contain %q", err, c.want)
			}
		})
	}
}

func nestedArrays(depth int) []byte {
	r := (&raw{}).header(3, 0, 1).str("k").u32(uint32(ValueArray))
	for range depth {
		r.u32(uint32(ValueArray)).u64(1)
	}
	return r.u32(uint32(ValueUint8)).u64(0).b
}

// A tensor of an unknown type is listed by number; only TensorData refuses it.
func TestUnknownTensorType(t *testing.T) {
	data := smallV1(func(r *raw) {
		r.tensor("x", TypeF32, 0, 4, 2)
		r.tensor("y", Type(31), 32, 3)
	})
	f, err := FromBytes("unknown.gguf", data)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := f.Tensor("y")
	if y.Type.String() != "type(31)" || y.Size != -1 {
		t.Errorf("y: %+v", *y)
	}
	_, err = f.TensorData(y)
	if err == nil || !strings.Contains(err.Error(), `tensor "y" has unknown type type(31): its size cannot be computed`) {
		t.Errorf("TensorData: %v", err)
	}
	if _, err := f.TensorData(&f.Tensors[0]); err != nil {
		t.Error(err)
	}
}

// Every prefix of a real header and single-bit flips all over it fail cleanly or parse.
func TestTruncationsAndBitFlips(t *testing.T) {
	data := readFile(t, filepath.Join(sharedModels(t), "stories260k-q4_0.gguf"))
	f, err := FromBytes("q4_0", data)
	if err != nil {
		t.Fatal(err)
	}
	hdr := int(f.DataOffset)
	for n := 0; n < len(data); n++ {
		if n > hdr && n%4096 != 0 || n%5 != 0 && n > 64 {
			continue
		}
		if _, err := FromBytes("q4_0", data[:n]); err == nil {
			t.Fatalf("prefix of %d bytes parsed", n)
		}
	}
	mut := append([]byte(nil), data...)
	for i := 0; i < hdr; i += 17 {
		bit := byte(1) << (i % 8)
		mut[i] ^= bit
		g, err := FromBytes("flipped", mut)
		checkParse(t, g, err)
		mut[i] ^= bit
	}
}

// Inputs that claim huge sizes must fail before allocating much.
func TestAllocationBounded(t *testing.T) {
	inputs := [][]byte{
		(&raw{}).header(3, 1<<20, 1<<20).b,
		(&raw{}).header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueArray)).u64(1 << 50).b,
		(&raw{}).header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(ValueUint8)).u64(1 << 40).b,
		(&raw{}).header(1, 1<<30, 0).b,
		nestedArrays(1000),
	}
	for i, in := range inputs {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := FromBytes("big", in)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("input %d parsed", i)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 64<<10 {
			t.Errorf("input %d (%d bytes) allocated %d bytes", i, len(in), got)
		}
	}
}

// A count that fits in a large file (most of a model file is tensor data) reserves no more
// than the entries actually read: a corrupt count in front of 16 MB of bytes that are no valid
// entry (zeros: an empty name; 0xff: a string length or element type out of range) fails at
// the first entry without reserving room for hundreds of thousands.
func TestAllocationFollowsContent(t *testing.T) {
	zeros, ones := make([]byte, 16<<20), make([]byte, 16<<20)
	for i := range ones {
		ones[i] = 0xff
	}
	array := func(et ValueType) []byte {
		return (&raw{}).header(3, 0, 1).str("k").u32(uint32(ValueArray)).u32(uint32(et)).u64(1 << 20).b
	}
	for _, c := range []struct {
		name      string
		hdr, body []byte
	}{
		{"tensor count", (&raw{}).header(3, 1<<19, 0).b, zeros},
		{"metadata count", (&raw{}).header(3, 0, 1<<20).b, zeros},
		{"string array length", array(ValueString), ones},
		{"array of arrays length", array(ValueArray), ones},
	} {
		in := append(append([]byte(nil), c.hdr...), c.body...)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := FromBytes("big", in)
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("%s: parsed", c.name)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
			t.Errorf("%s: allocated %d bytes before failing (%v)", c.name, got, err)
		}
	}
}
