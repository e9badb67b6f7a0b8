package demo

import "testing"

func TestClassify(t *testing.T) {
	cases := []struct {
		text string
		want Style
		ok   bool // well-formed
	}{
		{"Keep naps short.", Concise, true},
		{"  Keep naps short.\n", Concise, true},
		{"Keep naps short. What time do you usually go to bed?", Question, true},
		{"Keep naps short. Is it?", Question, false},
		{"It's best to go step by step. First, keep naps short. Then, keep naps short. Finally, read a calm book in bed. That's all it takes.", Verbose, true},
		{"It's best to go step by step. First, keep naps short. Finally, read a calm book in bed. That's all it takes.", Verbose, false},
		{"Great question! Keep naps short and you will feel fantastic! You can do it!", Uplifting, true},
		{"Great question! Keep naps short!", Uplifting, false},
		{"One should keep naps short. Furthermore, one should read a calm book in bed.", Formal, true},
		{"One should keep naps short. Furthermore, one should read a calm book in bed. Moreover, one should keep naps short. This approach is generally effective.", Formal, true},
		{"One should keep naps short.", Formal, false},
		{"Here are some tips:\n- Keep naps short.\n- Read a calm book in bed.\n- Keep naps short.", List, true},
		{"Here are some tips:\n- Keep naps short.", List, false},
		{"Here are some tips:\n- Keep naps short!", NoStyle, false},
		{"One should keep naps short?", NoStyle, false},
		{"Keep naps short. Read a calm book in bed.", NoStyle, false},
		{"", NoStyle, false},
		{"Keep naps", NoStyle, false},
		{"Keep naps short. Keep naps short. Keep naps short.", Verbose, false},
	}
	for _, c := range cases {
		if got := Classify(c.text); got != c.want {
			t.Errorf("Classify(%q) = %v, want %v", c.text, got, c.want)
		}
		if got := WellFormed(c.text); got != c.ok {
			t.Errorf("WellFormed(%q) = %v, want %v", c.text, got, c.ok)
		}
	}
}

func TestParseStyle(t *testing.T) {
	for _, s := range Styles() {
		if got, err := ParseStyle(s.String()); err != nil || got != s {
			t.Errorf("ParseStyle(%q) = %v, %v", s.String(), got, err)
		}
	}
	if s, err := ParseStyle("Detailed"); err != nil || s != Verbose {
		t.Errorf("alias detailed: %v %v", s, err)
	}
	if _, err := ParseStyle("creative"); err == nil {
		t.Error("unknown style accepted")
	}
}
