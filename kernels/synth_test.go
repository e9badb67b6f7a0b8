package kernels

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/amulet-llm/amulet/gguf"
)

// sharedModels returns ../shared/models next to the repository root, or
// skips the test when it is absent.
func sharedModels(t testing.TB) string {
	t.Helper()
	for _, c := range []string{"../../shared/models", "../shared/models"} {
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
	}
	t.Skip("shared test models (../shared/models next to the repository) not found")
	return ""
}

func openGGUF(t testing.TB, path string) *gguf.File {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// synthTypes are the weight types of the synth256 files (llama-quantize --pure).
var synthTypes = []gguf.Type{
	gguf.TypeF16, gguf.TypeBF16, gguf.TypeQ8_0, gguf.TypeQ4_0, gguf.TypeQ4_1, gguf.TypeQ5_0,
	gguf.TypeQ5_1, gguf.TypeQ2_K, gguf.TypeQ3_K, gguf.TypeQ4_K, gguf.TypeQ5_K, gguf.TypeQ6_K,
}

// synthTensors loads every matrix of synth256-<type>.gguf with the F32
// weights of the same tensor from synth256-f32.gguf.
func synthTensors(t *testing.T, typ gguf.Type) (names []string, ref [][]float32, quant [][]byte) {
	dir := sharedModels(t)
	f32 := openGGUF(t, filepath.Join(dir, "synth256-f32.gguf"))
	fq := openGGUF(t, filepath.Join(dir, "synth256-"+strings.ToLower(typ.String())+".gguf"))
	for i := range fq.Tensors {
		ti := &fq.Tensors[i]
		if ti.Type != typ {
			continue
		}
		data, err := fq.TensorData(ti)
		if err != nil {
			t.Fatal(err)
		}
		ri, ok := f32.Tensor(ti.Name)
		if !ok || ri.Type != gguf.TypeF32 {
			t.Fatalf("%s: no F32 tensor in synth256-f32.gguf", ti.Name)
		}
		rdata, err := f32.TensorData(ri)
		if err != nil {
			t.Fatal(err)
		}
		w := make([]float32, ri.Elements())
		if err := Dequantize(w, gguf.TypeF32, rdata); err != nil {
			t.Fatal(err)
		}
		names, ref, quant = append(names, ti.Name), append(ref, w), append(quant, data)
	}
	if len(names) == 0 {
		t.Fatalf("synth256-%s has no %s tensors", strings.ToLower(typ.String()), typ)
	}
	return names, ref, quant
}

// TestQuantizeMatchesLlamaQuantize checks that our reference quantizers
// reproduce llama-quantize's bytes for every synth256 matrix.
func TestQuantizeMatchesLlamaQuantize(t *testing.T) {
	for _, typ := range synthTypes {
		t.Run(typ.String(), func(t *testing.T) {
			names, ref, quant := synthTensors(t, typ)
			f, _ := formatOf(typ)
			for i, name := range names {
				got := make([]byte, len(quant[i]))
				if err := Quantize(got, typ, ref[i]); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, quant[i]) {
					nb, first := 0, -1
					for b := 0; b < len(got)/f.blockBytes; b++ {
						if !bytes.Equal(got[b*f.blockBytes:(b+1)*f.blockBytes], quant[i][b*f.blockBytes:(b+1)*f.blockBytes]) {
							nb++
							if first < 0 {
								first = b
							}
						}
					}
					t.Errorf("%s: %d of %d blocks differ from llama-quantize (first: block %d)\n got %x\nwant %x",
						name, nb, len(got)/f.blockBytes, first,
						got[first*f.blockBytes:(first+1)*f.blockBytes], quant[i][first*f.blockBytes:(first+1)*f.blockBytes])
				}
			}
		})
	}
}

// synthRelRMS bounds the RMS dequantization error relative to the weights'
// RMS for the Gaussian synth256 weights: about 20% above what llama.cpp's
// own quantization of them gives (measured: F16 2.1e-4, BF16 1.7e-3,
// Q8_0 5.4e-3, Q6_K 0.018, Q5_K 0.036, Q5_1 0.038, Q5_0 0.043, Q4_K 0.071,
// Q4_1 0.079, Q4_0 0.086, Q3_K 0.151, Q2_K 0.297). A wrong layout gives
// errors near 1 or more.
var synthRelRMS = map[gguf.Type]float64{
	gguf.TypeF16: 2.5e-4, gguf.TypeBF16: 2e-3, gguf.TypeQ8_0: 6.5e-3,
	gguf.TypeQ6_K: 0.022, gguf.TypeQ5_K: 0.044, gguf.TypeQ5_1: 0.046, gguf.TypeQ5_0: 0.052,
	gguf.TypeQ4_K: 0.086, gguf.TypeQ4_1: 0.095, gguf.TypeQ4_0: 0.104,
	gguf.TypeQ3_K: 0.18, gguf.TypeQ2_K: 0.36,
}

// TestDequantizeLlamaQuantized decodes llama.cpp-quantized synth256 tensors
// and checks them against the F32 originals within the type's error.
func TestDequantizeLlamaQuantized(t *testing.T) {
	for _, typ := range synthTypes {
		t.Run(typ.String(), func(t *testing.T) {
			names, ref, quant := synthTensors(t, typ)
			for i, name := range names {
				got := make([]float32, len(ref[i]))
				if err := Dequantize(got, typ, quant[i]); err != nil {
					t.Fatal(err)
				}
				var se, ss float64
				for j, v := range ref[i] {
					d := float64(got[j]) - float64(v)
					se += d * d
					ss += float64(v) * float64(v)
				}
				rel := math.Sqrt(se / ss)
				t.Logf("%s: relative RMS error %.4g", name, rel)
				if rel > synthRelRMS[typ] || math.IsNaN(rel) {
					t.Errorf("%s: relative RMS error %.4g > %.4g", name, rel, synthRelRMS[typ])
				}
			}
		})
	}
}

// TestQuantizeMatchesStories260K does the same for the stories260K files
// (llama-quantize's default mixtures: F16, Q8_0 and Q4_0 tensors, with the
// fallbacks the tiny shapes force).
func TestQuantizeMatchesStories260K(t *testing.T) {
	dir := sharedModels(t)
	f32 := openGGUF(t, filepath.Join(dir, "stories260k-f32.gguf"))
	for _, name := range []string{"stories260k-f16.gguf", "stories260k-q8_0.gguf", "stories260k-q4_0.gguf"} {
		fq := openGGUF(t, filepath.Join(dir, name))
		checked := 0
		for i := range fq.Tensors {
			ti := &fq.Tensors[i]
			if ti.Type == gguf.TypeF32 {
				continue
			}
			ri, ok := f32.Tensor(ti.Name)
			if !ok {
				t.Fatalf("%s: %s not in the F32 file", name, ti.Name)
			}
			rdata, err := f32.TensorData(ri)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fq.TensorData(ti)
			if err != nil {
				t.Fatal(err)
			}
			src := make([]float32, ri.Elements())
			if err := Dequantize(src, gguf.TypeF32, rdata); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(want))
			if err := Quantize(got, ti.Type, src); err != nil {
				t.Fatalf("%s %s: %v", name, ti.Name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s: %s (%s) differs from llama-quantize", name, ti.Name, ti.Type)
			}
			checked++
		}
		t.Logf("%s: %d tensors byte-identical", name, checked)
	}
}
