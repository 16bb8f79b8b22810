package authz

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"

	"qrcircles"
)

// Token types of RFC 8693.
const (
	tokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"
	// ScanScope is the one scope of a scan session.
	ScanScope = "circles:join"
	// DefaultScanSessionLifespan is how long a scan session lasts unless configured.
	DefaultScanSessionLifespan = 10 * time.Minute
)

// CircleLookup finds the circle behind a QR code.
type CircleLookup interface {
	CircleByCode(ctx context.Context, code string) (qrcircles.Circle, error)
}

// errInvalidTarget is RFC 8693's answer for an audience the server will not issue for.
var errInvalidTarget = &fosite.RFC6749Error{
	ErrorField: "invalid_target", DescriptionField: "The requested audience is not a circle that can be joined.",
	CodeField: http.StatusBadRequest,
}

// tokenExchange is the RFC 8693 grant that turns a user's access token and a circle URL read
// from a QR code into a scan session: a short-lived token for that circle only, holding the
// server's time of the scan. fosite has no such handler; this one composes with the others.
type tokenExchange struct {
	issuer   string
	lifespan time.Duration
	store    oauth2.AccessTokenStorage
	strategy oauth2.AccessTokenStrategy
	circles  CircleLookup
	now      func() time.Time
	verified *verifiedTokens
}

var _ fosite.TokenEndpointHandler = (*tokenExchange)(nil)

func (h *tokenExchange) CanHandleTokenEndpointRequest(_ context.Context, r fosite.AccessRequester) bool {
	return r.GetGrantTypes().ExactOne(GrantTokenExchange)
}

// CanSkipClientAuth is false: public clients authenticate with their ID alone, as fosite does
// for every grant.
func (h *tokenExchange) CanSkipClientAuth(context.Context, fosite.AccessRequester) bool { return false }

func (h *tokenExchange) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	if !r.GetClient().GetGrantTypes().Has(GrantTokenExchange) {
		return fosite.ErrUnauthorizedClient.WithHint("The client may not use token exchange.")
	}
	form := r.GetRequestForm()
	if t := form.Get("subject_token_type"); t != tokenTypeAccessToken {
		return fosite.ErrInvalidRequest.WithHint("subject_token_type must be " + tokenTypeAccessToken + ".")
	}
	subject, err := h.subject(ctx, form.Get("subject_token"))
	if err != nil {
		return err
	}
	aud := r.GetRequestedAudience()
	if len(aud) != 1 {
		return errInvalidTarget.WithHint("Give exactly one audience: the circle URL from the QR code.")
	}
	if err := h.checkCircle(ctx, aud[0]); err != nil {
		return err
	}
	now := h.now().UTC()
	sess := r.GetSession().(*Session)
	sess.Subject = subject.GetSession().GetSubject()
	sess.Username = subject.GetSession().GetUsername()
	sess.ScanTime = now
	sess.SetExpiresAt(fosite.AccessToken, now.Add(h.lifespan))
	r.GrantScope(ScanScope)
	r.GrantAudience(aud[0])
	return nil
}

// subject checks the user's token: active, a user's (not a client's), holding circles:join,
// and not itself a scan session.
func (h *tokenExchange) subject(ctx context.Context, token string) (fosite.Requester, error) {
	if token == "" {
		return nil, fosite.ErrInvalidRequest.WithHint("subject_token is required.")
	}
	req, err := h.store.GetAccessTokenSession(ctx, h.strategy.AccessTokenSignature(ctx, token), NewSession())
	if err != nil {
		if errors.Is(err, fosite.ErrNotFound) {
			return nil, fosite.ErrInvalidGrant.WithHint("The subject token is not active.")
		}
		return nil, fosite.ErrServerError.WithWrap(err)
	}
	if err := h.strategy.ValidateAccessToken(ctx, req, token); err != nil {
		return nil, fosite.ErrInvalidGrant.WithHint("The subject token is not active.")
	}
	sess, _ := req.GetSession().(*Session)
	if sess == nil || !sess.ScanTime.IsZero() || !isUserSubject(sess.Subject) {
		return nil, fosite.ErrInvalidGrant.WithHint("The subject token must be a user's access token.")
	}
	if !req.GetGrantedScopes().Has(ScanScope) {
		return nil, fosite.ErrInvalidScope.WithHint("The subject token lacks scope circles:join.")
	}
	return req, nil
}

func (h *tokenExchange) checkCircle(ctx context.Context, audience string) error {
	code, ok := circleCode(h.issuer, audience)
	if !ok {
		return errInvalidTarget
	}
	c, err := h.circles.CircleByCode(ctx, code)
	if qrcircles.CodeOf(err) == qrcircles.ENotFound {
		return errInvalidTarget.WithHint("No circle has this URL.")
	}
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if c.Rules.Closed {
		return errInvalidTarget.WithHint("This circle is closed.")
	}
	return nil
}

func (h *tokenExchange) PopulateTokenEndpointResponse(ctx context.Context, r fosite.AccessRequester, resp fosite.AccessResponder) error {
	if !h.CanHandleTokenEndpointRequest(ctx, r) {
		return fosite.ErrUnknownRequest
	}
	token, err := issueAccessToken(ctx, h.strategy, h.store, h.verified, r)
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	resp.SetAccessToken(token)
	resp.SetTokenType("bearer")
	resp.SetExpiresIn(time.Until(r.GetSession().GetExpiresAt(fosite.AccessToken)))
	resp.SetScopes(r.GetGrantedScopes())
	resp.SetExtra("issued_token_type", tokenTypeAccessToken)
	// The app read a URL from the QR code; the join endpoint wants the circle's ID.
	if code, ok := circleCode(h.issuer, r.GetGrantedAudience()[0]); ok {
		if c, err := h.circles.CircleByCode(ctx, code); err == nil {
			resp.SetExtra("circle_id", c.ID)
		}
	}
	return nil
}

// circleCode returns the code of a circle URL under this issuer: ISSUER/c/CODE.
func circleCode(issuer, u string) (string, bool) {
	code, ok := strings.CutPrefix(u, issuer+"/c/")
	if !ok || code == "" || strings.ContainsAny(code, "/?#") {
		return "", false
	}
	return code, true
}

func isUserSubject(sub string) bool {
	_, err := strconv.ParseInt(sub, 10, 64)
	return err == nil
}
