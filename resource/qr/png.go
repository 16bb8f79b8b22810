package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// Pixel sizes accepted by PNG.
const (
	MinSize     = 128
	MaxSize     = 2048
	DefaultSize = 512
)

// printQuiet is the quiet zone the QR specification requires around a printed or displayed
// code, in modules; PNG and SVG share it.
const printQuiet = 4

// PNG draws content as a square black-on-white PNG of about size pixels: 0 means
// DefaultSize, other sizes are clamped to MinSize..MaxSize. Each module is a whole number of
// pixels, so edges stay sharp; the image may be smaller than size by up to one module per
// side, and larger only when a module must get at least one pixel.
func PNG(content string, size int) ([]byte, error) {
	m, err := encode(content)
	if err != nil {
		return nil, err
	}
	modules := m.size + 2*printQuiet
	scale := max(1, clampSize(size)/modules)
	img := raster(m, modules, scale)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

func clampSize(size int) int {
	if size == 0 {
		return DefaultSize
	}
	return min(max(size, MinSize), MaxSize)
}

// raster paints m with its quiet zone at scale pixels per module. A two-colour palette makes
// the PNG 1 bit per pixel, and its zero value is white, so only dark pixels are written. Each
// module row is painted once and copied down.
func raster(m matrix, modules, scale int) *image.Paletted {
	side := modules * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for my := range modules {
		top := my * scale * img.Stride
		row := img.Pix[top : top+side]
		for x := range row {
			if m.darkAt(x/scale, my, printQuiet) {
				row[x] = 1
			}
		}
		for dy := 1; dy < scale; dy++ {
			copy(img.Pix[top+dy*img.Stride:], row)
		}
	}
	return img
}
