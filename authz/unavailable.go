package authz

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"qrcircles"
)

// temporarilyUnavailable answers an OAuth endpoint's request that failed because the
// database is unavailable, and reports whether it did: 503 with Retry-After and the error
// temporarily_unavailable (RFC 6749 §4.1.2.1) as a JSON body (§5.2), never invalid_grant,
// invalid_client or an inactive token. fosite wraps the storage error it met as the cause of
// the error it returns, which is where qrcircles.Unavailable finds it. The cause is logged
// once per burst.
func temporarilyUnavailable(c *gin.Context, err error) bool {
	if !qrcircles.Unavailable(err) {
		return false
	}
	logOutage(c, outageCause(err)) // fosite's message hides its cause
	h := c.Writer.Header()
	h.Set("Retry-After", strconv.Itoa(int(qrcircles.RetryUnavailable/time.Second)))
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	c.JSON(http.StatusServiceUnavailable, gin.H{
		"error":             "temporarily_unavailable",
		"error_description": qrcircles.UnavailableMessage,
	})
	return true
}

// logOutage logs err, an outage that made this request fail, once per burst through the
// BurstLog the engine put in the request's context; with the request when there is none.
func logOutage(c *gin.Context, err error) {
	if !qrcircles.LogOutage(c.Request.Context(), err) {
		c.Error(err)
	}
}
