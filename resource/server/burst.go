package server

import (
	"github.com/gin-gonic/gin"

	"qrcircles"
)

// LogUnavailable logs err, an outage that made this request fail, through the engine's
// BurstLog: once per burst, not once per request.
func LogUnavailable(c *gin.Context, err error) {
	if !qrcircles.LogOutage(c.Request.Context(), err) {
		c.Error(err) // an engine not made by New: the access log shows it
	}
}

// withBurstLog makes b the BurstLog of every request, in the request's context, where
// both servers' handlers find it (qrcircles.LogOutage).
func withBurstLog(b *qrcircles.BurstLog) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(qrcircles.WithBurstLog(c.Request.Context(), b))
		c.Next()
	}
}

// logProblem logs what Problem answers, if anything: an internal error with each request, an
// outage once per burst.
func logProblem(c *gin.Context, err error) {
	switch {
	case qrcircles.Unavailable(err):
		LogUnavailable(c, err)
	case qrcircles.CodeOf(err) == qrcircles.EInternal:
		c.Error(err)
	}
}
