package qr

import (
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

type svgDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Rects   []struct {
		Width  string `xml:"width,attr"`
		Height string `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Paths []struct {
		D    string `xml:"d,attr"`
		Fill string `xml:"fill,attr"`
	} `xml:"path"`
}

func TestSVG(t *testing.T) {
	for _, content := range []string{circleURL, longURL} {
		t.Run(fmt.Sprintf("%d chars", len(content)), func(t *testing.T) {
			data, err := SVG(content)
			if err != nil {
				t.Fatalf("SVG: %v", err)
			}
			var doc svgDoc
			if err := xml.Unmarshal(data, &doc); err != nil {
				t.Fatalf("not XML: %v\n%s", err, data)
			}
			n := checkSVGFrame(t, doc)
			dark := svgModules(t, doc.Paths[0].D, n)
			img := bitmap(n, n, 4, func(x, y int) bool { return dark[[2]int{x, y}] })
			if got := decode(t, img).GetText(); got != content {
				t.Errorf("decoded %q, want %q", got, content)
			}
		})
	}
}

// checkSVGFrame checks the viewBox, the white background and the single black path, and
// returns the side of the viewBox in modules.
func checkSVGFrame(t *testing.T, doc svgDoc) int {
	t.Helper()
	var n, n2 int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n2); err != nil || n != n2 {
		t.Fatalf("viewBox %q, want \"0 0 N N\"", doc.ViewBox)
	}
	if (n-2*specQuiet-21)%4 != 0 {
		t.Fatalf("viewBox side %d minus quiet zone is not a QR width", n)
	}
	side := fmt.Sprint(n)
	if len(doc.Rects) != 1 || doc.Rects[0].Fill != "#fff" || doc.Rects[0].Width != side || doc.Rects[0].Height != side {
		t.Fatalf("background %+v, want one white %s×%s rect", doc.Rects, side, side)
	}
	if len(doc.Paths) != 1 || doc.Paths[0].Fill != "#000" {
		t.Fatalf("paths %+v, want exactly one black path", doc.Paths)
	}
	return n
}

// svgModules reads the path's one-module-high rectangles back into dark module positions,
// failing on any that falls in the quiet zone.
func svgModules(t *testing.T, d string, n int) map[[2]int]bool {
	t.Helper()
	dark := map[[2]int]bool{}
	for _, cmd := range strings.Split(strings.TrimSuffix(d, "z"), "z") {
		var x, y, w, back int
		if _, err := fmt.Sscanf(cmd, "M%d %dh%dv1h-%d", &x, &y, &w, &back); err != nil || w != back || w < 1 {
			t.Fatalf("path command %q is not a module run", cmd)
		}
		if x < specQuiet || y < specQuiet || x+w > n-specQuiet || y >= n-specQuiet {
			t.Fatalf("run %q reaches into the quiet zone of %d", cmd, specQuiet)
		}
		for i := range w {
			dark[[2]int{x + i, y}] = true
		}
	}
	return dark
}
