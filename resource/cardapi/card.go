package cardapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/server"
)

// getMyCard is the caller's whole card; 404 until they made one, so a client knows to ask.
func (h *Handler) getMyCard(c *gin.Context) {
	if _, err := h.Cards.Card(c.Request.Context(), bearer.UserID(c)); err != nil {
		if qrcircles.CodeOf(err) == qrcircles.ENotFound {
			err = qrcircles.Fail(qrcircles.ENotFound, "cards.none_yet")
		}
		server.Problem(c, err)
		return
	}
	h.answerCard(c, bearer.UserID(c), bearer.UserID(c), 0)
}

// getUserCard is one person's card as the viewer may see it in ?circle= (or as a contact).
func (h *Handler) getUserCard(c *gin.Context) {
	uid, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	circleID, ok := queryCircle(c)
	if !ok {
		return
	}
	h.answerCard(c, uid, bearer.UserID(c), circleID)
}

func (h *Handler) answerCard(c *gin.Context, owner, viewer, circleID int64) {
	card, _, err := h.Cards.CardFor(c.Request.Context(), owner, viewer, circleID)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, cards.ViewOf(cards.Entry{UserID: owner, Card: card}, h.avatarURL(owner, circleID)))
}

func queryCircle(c *gin.Context) (int64, bool) {
	s := c.Query("circle")
	if s == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		server.Problem(c, qrcircles.Fail(qrcircles.EInvalid, "cards.circle_number").WithField("circle"))
		return 0, false
	}
	return id, true
}

func (h *Handler) putMyCard(c *gin.Context) {
	var b cards.JSONCard
	if !server.BindJSON(c, &b) {
		return
	}
	if _, err := h.Cards.SaveCard(c.Request.Context(), bearer.UserID(c), b.Card()); err != nil {
		server.Problem(c, err)
		return
	}
	h.getMyCard(c)
}

// putAvatar takes the image as a multipart form's "avatar" file or as the raw body.
func (h *Handler) putAvatar(c *gin.Context) {
	data, err := readAvatar(c)
	if err != nil {
		server.Problem(c, err)
		return
	}
	uid := bearer.UserID(c)
	contentType, err := h.Cards.SaveAvatar(c.Request.Context(), uid, data)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"avatar_url": h.avatarURL(uid, 0), "content_type": contentType})
}

func readAvatar(c *gin.Context) ([]byte, error) {
	var r io.Reader = c.Request.Body // bounded by the body-size middleware
	if mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type")); mt == "multipart/form-data" {
		f, _, err := c.Request.FormFile("avatar")
		if err != nil {
			return nil, avatarReadError(err)
		}
		defer f.Close()
		r = f
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(r, cards.MaxAvatarBytes+1)); err != nil {
		return nil, avatarReadError(err)
	}
	return buf.Bytes(), nil
}

func avatarReadError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return cards.AvatarTooLarge(err)
	}
	return cards.AvatarError("cards.avatar_body", err)
}

func (h *Handler) deleteAvatar(c *gin.Context) {
	if err := h.Cards.RemoveAvatar(c.Request.Context(), bearer.UserID(c)); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// getAvatar serves an avatar to a viewer whose card view shows it: as a contact, or in the
// ?circle= the card was shown in. Anyone else gets 404, as if there were none.
func (h *Handler) getAvatar(c *gin.Context) {
	uid, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	circleID, ok := queryCircle(c)
	if !ok {
		return
	}
	a, err := h.Cards.AvatarFor(c.Request.Context(), uid, bearer.UserID(c), circleID)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.Header("Cache-Control", "private, max-age=300")
	c.Data(http.StatusOK, a.ContentType, a.Data)
}
