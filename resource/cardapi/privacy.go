package cardapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"

	"qrcircles/resource/server"
)

type privacyJSON struct {
	RefuseStrangerCards   *bool `json:"refuse_stranger_cards"`
	BlockStrangerMessages *bool `json:"block_stranger_messages"`
}

func (h *Handler) getPrivacy(c *gin.Context) {
	p, err := h.Privacy.Privacy(c.Request.Context(), bearer.UserID(c))
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, privacyJSON{&p.RefuseStrangerCards, &p.BlockStrangerMessages})
}

// putPrivacy changes the settings the body names and keeps the others.
func (h *Handler) putPrivacy(c *gin.Context) {
	var b privacyJSON
	if !server.BindJSON(c, &b) {
		return
	}
	if err := h.Privacy.SetPrivacy(c.Request.Context(), bearer.UserID(c), b.RefuseStrangerCards, b.BlockStrangerMessages); err != nil {
		server.Problem(c, err)
		return
	}
	h.getPrivacy(c)
}
