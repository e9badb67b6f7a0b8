// Package gguf reads and writes GGUF files, the model format of llama.cpp.
//
// Open maps a file read-only (or reads it where mapping fails) and parses its header,
// metadata and tensor table; TensorData then returns zero-copy views of tensor bytes.
// FromBytes parses a file already in memory. Versions 1, 2 and 3 are read; Writer
// writes version 3.
//
// Metadata values are Value: a scalar (u8, i8, u16, i16, u32, i32, u64, i64, f32, f64,
// bool, string) or an array of one element type, arrays of arrays included. The typed
// getters on File (String, Uint, Int, Float, Bool, Strings, Float32s, Int32s) convert
// between compatible types and return errors that name the key; a missing key wraps
// ErrMissing. ArchKey builds architecture-prefixed keys such as "llama.block_count";
// FileTypeName names a general.file_type value as llama.cpp does.
//
// Files are untrusted input: every count, length, dimension, offset and size is checked
// against the file size and for overflow before anything is allocated, and tensor data
// must lie inside the file, aligned, without overlaps. Problems are reported as
// *FormatError, naming the file, the field and its byte offset. Tensor types are listed
// in the full ggml table (Type); a tensor of a type missing from it is still listed, with
// Size -1, and only TensorData refuses it, since its size cannot be computed.
package gguf
