package amulet

import (
	"strings"
	"testing"
)

func TestStopMatcher(t *testing.T) {
	for _, c := range []struct {
		stops   []string
		pieces  []string
		emitted string
		stopped bool
	}{
		{nil, []string{"a", "b"}, "ab", false},
		{[]string{"END"}, []string{"hello E", "N", "D more"}, "hello ", true},
		{[]string{"END"}, []string{"hello E", "N", "x"}, "hello ENx", false},
		{[]string{"\n\n", "User:"}, []string{"one\n", "two Us", "er: x"}, "one\ntwo ", true},
		{[]string{"ab", "b"}, []string{"xa", "b"}, "x", true}, // the earliest match wins
		{[]string{"aaa"}, []string{"aa", "aa"}, "", true},
	} {
		m := newStopMatcher(c.stops)
		got, stopped := "", false
		for _, p := range c.pieces {
			e, s := m.push(p)
			got += e
			if s {
				stopped = true
				break
			}
		}
		if !stopped {
			got += m.flush()
		}
		if got != c.emitted || stopped != c.stopped {
			t.Errorf("stops %q pieces %q: got %q stopped=%v, want %q stopped=%v", c.stops, c.pieces, got, stopped, c.emitted, c.stopped)
		}
	}
	// Text that might start a stop string is held back until resolved.
	m := newStopMatcher([]string{"STOP"})
	if e, _ := m.push("abc ST"); e != "abc " {
		t.Fatalf("emitted %q before the stop string was resolved", e)
	}
}

// Whatever the split into pieces, the emitted text is the text before the first stop string
// (all of it when there is none), and nothing after a stop string is emitted.
func FuzzStopMatcher(f *testing.F) {
	f.Add("hello END world", "END", "x\n", uint8(3))
	f.Add("aaab", "aab", "b", uint8(1))
	f.Add("no stop here", "zzz", "", uint8(2))
	f.Add("é日本語 stop", "本語", " s", uint8(1))
	f.Fuzz(func(t *testing.T, text, stop1, stop2 string, step uint8) {
		n := int(step%7) + 1
		m := newStopMatcher([]string{stop1, stop2})
		got, stopped := "", false
		for i := 0; i < len(text) && !stopped; i += n {
			var e string
			e, stopped = m.push(text[i:min(i+n, len(text))])
			got += e
		}
		if !stopped {
			got += m.flush()
		}
		// The output is a prefix of the text with no stop string in it; when the matcher
		// stopped, a stop string follows the output in the text; when it did not, the text has
		// none and all of it came out.
		stops := []string{}
		for _, s := range []string{stop1, stop2} {
			if s != "" {
				stops = append(stops, s)
			}
		}
		if !strings.HasPrefix(text, got) {
			t.Fatalf("output %q is not a prefix of %q", got, text)
		}
		follows := false
		for _, s := range stops {
			if strings.Contains(got, s) {
				t.Fatalf("output %q contains stop string %q", got, s)
			}
			if strings.HasPrefix(text[len(got):], s) {
				follows = true
			}
			if !stopped && strings.Contains(text, s) {
				t.Fatalf("text %q contains stop %q but the matcher did not stop (output %q)", text, s, got)
			}
		}
		if stopped && !follows {
			t.Fatalf("stopped after %q but no stop string follows in %q", got, text)
		}
		if !stopped && got != text {
			t.Fatalf("not stopped, output %q, text %q", got, text)
		}
	})
}
