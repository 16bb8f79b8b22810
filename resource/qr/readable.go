package qr

import (
	"errors"
	"fmt"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrUnreadable means the symbol is valid but a common phone reader does not read it.
var ErrUnreadable = errors.New("qr: a ZXing-family reader does not read this code")

// view is one way a camera may see a printed code.
type view struct {
	scale int  // pixels per module
	soft  bool // out of focus
}

func (v view) String() string {
	if v.soft {
		return fmt.Sprintf("soft at %d px per module", v.scale)
	}
	return fmt.Sprintf("sharp at %d px per module", v.scale)
}

// views were measured on 6,000 random circle URLs, each drawn at 2 to 15 pixels per module
// in the four quarter turns. ZXing's finder search scans a sample of the pixel rows, so
// which codes fail depends a little on the scale: at 8 px per module the reader failed on
// every code it failed on at any sharp scale from 4 to 15 px, but for 2 of the 6,000 (at 5
// px, turned). The soft view fails on a few codes no sharp one does.
var views = []view{{8, false}, {4, true}}

// Readable reports whether ZXing's QR reader (through gozxing; the decoder family most phone
// scanners use) reads content from its code as PNG draws it, seen upright and in each quarter
// turn, as a camera frame is. About 1 random circle URL in 100 holds a block of modules that
// the finder search takes for a finder pattern: the symbol is valid, but the reader fails.
func Readable(content string) error {
	m, err := encode(content)
	if err != nil {
		return err
	}
	for turns := range 4 {
		for _, v := range views {
			if lum, side := frame(m, turns, v); !reads(lum, side, content) {
				return fmt.Errorf("%w (%v, turned %d°)", ErrUnreadable, v, 90*turns)
			}
		}
	}
	return nil
}

// frame paints m, turned clockwise and framed by its quiet zone, as side×side 8-bit luminance.
func frame(m matrix, turns int, v view) (lum []byte, side int) {
	for range turns {
		m = m.turned()
	}
	img := raster(m, m.size+2*printQuiet, v.scale)
	side = img.Rect.Dx()
	lum = make([]byte, len(img.Pix))
	for i, dark := range img.Pix {
		if dark == 0 {
			lum[i] = 0xff
		}
	}
	if v.soft {
		lum = blur(lum, side)
	}
	return lum, side
}

// turned is m a quarter turn clockwise.
func (m matrix) turned() matrix {
	t := matrix{size: m.size, dark: make([]bool, len(m.dark))}
	for y := range m.size {
		for x := range m.size {
			t.dark[x*m.size+m.size-1-y] = m.dark[y*m.size+x]
		}
	}
	return t
}

// blur softens a side×side image as a lens slightly out of focus does: each pixel becomes the
// mean of the 3×3 block around it (a row mean, then a column mean), the paper beyond the edge
// being white.
func blur(lum []byte, side int) []byte {
	rows := make([]byte, len(lum))
	for i := range lum {
		left, right := byte(0xff), byte(0xff)
		if i%side > 0 {
			left = lum[i-1]
		}
		if i%side < side-1 {
			right = lum[i+1]
		}
		rows[i] = mean3(left, lum[i], right)
	}
	out := make([]byte, len(lum))
	for i := range rows {
		up, down := byte(0xff), byte(0xff)
		if i >= side {
			up = rows[i-side]
		}
		if i+side < len(rows) {
			down = rows[i+side]
		}
		out[i] = mean3(up, rows[i], down)
	}
	return out
}

func mean3(a, b, c byte) byte { return byte((int(a) + int(b) + int(c)) / 3) }

// reads runs the reader as a scanner app does: search the frame for the code, then decode it.
// The frame is handed over as a camera's luminance plane.
func reads(lum []byte, side int, content string) bool {
	src, err := gozxing.NewPlanarYUVLuminanceSource(lum, side, side, 0, 0, side, side, false)
	if err != nil {
		return false
	}
	bmp, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(src))
	if err != nil {
		return false
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	return err == nil && res.GetText() == content
}
