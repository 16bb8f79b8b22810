package messages

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/bearer"

	"qrcircles/resource/server"
)

type muteJSON struct {
	CircleID int64  `json:"circle_id"`
	MutedAt  string `json:"muted_at"`
}

// mute stops the push of the circle's announcements to the caller; they stay readable.
func (h *Handler) mute(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	if err := h.Messages.Mute(c.Request.Context(), bearer.UserID(c), id); err != nil {
		server.Problem(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"circle_id": id, "muted": true})
}

// unmute pushes the circle's announcements again. Unmuting a circle that is not muted, or
// that the caller has left, is not an error.
func (h *Handler) unmute(c *gin.Context) {
	id, ok := server.PathID(c, "id")
	if !ok {
		return
	}
	if err := h.Messages.Unmute(c.Request.Context(), bearer.UserID(c), id); err != nil {
		server.Problem(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// mutes lists the circles the caller muted, the most recent first.
func (h *Handler) mutes(c *gin.Context) {
	ms, err := h.Messages.Mutes(c.Request.Context(), bearer.UserID(c))
	if err != nil {
		server.Problem(c, err)
		return
	}
	out := make([]muteJSON, len(ms))
	for i, m := range ms {
		out[i] = muteJSON{CircleID: m.CircleID, MutedAt: rfc3339(m.CreatedAt)}
	}
	c.JSON(http.StatusOK, gin.H{"mutes": out})
}
