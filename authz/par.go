package authz

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/ory/fosite"
)

// PARLifespan is how long a request_uri from /oauth2/par may wait for the browser (RFC 9126
// §2.2): the app sends the browser there at once.
const PARLifespan = 90 * time.Second

// par is the pushed authorization request endpoint (RFC 9126): the client authenticates as at
// the token endpoint and posts the parameters of an authorization request; the answer is a
// request_uri, usable once, for the browser to bring to /oauth2/auth.
func (s *Server) par(c *gin.Context) {
	ctx := c.Request.Context()
	ar, err := s.oauth.NewPushedAuthorizeRequest(ctx, c.Request)
	if err == nil {
		err = checkPKCE(ar)
	}
	if err == nil {
		err = (&authFlow{maxAge: -1, pushed: true}).check(ar) // prompt and max_age are sound
	}
	if err != nil {
		s.logOAuthError(c, "pushed authorization request", err)
		s.oauth.WritePushedAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	resp, err := s.oauth.NewPushedAuthorizeResponse(ctx, ar, NewSession())
	if err != nil {
		s.logOAuthError(c, "pushed authorization response", err)
		s.oauth.WritePushedAuthorizeError(ctx, c.Writer, ar, err)
		return
	}
	s.oauth.WritePushedAuthorizeResponse(ctx, c.Writer, ar, resp)
}

// pushAgain stores a pushed request that the browser has brought (and so used up) under a new
// request_uri, for the browser to bring back after sign-in or consent. It lives as long as
// such a detour may take.
func (s *Server) pushAgain(ctx context.Context, ar fosite.AuthorizeRequester) (string, error) {
	src, ok := ar.(*fosite.AuthorizeRequest)
	if !ok {
		return "", errors.New("pushed request of an unexpected type")
	}
	again := *src
	again.Form = url.Values{}
	for k, v := range src.Form {
		if k != "request_uri" && !slices.Contains(notParams, k) {
			again.Form[k] = v
		}
	}
	sess := NewSession()
	sess.SetExpiresAt(fosite.PushedAuthorizeRequestContext, time.Now().UTC().Add(resumeLifespan))
	again.Session = sess
	uri := s.config.GetPushedAuthorizeRequestURIPrefix(ctx) + randomToken(32)
	if err := s.store.CreatePARSession(ctx, uri, &again); err != nil {
		return "", err
	}
	return uri, nil
}
