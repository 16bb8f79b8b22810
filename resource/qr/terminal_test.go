package qr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestTerminal(t *testing.T) {
	out := Terminal(circleURL)
	if !strings.HasSuffix(out, "\n") {
		t.Fatalf("output does not end in a newline")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	width := utf8.RuneCountInString(lines[0])
	if (width-2*specTerminalQuiet-21)%4 != 0 {
		t.Fatalf("line width %d minus quiet zone is not a QR width", width)
	}
	if want := (width + 1) / 2; len(lines) != want {
		t.Errorf("%d lines, want %d (two module rows per line)", len(lines), want)
	}
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n != width {
			t.Errorf("line %d has %d runes, want %d", i, n, width)
		}
		if strings.Trim(line, "▀▄█ ") != "" {
			t.Errorf("line %d has runes other than half blocks and space: %q", i, line)
		}
		// The quiet zone is light, so drawn as blocks; this also keeps trailing spaces away.
		if !strings.HasPrefix(line, "██") || !strings.HasSuffix(line, "██") {
			t.Errorf("line %d lacks the 2-module quiet zone on its sides: %q", i, line)
		}
	}
	if lines[0] != strings.Repeat("█", width) {
		t.Errorf("first line %q is not all quiet zone", lines[0])
	}
	img := bitmap(width, 2*len(lines), 4, terminalDark(lines))
	if got := decode(t, img).GetText(); got != circleURL {
		t.Errorf("decoded %q, want %q", got, circleURL)
	}
}

// terminalDark reads the text back as modules: each rune is a top and a bottom module, and a
// drawn half is a light module (the output is inverted for dark terminals).
func terminalDark(lines []string) func(x, y int) bool {
	grid := make([][]rune, len(lines))
	for i, line := range lines {
		grid[i] = []rune(line)
	}
	return func(x, y int) bool {
		r := grid[y/2][x]
		if y%2 == 0 {
			return r != '▀' && r != '█'
		}
		return r != '▄' && r != '█'
	}
}
