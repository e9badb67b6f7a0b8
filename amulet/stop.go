package amulet

import "bytes"

// stopMatcher finds stop strings in streamed text across token boundaries. It holds back any
// tail of the text that could still be the start of a stop string, so text that belongs to a
// stop string is never emitted. Its buffer is reused: text that passes straight through is
// returned as given, without a copy.
type stopMatcher struct {
	stops   [][]byte
	pending []byte // text held back (a possible start of a stop string)
	stopped bool   // a stop string was found
}

func (m *stopMatcher) stoppedOnString() bool { return m.stopped }

func newStopMatcher(stops []string) *stopMatcher {
	m := &stopMatcher{}
	for _, s := range stops {
		if s != "" {
			m.stops = append(m.stops, []byte(s))
		}
	}
	return m
}

// push adds text and returns what can be emitted now and whether a stop string was found
// (the emitted text then ends just before it, and the rest is dropped).
func (m *stopMatcher) push(text string) (emit string, stopped bool) {
	if len(m.stops) == 0 {
		return text, false
	}
	held := len(m.pending)
	m.pending = append(m.pending, text...)
	buf := m.pending
	cut := -1
	for _, s := range m.stops {
		if i := bytes.Index(buf, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		m.stopped = true
		m.pending = m.pending[:0]
		return string(buf[:cut]), true
	}
	hold := 0
	for _, s := range m.stops {
		for n := min(len(s)-1, len(buf)); n > hold; n-- {
			if bytes.HasSuffix(buf, s[:n]) {
				hold = n
				break
			}
		}
	}
	switch {
	case hold == 0 && held == 0:
		emit = text // nothing was held: the text passes as it came
	case hold < len(buf):
		emit = string(buf[:len(buf)-hold])
	}
	m.pending = append(m.pending[:0], buf[len(buf)-hold:]...)
	return emit, false
}

// flush returns the held-back text at the end of generation.
func (m *stopMatcher) flush() string {
	s := string(m.pending)
	m.pending = m.pending[:0]
	return s
}
