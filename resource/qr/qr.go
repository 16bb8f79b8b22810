// Package qr draws the QR code of a circle URL as a PNG, an SVG, or terminal text, and checks
// that a common phone reader reads it.
package qr

import (
	"errors"
	"fmt"
	"image/color"

	bqr "github.com/boombuler/barcode/qr"
)

var (
	ErrEmpty   = errors.New("qr: empty content")
	ErrTooLong = errors.New("qr: content too long for a QR code")
)

// level Q restores up to about 25% of damaged codewords, so a scuffed poster, a folded badge
// or a sticker over a corner still scans; M (15%) is the floor the design allows.
const level = bqr.Q

// matrix is the module grid of one code, without quiet zone.
type matrix struct {
	size int
	dark []bool // row-major
}

// encode turns content into its module grid.
func encode(content string) (matrix, error) {
	if content == "" {
		return matrix{}, ErrEmpty
	}
	code, err := bqr.Encode(content, level, bqr.Auto)
	if err != nil {
		// The automatic encoder fails only when no version can hold the content.
		return matrix{}, fmt.Errorf("%w: %d bytes: %v", ErrTooLong, len(content), err)
	}
	size := code.Bounds().Dx()
	m := matrix{size: size, dark: make([]bool, size*size)}
	for y := range size {
		for x := range size {
			m.dark[y*size+x] = isDark(code.At(x, y))
		}
	}
	return m, nil
}

func isDark(c color.Color) bool {
	return color.GrayModel.Convert(c).(color.Gray).Y < 0x80
}

// darkAt reports the module at (x, y) of the code framed by a quiet zone of quiet modules.
// Everything outside the code is light, which is what makes the quiet zone.
func (m matrix) darkAt(x, y, quiet int) bool {
	x, y = x-quiet, y-quiet
	if x < 0 || y < 0 || x >= m.size || y >= m.size {
		return false
	}
	return m.dark[y*m.size+x]
}
