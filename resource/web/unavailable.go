package web

import (
	"strconv"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/server"
	"qrcircles/templates"
)

// pageError is what a page shown again with err says: the message and the status. It logs
// what an operator must see — an outage once per burst, any other server error each time —
// and sends Retry-After when there is a wait to tell.
func (w *Web) pageError(c *gin.Context, what string, err error) (qrcircles.Words, int) {
	b := qrcircles.ProblemOf(err)
	switch {
	case qrcircles.Unavailable(err):
		server.LogUnavailable(c, err)
	case b.Status >= 500:
		w.Logger.ErrorContext(c.Request.Context(), what, "error", err)
	}
	if b.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(b.RetryAfter))
	}
	return templates.ErrorWords(err), b.Status
}
