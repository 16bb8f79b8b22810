package cards

import (
	"bytes"
	"image"
	"image/draw"
	_ "image/gif" // accepted as upload
	"image/jpeg"
	"image/png"
	"strconv"

	"qrcircles"
)

// Avatar limits: the upload's size, the largest image decoded (a small file can claim a huge
// picture), and the stored image's longest side.
const (
	MaxAvatarBytes  = 2 << 20
	MaxAvatarPixels = 24_000_000
	AvatarSide      = 512
)

// ProcessAvatar checks that data is a PNG, JPEG or GIF image within the limits and returns it
// scaled down to fit AvatarSide×AvatarSide: as PNG when it has transparency, else as JPEG.
// Every failure is a *qrcircles.Error naming the field "avatar".
func ProcessAvatar(data []byte) (Photo, error) {
	if len(data) == 0 {
		return Photo{}, AvatarError("cards.avatar_none", nil)
	}
	if len(data) > MaxAvatarBytes {
		return Photo{}, AvatarTooLarge(nil)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Photo{}, AvatarError("cards.avatar_type", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxAvatarPixels {
		return Photo{}, AvatarError("cards.avatar_pixels", nil)
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, AvatarError("cards.avatar_unreadable", err)
	}
	return encode(Downscale(src, AvatarSide))
}

// AvatarTooLarge is the answer to an image over MaxAvatarBytes, found here or while the
// upload was read (cause, which may be nil).
func AvatarTooLarge(cause error) error {
	return AvatarError("cards.avatar_too_large", cause, strconv.Itoa(MaxAvatarBytes>>20)+" MB")
}

// AvatarError is an EInvalid error of the phrase key on the field "avatar", with its cause
// (which may be nil).
func AvatarError(key string, cause error, args ...any) error {
	return qrcircles.Fail(qrcircles.EInvalid, key, args...).WithField("avatar").WithCause(cause)
}

func encode(img *image.RGBA) (Photo, error) {
	var buf bytes.Buffer
	if img.Opaque() {
		err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
		return Photo{ContentType: "image/jpeg", Data: buf.Bytes()}, err
	}
	err := png.Encode(&buf, img)
	return Photo{ContentType: "image/png", Data: buf.Bytes()}, err
}

// Downscale returns img shrunk to fit side×side, keeping its proportions, each new pixel the
// average of the box of old pixels it covers. A smaller image is only copied.
func Downscale(img image.Image, side int) *image.RGBA {
	b := img.Bounds()
	src := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(src, src.Bounds(), img, b.Min, draw.Src)
	sw, sh := b.Dx(), b.Dy()
	if sw <= side && sh <= side {
		return src
	}
	dw, dh := side, sh*side/sw
	if sh > sw {
		dw, dh = sw*side/sh, side
	}
	dw, dh = max(dw, 1), max(dh, 1)
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		y0, y1 := span(y, sh, dh)
		for x := range dw {
			x0, x1 := span(x, sw, dw)
			boxAverage(dst, src, x, y, x0, x1, y0, y1)
		}
	}
	return dst
}

// span is the range of source rows (or columns) that destination row i covers.
func span(i, src, dst int) (int, int) {
	a, b := i*src/dst, (i+1)*src/dst
	return a, max(b, a+1)
}

// boxAverage averages premultiplied pixels, so transparent ones add no colour.
func boxAverage(dst, src *image.RGBA, x, y, x0, x1, y0, y1 int) {
	var r, g, b, a, n uint64
	for sy := y0; sy < y1; sy++ {
		row := src.Pix[sy*src.Stride:]
		for sx := x0; sx < x1; sx++ {
			p := row[sx*4 : sx*4+4]
			r, g, b, a = r+uint64(p[0]), g+uint64(p[1]), b+uint64(p[2]), a+uint64(p[3])
			n++
		}
	}
	o := dst.PixOffset(x, y)
	dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = uint8(r/n), uint8(g/n), uint8(b/n), uint8(a/n)
}
