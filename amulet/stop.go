package amulet

import "strings"

// stopMatcher finds stop strings in streamed text across token boundaries. It holds back any
// tail of the text that could still be the start of a stop string, so text that belongs to a
// stop string is never emitted.
type stopMatcher struct {
	stops   []string
	pending strings.Builder
	stopped bool // a stop string was found
}

func (m *stopMatcher) stoppedOnString() bool { return m.stopped }

func newStopMatcher(stops []string) *stopMatcher {
	m := &stopMatcher{}
	for _, s := range stops {
		if s != "" {
			m.stops = append(m.stops, s)
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
	m.pending.WriteString(text)
	buf := m.pending.String()
	cut := -1
	for _, s := range m.stops {
		if i := strings.Index(buf, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		m.stopped = true
		m.pending.Reset()
		return buf[:cut], true
	}
	hold := 0
	for _, s := range m.stops {
		for n := min(len(s)-1, len(buf)); n > hold; n-- {
			if strings.HasSuffix(buf, s[:n]) {
				hold = n
				break
			}
		}
	}
	if hold == 0 {
		m.pending.Reset()
		return buf, false
	}
	emit, rest := buf[:len(buf)-hold], buf[len(buf)-hold:]
	m.pending.Reset()
	m.pending.WriteString(rest)
	return emit, false
}

// flush returns the held-back text at the end of generation.
func (m *stopMatcher) flush() string {
	s := m.pending.String()
	m.pending.Reset()
	return s
}
