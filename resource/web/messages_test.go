package web

import (
	"strings"
	"testing"
	"time"
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

func TestMessageTimeInEachLanguage(t *testing.T) {
	at := time.Date(2026, 5, 1, 11, 30, 0, 0, time.UTC) // 19:30 in Shanghai, a Friday
	if got := stamp(at, "en"); got != "Fri 1 May 2026 19:30" {
		t.Errorf("English: %q", got)
	}
	if got := stamp(at, "zh-Hans"); got != "2026年5月1日 周五 19:30" {
		t.Errorf("Chinese: %q", got)
	}
}
