package qr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

func TestPNG(t *testing.T) {
	tests := []struct {
		name    string
		content string
		size    int
		target  int // size after default and clamping
	}{
		{"default size", circleURL, 0, 512},
		{"minimum", circleURL, 128, 128},
		{"medium", circleURL, 512, 512},
		{"not a multiple", circleURL, 1000, 1000},
		{"maximum", circleURL, 2048, 2048},
		{"negative clamps up", circleURL, -1, 128},
		{"huge clamps down", circleURL, 1 << 20, 2048},
		{"long URL at minimum", longURL, 128, 128},
		{"long URL medium", longURL, 512, 512},
		{"long URL at maximum", longURL, 2048, 2048},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := decodePNG(t, tt.content, tt.size)
			scale := checkGeometry(t, img, tt.target)
			checkQuietZone(t, img, specQuiet*scale)
			res := decode(t, img)
			if res.GetText() != tt.content {
				t.Errorf("decoded %q, want %q", res.GetText(), tt.content)
			}
			if ec := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; ec != "Q" {
				t.Errorf("error correction level %v, want Q", ec)
			}
		})
	}
}

// decodePNG renders content and checks the image is square and purely black and white.
func decodePNG(t *testing.T, content string, size int) image.Image {
	t.Helper()
	data, err := PNG(content, size)
	if err != nil {
		t.Fatalf("PNG: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("png.Decode: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Min != (image.Point{}) {
		t.Fatalf("bounds %v, want a square at the origin", b)
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			if g := color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y; g != 0 && g != 0xff {
				t.Fatalf("pixel (%d,%d) gray %d: not crisp black or white", x, y, g)
			}
		}
	}
	return img
}

// checkGeometry measures the module size from the top-left finder pattern (7 modules wide,
// after a 4-module quiet zone) and checks the integer scaling rule against it. It returns
// the measured pixels per module.
func checkGeometry(t *testing.T, img image.Image, target int) int {
	t.Helper()
	dark := func(x, y int) bool { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y == 0 }
	side := img.Bounds().Dx()
	offset := 0
	for offset < side && !dark(offset, offset) {
		offset++
	}
	run := 0
	for offset+run < side && dark(offset+run, offset) {
		run++
	}
	if run == 0 || run%7 != 0 {
		t.Fatalf("finder pattern is %d px wide, want a multiple of 7", run)
	}
	scale := run / 7
	modules := side / scale
	switch {
	case offset != specQuiet*scale:
		t.Errorf("code starts at %d px, want quiet zone %d×%d", offset, specQuiet, scale)
	case side%scale != 0:
		t.Errorf("side %d px is not a multiple of module %d px", side, scale)
	case (modules-2*specQuiet-21)%4 != 0:
		t.Errorf("%d modules minus quiet zone is not a QR width", modules)
	case scale != max(1, target/modules):
		t.Errorf("scale %d, want max(1, %d/%d)", scale, target, modules)
	}
	return scale
}

func checkQuietZone(t *testing.T, img image.Image, width int) {
	t.Helper()
	side := img.Bounds().Dx()
	for y := range side {
		for x := range side {
			inside := x >= width && y >= width && x < side-width && y < side-width
			if !inside && color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y != 0xff {
				t.Fatalf("pixel (%d,%d) in the quiet zone is not white", x, y)
			}
		}
	}
}

// Level Q exists so a damaged print still scans: cover a quarter-by-quarter block of the data
// area (away from the finder and alignment patterns) and decode anyway.
func TestPNGSurvivesDamage(t *testing.T) {
	img := decodePNG(t, circleURL, 512)
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Bounds(), img, image.Point{}, draw.Src)
	side := img.Bounds().Dx()
	blot := image.Rect(side*30/100, side*40/100, side*55/100, side*65/100)
	if countDark(rgba, blot) == 0 {
		t.Fatal("blot covers no dark module; the test would prove nothing")
	}
	draw.Draw(rgba, blot, image.White, image.Point{}, draw.Src)
	if got := decode(t, rgba).GetText(); got != circleURL {
		t.Errorf("decoded %q after damage, want %q", got, circleURL)
	}
}

func countDark(img image.Image, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y == 0 {
				n++
			}
		}
	}
	return n
}

// decoyURL's symbol holds a finder-like 1:1:3:1:1 block in its data. ZXing's finder search
// (ported by gozxing) stops at the first three confirmed candidates, takes the decoy for
// the bottom-left finder and fails; about 1 in 100 random circle URLs do this at 512 px.
// The symbol itself is valid: read without the finder search, it decodes exactly.
const decoyURL = circleURL + "?utm_source=poster&utm_medium=print&utm_campaign=" +
	"spring-trade-show-2026-hall-b-spring-trade-show-2026-hall-b-spring-trade-show-2026-hall-b-" +
	"spring-trade-show-2026-hall-b-spring-trade-show-2026-hall-b-spring-trade-show-2026-hall-b-" +
	"&lang=zh-CN"

// Circle URLs whose codes fail the same way, found among random ones: upright, or only once
// the image is turned a quarter, as a phone camera's landscape frame holds a portrait poster.
const (
	uprightDecoyURL = "https://qrcircles.example/c/mImyW0Gc9vvpDtf_owYXSQ"
	turnedDecoyURL  = "https://qrcircles.example/c/SvsC56Is82nUcqasXyX01g"
)

// The PNG as served, seen upright or turned, fails the ordinary reader, and Readable, which
// draws the code at another scale, refuses it; a pure read of the PNG shows the symbol is right.
func TestPNGDecoys(t *testing.T) {
	tests := []struct {
		content string
		turns   int // quarter turns clockwise under which the reader fails
	}{
		{decoyURL, 0},
		{uprightDecoyURL, 0},
		{turnedDecoyURL, 1},
	}
	for _, tt := range tests {
		t.Run(tt.content[len(tt.content)-12:], func(t *testing.T) {
			img := decodePNG(t, tt.content, 0)
			pure := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
			if res, err := read(img, pure); err != nil || res.GetText() != tt.content {
				t.Fatalf("pure read = %v, %v; want %q", res, err, tt.content)
			}
			for range tt.turns {
				img = turn(img)
			}
			if res, err := read(img, nil); err == nil && res.GetText() == tt.content {
				t.Errorf("the reader read the decoy turned %d°; it is no example", 90*tt.turns)
			}
			if err := Readable(tt.content); !errors.Is(err, ErrUnreadable) {
				t.Errorf("Readable = %v, want %v", err, ErrUnreadable)
			}
		})
	}
}

// turn returns img a quarter turn clockwise.
func turn(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			out.Set(b.Dy()-1-y, x, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return out
}
