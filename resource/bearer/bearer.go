// Package bearer is the API's one gate: gin middleware that verifies the bearer token of a
// request (RFC 6750), keeps who it speaks for, and checks scopes per route.
package bearer

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles/resource/problem"
	"qrcircles/resource/server"
	"qrcircles/resource/tokens"
)

const principalKey = "bearer.principal"

// Authenticate verifies the token with v and keeps its principal for Principal; userOnly
// refuses a client's own token (client credentials), for routes that act for a person.
func Authenticate(v tokens.Verifier, userOnly bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.GetHeader("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			token, ok = strings.CutPrefix(h, "bearer ")
		}
		if !ok || token == "" {
			c.Header("WWW-Authenticate", `Bearer realm="qrcircles"`)
			server.Problem(c, problem.Errorf(problem.EUnauthorized, "Send an access token: Authorization: Bearer TOKEN."))
			return
		}
		p, err := v.Verify(c.Request.Context(), token)
		if errors.Is(err, tokens.ErrUnavailable) {
			server.Problem(c, err) // the token may be good: 503, try again
			return
		}
		if err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="qrcircles", error="invalid_token"`)
			server.Problem(c, &problem.Error{Code: problem.EUnauthorized, Message: "The access token is not active.", Err: err})
			return
		}
		if _, ok := p.UserID(); userOnly && !ok {
			server.Problem(c, problem.Errorf(problem.EForbidden, "This needs a user's token, not a client's."))
			return
		}
		c.Set(principalKey, p)
		c.Next()
	}
}

// Need refuses a token without one of the scopes.
func Need(scopes ...string) gin.HandlerFunc {
	want := strings.Join(scopes, " ")
	return func(c *gin.Context) {
		p := Principal(c)
		for _, s := range scopes {
			if p.HasScope(s) {
				c.Next()
				return
			}
		}
		c.Header("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+want+`"`)
		server.Problem(c, problem.Errorf(problem.EForbidden, "This needs scope %s.", strings.Join(scopes, " or ")))
	}
}

// Principal is who the verified token speaks for.
func Principal(c *gin.Context) tokens.Principal {
	p, _ := c.Get(principalKey)
	return p.(tokens.Principal)
}

// UserID is the person a user-only route acts for.
func UserID(c *gin.Context) int64 {
	id, _ := Principal(c).UserID()
	return id
}
