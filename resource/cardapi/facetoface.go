package cardapi

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/qr"
	"qrcircles/resource/server"
	"qrcircles/storage"
)

// Cards face to face: a member shows a personal QR code, another scans it with the app, and
// both have each other's card in one step. The code is sealed and short-lived (cards.SealFaceCode);
// showing it is giving one's card, so the scanner gets it at once, while the scanner's card
// reaches the one who showed the code under their stranger policy like any delivery.

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
	code, exp, err := h.faceCode(bearer.UserID(c))
	var svg []byte
	if err == nil {
		svg, err = qr.SVG(h.PublicURL + FacePath + code)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, faceCodeJSON{URL: h.PublicURL + FacePath + code, ExpiresAt: exp, SVG: string(svg)})
}

func (h *Handler) faceCode(userID int64) (string, string, error) {
	nonce := make([]byte, cards.FaceCodeNonceSize)
	if _, err := rand.Read(nonce); err != nil {
		return "", "", err
	}
	exp := h.now().Add(cards.FaceCodeLifespan)
	code, err := cards.SealFaceCode(h.FaceKey, userID, exp, nonce)
	return code, exp.Format("2006-01-02T15:04:05Z07:00"), err
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
	shown, outcome, q, err := h.ExchangeFaceToFace(c.Request.Context(), scanner, strings.TrimPrefix(b.Code, h.PublicURL+FacePath))
	var es []cards.Entry
	if err == nil {
		es, err = h.contactEntries(c.Request.Context(), scanner, shown, false)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	body := gin.H{"status": "exchanged", "contact": h.views(es, 0)[0]}
	if outcome == Waiting {
		body["status"], body["request"] = "waiting", toRequestJSON(q)
		c.JSON(http.StatusAccepted, body)
		return
	}
	c.JSON(http.StatusOK, body)
}

// ExchangeFaceToFace gives scanner the card of the person whose personal QR code they read,
// and that person the scanner's card (Delivered), or a request to accept it (Waiting) when
// they refuse cards from strangers. It returns who showed the code.
func (h *Handler) ExchangeFaceToFace(ctx context.Context, scanner int64, code string) (int64, string, storage.CardRequest, error) {
	var q storage.CardRequest
	shown, err := cards.OpenFaceCode(h.FaceKey, code, h.now())
	if err == nil && shown == scanner {
		err = qrcircles.Invalid("code", "This is your own code. / 这是您自己的二维码。")
	}
	if err == nil {
		_, err = h.Store.User(ctx, shown)
	}
	if err != nil {
		return 0, "", q, err
	}
	var outcome string
	err = h.inTx(ctx, func(ctx context.Context) error {
		var err error
		if outcome, q, err = h.giveCard(ctx, scanner, shown); err != nil {
			return err
		}
		return h.addContact(ctx, scanner, shown)
	})
	return shown, outcome, q, err
}
