package tokenizer

import (
	"slices"
	"testing"
)

// TestMissingByteToken: falcon has no token for byte 0x1e; llama.cpp drops it (checked with
// llama-ref: "\x1e" -> [], "a\x1eb" -> [76 77]).
func TestMissingByteToken(t *testing.T) {
	tok := loadVocab(t, "falcon")
	if got := tok.Encode("\x1e", false, false); len(got) != 0 {
		t.Errorf("Encode(\\x1e) = %v, want []", got)
	}
	if got := tok.Encode("a\x1eb", false, false); !slices.Equal(got, []int32{76, 77}) {
		t.Errorf("Encode(a\\x1eb) = %v, want [76 77]", got)
	}
}
