package qr

import (
	"errors"
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Quiet zones the brief fixes, in modules; written out so a change in the code shows here.
const (
	specQuiet         = 4
	specTerminalQuiet = 2
)

// circleURL has the shape the product prints: a host and a 96-bit base64url code.
const circleURL = "https://qrcircles.example/c/Xk3v9QmZp2LwR7tYbN4s"

// longURL is about 300 characters, as a circle URL with tracking parameters gets.
var longURL = circleURL + "?utm_source=poster&utm_medium=print&utm_campaign=" +
	strings.Repeat("spring-trade-show-2026-hall-b-", 7) + "&lang=en"

// decode reads one QR code from img the way a scanner app does: find it, then decode it.
func decode(t *testing.T, img image.Image) *gozxing.Result {
	t.Helper()
	res, err := read(img, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res
}

func read(img image.Image, hints map[gozxing.DecodeHintType]any) (*gozxing.Result, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return nil, err
	}
	return qrcode.NewQRCodeReader().Decode(bmp, hints)
}

// bitmap paints a w×h module grid at scale pixels per module, black where dark says so.
func bitmap(w, h, scale int, dark func(x, y int) bool) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for y := range h * scale {
		for x := range w * scale {
			img.SetGray(x, y, color.Gray{Y: 0xff})
			if dark(x/scale, y/scale) {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	return img
}

func TestLongURLIsAbout300Chars(t *testing.T) {
	if n := len(longURL); n < 280 || n > 320 {
		t.Fatalf("len(longURL) = %d", n)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    error
	}{
		{"empty", "", ErrEmpty},
		{"too long", strings.Repeat("a", 3000), ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := PNG(tt.content, 512); !errors.Is(err, tt.want) {
				t.Errorf("PNG err = %v, want %v", err, tt.want)
			}
			if _, err := SVG(tt.content); !errors.Is(err, tt.want) {
				t.Errorf("SVG err = %v, want %v", err, tt.want)
			}
			if got := Terminal(tt.content); got != "" {
				t.Errorf("Terminal = %q, want empty", got)
			}
		})
	}
}
