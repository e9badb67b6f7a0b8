package amulet

import "testing"

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
