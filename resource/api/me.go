package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/server"
)

func (a *API) myCircles(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	m, err := a.Circles.MyCircles(c.Request.Context(), u.ID)
	if err != nil {
		server.Problem(c, err)
		return
	}
	owned, joined := make([]circleJSON, len(m.Owned)), make([]circleJSON, len(m.Joined))
	for i, x := range m.Owned {
		owned[i] = a.circleJSON(x, u.ID)
	}
	for i, x := range m.Joined {
		joined[i] = a.circleJSON(x, u.ID)
	}
	waiting := make([]requestJSON, len(m.Waiting))
	for i, q := range m.Waiting {
		waiting[i] = toRequestJSON(q, langOf(c))
	}
	c.JSON(http.StatusOK, gin.H{"owned": owned, "joined": joined, "waiting": waiting})
}

type settingsJSON struct {
	RefuseAllCircles *bool `json:"refuse_all_circles"`
}

func (a *API) getSettings(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	refuse, err := a.Settings.RefusesAllCircles(c.Request.Context(), u.ID)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, settingsJSON{&refuse})
}

func (a *API) putSettings(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	var b settingsJSON
	if !server.BindJSON(c, &b) {
		return
	}
	if b.RefuseAllCircles != nil {
		if err := a.Settings.SetRefuseAllCircles(c.Request.Context(), u.ID, *b.RefuseAllCircles, c.ClientIP()); err != nil {
			server.Problem(c, err)
			return
		}
	}
	a.getSettings(c)
}

type exclusionJSON struct {
	ID        int64  `json:"id"`
	Phone     string `json:"phone"`
	CreatedAt string `json:"created_at"`
}

func (a *API) listExclusions(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	xs, err := a.Circles.Exclusions(c.Request.Context(), u.ID)
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]exclusionJSON, len(xs))
	for i, x := range xs {
		out[i] = exclusionJSON{x.ID, x.OtherPhone, rfc3339(x.CreatedAt)}
	}
	c.JSON(http.StatusOK, gin.H{"exclusions": out})
}

func (a *API) addExclusion(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	var b struct {
		Phone string `json:"phone"`
	}
	if !server.BindJSON(c, &b) {
		return
	}
	x, err := a.Circles.AddExclusion(c.Request.Context(), u, b.Phone)
	if err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusCreated, exclusionJSON{x.ID, x.OtherPhone, rfc3339(x.CreatedAt)})
}

func (a *API) deleteExclusion(c *gin.Context) {
	u, ok := a.user(c)
	if !ok {
		return
	}
	id, ok := server.PathID(c, "xid")
	if !ok {
		return
	}
	if err := a.Circles.RemoveExclusion(c.Request.Context(), u.ID, id); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
