package qr

import "strings"

// terminalQuiet is smaller than the printed quiet zone because terminal cells are large and
// the terminal's own background already frames the code.
const terminalQuiet = 2

// halfBlocks is indexed by (top light)<<1 | (bottom light).
var halfBlocks = [4]rune{' ', '▄', '▀', '█'}

// Terminal draws content with Unicode half blocks, two module rows per line, with a quiet
// zone of 2 modules, each line ending in "\n". It returns "" when content cannot be encoded
// (empty or too long); use PNG or SVG to learn why.
//
// Blocks are drawn for the LIGHT modules. Most terminals draw text light on a dark
// background, so a block shows as light and a space as dark: the code then appears dark on
// light, as scanners expect, and the quiet zone (all blocks) stands out from the dark screen.
// Drawing dark modules as blocks would show an inverted code there, which many phone
// scanners do not read.
func Terminal(content string) string {
	m, err := encode(content)
	if err != nil {
		return ""
	}
	n := m.size + 2*terminalQuiet
	var b strings.Builder
	// An odd last row pairs with a light row below it, a half line more of quiet zone.
	for y := 0; y < n; y += 2 {
		for x := range n {
			b.WriteRune(halfBlocks[light(m, x, y)<<1|light(m, x, y+1)])
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func light(m matrix, x, y int) int {
	if m.darkAt(x, y, terminalQuiet) {
		return 0
	}
	return 1
}
