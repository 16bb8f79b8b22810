package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/qr"
)

// qrPNG draws the circle's QR code for its organizer; ?size= in pixels, ?download=1 to save.
func (w *Web) qrPNG(c *gin.Context) {
	_, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	size, err := qrSize(c.Query("size"))
	var img []byte
	if err == nil {
		img, err = qr.PNG(w.Circles.URL(circle), size)
	}
	if err != nil {
		w.fail(c, err)
		return
	}
	w.sendImage(c, "image/png", fmt.Sprintf("circle-%d-qr-%d.png", circle.ID, size), img)
}

func (w *Web) qrSVG(c *gin.Context) {
	_, circle, ok := w.ownedCircle(c)
	if !ok {
		return
	}
	img, err := qr.SVG(w.Circles.URL(circle))
	if err != nil {
		w.fail(c, err)
		return
	}
	w.sendImage(c, "image/svg+xml", fmt.Sprintf("circle-%d-qr.svg", circle.ID), img)
}

func (w *Web) sendImage(c *gin.Context, contentType, name string, img []byte) {
	c.Header("Cache-Control", "private, no-store")
	if c.Query("download") == "1" {
		c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	c.Data(http.StatusOK, contentType, img)
}

func qrSize(s string) (int, error) {
	if s == "" {
		return qr.DefaultSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < qr.MinSize || n > qr.MaxSize {
		return 0, qrcircles.Fail(qrcircles.EInvalid, "web.qr_size", qr.MinSize, qr.MaxSize).WithField("size")
	}
	return n, nil
}
