package cardapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/bearer"
	"qrcircles/resource/cards"
	"qrcircles/resource/server"
)

// hasVCFSuffix strips ".vcf" from the path parameter, reporting whether it was there.
func hasVCFSuffix(c *gin.Context, name string) bool {
	for i, p := range c.Params {
		if p.Key == name {
			if v, ok := strings.CutSuffix(p.Value, ".vcf"); ok {
				c.Params[i].Value = v
				return true
			}
		}
	}
	return false
}

func (h *Handler) contactVCF(c *gin.Context) {
	uid, ok := server.PathID(c, "uid")
	if !ok {
		return
	}
	es, err := h.Cards.Contacts(c.Request.Context(), bearer.UserID(c), uid, true)
	if err == nil && len(es) == 0 {
		err = qrcircles.Fail(qrcircles.ENotFound, "cards.not_a_contact")
	}
	h.sendVCards(c, fmt.Sprintf("contact-%d.vcf", uid), es, err)
}

func (h *Handler) contactsVCF(c *gin.Context) {
	es, err := h.Cards.Contacts(c.Request.Context(), bearer.UserID(c), 0, true)
	h.sendVCards(c, "contacts.vcf", es, err)
}

func (h *Handler) circleVCF(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	es, _, err := h.Cards.CircleCards(c.Request.Context(), bearer.UserID(c), id, true)
	h.sendVCards(c, fmt.Sprintf("circle-%d-members.vcf", id), es, err)
}

func (h *Handler) sendVCards(c *gin.Context, filename string, es []cards.Entry, err error) {
	v, verr := cards.ParseVersion(c.Query("version"))
	if err == nil {
		err = verr
	}
	var buf bytes.Buffer
	if err == nil {
		err = cards.WriteVCards(&buf, v, es)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	send(c, cards.MediaType, filename, buf.Bytes())
}

// circleCSV is the organizer's export of the members, showing what any member sees.
func (h *Handler) circleCSV(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	es, circle, err := h.Cards.CircleCards(c.Request.Context(), bearer.UserID(c), id, false)
	if err == nil && circle.OwnerID != bearer.UserID(c) {
		err = qrcircles.Fail(qrcircles.EForbidden, "cards.export_organizer")
	}
	var buf bytes.Buffer
	if err == nil {
		err = cards.WriteCSV(&buf, es)
	}
	if err != nil {
		server.Problem(c, err)
		return
	}
	send(c, cards.CSVMediaType, fmt.Sprintf("circle-%d-members.csv", id), buf.Bytes())
}

func send(c *gin.Context, mediaType, filename string, body []byte) {
	c.Header("Content-Disposition", `attachment; filename="`+filename+`"`)
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, mediaType, body)
}
