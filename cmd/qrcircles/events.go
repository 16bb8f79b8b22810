package main

import (
	"errors"
	"strings"

	"github.com/gin-gonic/gin"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/resource/bearer"
	"qrcircles/resource/push"
	"qrcircles/resource/server"
)

// eventsAuth lets the event stream take a bearer token (apps) or, when the pages run in this
// process, the browser's sign-in session (EventSource cannot send headers).
func eventsAuth(verifier qrcircles.Verifier, az *authz.Server) func(c *gin.Context) (int64, bool) {
	return func(c *gin.Context) (int64, bool) {
		if token, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer "); ok {
			p, err := verifier.Verify(c.Request.Context(), token)
			if errors.Is(err, qrcircles.ErrVerifierUnavailable) {
				server.Problem(c, err) // 503: the token may be good
				return 0, false
			}
			if err != nil {
				server.Problem(c, qrcircles.Fail(qrcircles.EUnauthorized, "api.token_inactive").WithCause(err))
				return 0, false
			}
			return streamScopes(c, p)
		}
		if az != nil {
			u, ok, err := az.Session(c.Request)
			if err != nil {
				server.Problem(c, err) // 503, not "signed out"
				return 0, false
			}
			if ok {
				return u.ID, true
			}
		}
		return 0, false
	}
}

// streamScopes opens the stream to a user's token for the event types its scopes cover. A
// client's token, a scan session and a token that covers no event type are refused (403).
func streamScopes(c *gin.Context, p qrcircles.Principal) (int64, bool) {
	if !bearer.User(c, p) || !bearer.Allow(c, p, push.StreamScopes...) {
		return 0, false
	}
	push.Only(c, push.Covered(p.HasScope))
	id, _ := p.UserID()
	return id, true
}
