// Package bearer is the API's one gate: gin middleware that verifies the bearer token of a
// request (RFC 6750), keeps who it speaks for, and checks scopes per route.
package bearer

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/resource/server"
)

const principalKey = "bearer.principal"

// Authenticate verifies the token with v and keeps its principal for Principal; userOnly
// refuses a client's own token (client credentials), for routes that act for a person.
func Authenticate(v qrcircles.Verifier, userOnly bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			token, ok = strings.CutPrefix(h, "bearer ")
		}
		if !ok || token == "" {
			c.Header("WWW-Authenticate", `Bearer realm="qrcircles"`)
			server.Problem(c, qrcircles.Fail(qrcircles.EUnauthorized, "api.token_missing", "Authorization: Bearer TOKEN"))
			return
		}
		p, err := v.Verify(c.Request.Context(), token)
		if errors.Is(err, qrcircles.ErrVerifierUnavailable) {
			server.Problem(c, err) // the token may be good: 503, try again
			return
		}
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="qrcircles", error="invalid_token"`)
			server.Problem(c, qrcircles.Fail(qrcircles.EUnauthorized, "api.token_inactive").WithCause(err))
			return
		}
		if userOnly && !User(c, p) {
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// NotUser is the answer to a client's own token (client credentials) where a person's is needed.
func NotUser() error { return qrcircles.Fail(qrcircles.EForbidden, "api.user_token") }

// User reports whether the token speaks for a person; a client's own token (client
// credentials) is refused with 403.
func User(c *gin.Context, p qrcircles.Principal) bool {
	if _, ok := p.UserID(); !ok {
		server.Problem(c, NotUser())
		return false
	}
	return true
}

// Need lets a request through when its token holds one of the scopes. It refuses every scan
// session, whatever its scopes: a scan session is a token for one circle and one act, and
// only the routes mounted with NeedScan take it.
func Need(scopes ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if Allow(c, Principal(c), scopes...) {
			c.Next()
		}
	}
}

// CircleURL returns the URL of a circle (its QR code's content), the audience of its scan
// sessions. A circle that does not exist is a qrcircles.ENotFound.
type CircleURL func(ctx context.Context, circleID int64) (string, error)

// NeedScan is Need for a route about one circle, the one whose ID is the path parameter
// "id", that a scan session for that circle may also call: one whose audience is the
// circle's URL. A scan session for any other circle is refused. With no scopes, only the
// scan session may call the route.
func NeedScan(circle CircleURL, scopes ...string) gin.HandlerFunc {
	want := append(slices.Clone(scopes), qrcircles.ScopeCirclesJoin)
	return func(c *gin.Context) {
		p := Principal(c)
		if !p.IsScanSession() {
			if slices.ContainsFunc(scopes, p.HasScope) {
				c.Next()
				return
			}
			why := qrcircles.Say("api.need_scan")
			if len(scopes) > 0 {
				why = qrcircles.Say("api.need_scope_scan", qrcircles.Either(scopes...))
			}
			refuse(c, want, why)
			return
		}
		url, err := circleOfPath(c, circle)
		if err != nil && qrcircles.CodeOf(err) != qrcircles.ENotFound {
			server.Problem(c, err)
			return
		}
		if err != nil || !p.IsScanSessionFor(url) {
			refuse(c, want, qrcircles.Say("api.not_scan_here"))
			return
		}
		c.Next()
	}
}

func circleOfPath(c *gin.Context, circle CircleURL) (string, error) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return "", qrcircles.Fail(qrcircles.ENotFound, "circles.not_found")
	}
	return circle(c.Request.Context(), id)
}

// Allow reports whether the token may go on: it holds one of the scopes and is not a scan
// session. Otherwise it has answered 403 insufficient_scope (RFC 6750 §3.1).
func Allow(c *gin.Context, p qrcircles.Principal, scopes ...string) bool {
	switch {
	case p.IsScanSession():
		refuse(c, scopes, qrcircles.Say("api.scan_limits"))
	case !slices.ContainsFunc(scopes, p.HasScope):
		refuse(c, scopes, qrcircles.Say("api.need_scope", qrcircles.Either(scopes...)))
	default:
		return true
	}
	return false
}

// refuse answers 403 insufficient_scope, naming in the challenge the scopes that would do.
func refuse(c *gin.Context, scopes []string, why qrcircles.Words) {
	c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+strings.Join(scopes, " ")+`"`)
	server.Problem(c, qrcircles.Fail(qrcircles.EInsufficientScope, why.Key, why.Args...))
}

// Principal is who the verified token speaks for.
func Principal(c *gin.Context) qrcircles.Principal {
	p, _ := c.Get(principalKey)
	return p.(qrcircles.Principal)
}

// UserID is the person a user-only route acts for.
func UserID(c *gin.Context) int64 {
	id, _ := Principal(c).UserID()
	return id
}
