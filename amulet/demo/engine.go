package demo

import (
	_ "embed"

	"github.com/amulet-llm/amulet/amulet"
	"github.com/amulet-llm/amulet/gguf"
)

// modelFile is the trained demo model (Q8_0), produced by train/train.py and cmd/demogguf.
//
//go:embed demo-q8_0.gguf
var modelFile []byte

// ModelName is the general.name of the demo model's GGUF file.
const ModelName = "amulet-demo"

// Model returns the embedded demo model's GGUF bytes (read-only: do not modify).
func Model() []byte { return modelFile }

// File parses the embedded demo model.
func File() (*gguf.File, error) { return gguf.FromBytes("demo-q8_0.gguf (embedded)", modelFile) }

// Open returns an engine over the embedded demo model.
func Open(opts amulet.Options) (*amulet.Engine, error) {
	f, err := File()
	if err != nil {
		return nil, err
	}
	e, err := amulet.New(f, opts)
	if err != nil {
		f.Close()
		return nil, err
	}
	return e, nil
}

// IsDemo reports whether a GGUF file is a demo model (general.name "amulet-demo"), for which
// the exact style classifier applies.
func IsDemo(f *gguf.File) bool {
	name, err := f.String("general.name")
	return err == nil && name == ModelName
}
