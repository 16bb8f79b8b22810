package cardapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/cardsvc"
	"qrcircles/resource/qr"
	"qrcircles/resource/server"
)

// Cards face to face: the personal QR code and the exchange it starts (cardsvc.Service.ExchangeFaceToFace).

// FacePath is where a personal QR code points: PublicURL + FacePath + code. Opened by any camera,
// the page there offers the exchange.
const FacePath = "/u/"

// faceCodeJSON is a personal QR code as GET /me/card/code gives it.
type faceCodeJSON struct {
	URL       string `json:"url"`
	ExpiresAt string `json:"expires_at"`
	SVG       string `json:"svg"` // the QR code, to show inline
}

func (h *Handler) getFaceCode(c *gin.Context) {
	code, exp, err := h.Cards.FaceCode(bearer.UserID(c))
	var svg []byte
	if err == nil {
		svg, err = qr.SVG(h.PublicURL + FacePath + code)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, faceCodeJSON{URL: h.PublicURL + FacePath + code, ExpiresAt: exp.Format(time.RFC3339), SVG: string(svg)})
}

// exchange takes a personal QR code (the code, or the URL it holds) and exchanges cards with
// its owner: 200 exchanged, or 202 when the scanner's card waits for the owner to accept it.
// Either way the answer carries the owner's card as the scanner now holds it.
func (h *Handler) exchange(c *gin.Context) {
	var b struct {
		Code string `json:"code"`
	}
	if !server.BindJSON(c, &b) {
		return
	}
	scanner := bearer.UserID(c)
	shown, outcome, q, err := h.Cards.ExchangeFaceToFace(c.Request.Context(), scanner, strings.TrimPrefix(b.Code, h.PublicURL+FacePath))
	var es []cards.Entry
	if err == nil {
		es, err = h.Cards.Contacts(c.Request.Context(), scanner, shown, false)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	body := gin.H{"status": "exchanged", "contact": h.views(es, 0)[0]}
	if outcome == cardsvc.Waiting {
		body["status"], body["request"] = "waiting", toRequestJSON(q)
		c.JSON(http.StatusAccepted, body)
		return
	}
	c.JSON(http.StatusOK, body)
}
