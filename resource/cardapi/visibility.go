package cardapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"
	"qrcircles/resource/server"
)

type circleVisibilityJSON struct {
	CircleID int64    `json:"circle_id"`
	Fields   []string `json:"fields"`
	Chosen   bool     `json:"chosen"` // false: the circle follows what was the default when it was joined
}

type visibilityJSON struct {
	Default []string               `json:"default"`
	Circles []circleVisibilityJSON `json:"circles"`
}

// getVisibility shows the default and what each circle the user is in shows.
func (h *Handler) getVisibility(c *gin.Context) {
	ctx, uid := c.Request.Context(), bearer.UserID(c)
	s, ids, err := h.Cards.Visibility(ctx, uid)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := visibilityJSON{Default: s.Default.Names(), Circles: []circleVisibilityJSON{}}
	for _, id := range ids {
		_, chosen := s.Circles[id]
		out.Circles = append(out.Circles, circleVisibilityJSON{id, s.ForCircle(id).Names(), chosen})
	}
	c.JSON(http.StatusOK, out)
}

// visibilityBody changes the default (for circles joined later) and, per circle ID, what the
// circle shows; a circle set to null follows the default again.
type visibilityBody struct {
	Default *[]string            `json:"default"`
	Circles map[string]*[]string `json:"circles"`
}

func (h *Handler) putVisibility(c *gin.Context) {
	var b visibilityBody
	if !server.BindJSON(c, &b) {
		return
	}
	if err := h.Cards.ChangeVisibility(c.Request.Context(), bearer.UserID(c), b.Default, b.Circles); err != nil {
		server.Problem(c, err)
		return
	}
	h.getVisibility(c)
}

// circleCards lists the members' cards of a circle as the viewer may see them.
func (h *Handler) circleCards(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	es, _, err := h.Cards.CircleCards(c.Request.Context(), bearer.UserID(c), id, false)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"circle_id": id, "cards": h.views(es, id)})
}
