package web

import (
	"strings"
	"testing"
)

func TestMessageLineShortened(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Hello", "Hello"},
		{"a\nb\tc  d", "a b c d"},
		{strings.Repeat("a", 10), strings.Repeat("a", 10)},
		{strings.Repeat("a", 11), strings.Repeat("a", 10) + "…"},
		{strings.Repeat("中", 11), strings.Repeat("中", 10) + "…"}, // characters, not bytes
	} {
		if got := shorten(tt.in, 10); got != tt.want {
			t.Errorf("shorten(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
