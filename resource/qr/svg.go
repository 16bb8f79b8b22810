package qr

import (
	"bytes"
	"fmt"
)

// SVG draws content as a scalable SVG: a white square and one black path, in a viewBox one
// unit per module, with a quiet zone of 4 modules. It has no width or height, so it fills
// whatever box the page or the poster gives it.
func SVG(content string) ([]byte, error) {
	m, err := encode(content)
	if err != nil {
		return nil, err
	}
	n := m.size + 2*printQuiet
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/>`, n, n)
	b.WriteString(`<path fill="#000" d="`)
	for y := range m.size {
		writeRow(&b, m, y)
	}
	b.WriteString(`"/></svg>` + "\n")
	return b.Bytes(), nil
}

// writeRow writes the dark modules of row y as rectangles one module high. Adjacent modules
// are merged into one rectangle: the same squares, a third of the bytes, and no hairline
// seams between neighbours when a viewer anti-aliases.
func writeRow(b *bytes.Buffer, m matrix, y int) {
	for x := 0; x < m.size; {
		if !m.darkAt(x, y, 0) {
			x++
			continue
		}
		run := 1
		for x+run < m.size && m.darkAt(x+run, y, 0) {
			run++
		}
		fmt.Fprintf(b, "M%d %dh%dv1h-%dz", x+printQuiet, y+printQuiet, run, run)
		x += run
	}
}
