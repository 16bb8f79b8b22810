package authz

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"

	"qrcircles"
)

// accessTokenPrefix begins every access token fosite's HMAC strategy makes; its HMAC is
// over the rest.
const accessTokenPrefix = "ory_at_"

// Verify checks an access token in-process: the resource server's verifier when both servers
// run in one process. A token issued or verified here before is checked in memory (see
// verifiedTokens); any other in the database.
func (s *Server) Verify(ctx context.Context, token string) (qrcircles.Principal, error) {
	key := qrcircles.TokenKey(s.core.AccessTokenSignature(ctx, token))
	reads, fresh := s.verified.fresh(ctx)
	if fresh {
		if p, ok := s.verified.get(key); ok && s.core.Enigma.Validate(ctx, strings.TrimPrefix(token, accessTokenPrefix)) == nil {
			return p, nil
		}
	}
	_, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.AccessToken, NewSession())
	if qrcircles.Unavailable(err) {
		// fosite says "not active" whatever the storage error; the token may be good.
		return qrcircles.Principal{}, fmt.Errorf("access token: %w: %w", qrcircles.ErrVerifierUnavailable, outageCause(err))
	}
	if err != nil {
		return qrcircles.Principal{}, fmt.Errorf("access token: %w", err)
	}
	p, err := principalOf(ar)
	if err == nil && fresh {
		s.verified.put(key, p, reads)
	}
	return p, err
}

var _ qrcircles.Verifier = (*Server)(nil)

// principalOf is who the access token of r speaks for.
func principalOf(r fosite.Requester) (qrcircles.Principal, error) {
	sess, _ := r.GetSession().(*Session)
	if sess == nil {
		return qrcircles.Principal{}, fmt.Errorf("access token: unexpected session %T", r.GetSession())
	}
	return qrcircles.Principal{
		Subject:   sess.Subject,
		Phone:     sess.Username,
		ClientID:  r.GetClient().GetID(),
		Scopes:    r.GetGrantedScopes(),
		Audience:  r.GetGrantedAudience(),
		ScanTime:  sess.ScanTime,
		ExpiresAt: sess.GetExpiresAt(fosite.AccessToken),
	}, nil
}

// issueAccessToken makes and stores an access token for r, and keeps what it speaks for in
// memory, so that its first use costs no database read on this instance: the token exchange
// and IssueAccessToken, which make the scan sessions a join is sent with.
func issueAccessToken(ctx context.Context, strategy oauth2.AccessTokenStrategy, store oauth2.AccessTokenStorage,
	verified *verifiedTokens, r fosite.Requester) (string, error) {
	reads, fresh := verified.fresh(ctx)
	token, sig, err := strategy.GenerateAccessToken(ctx, r)
	if err != nil {
		return "", err
	}
	if err := store.CreateAccessTokenSession(ctx, sig, r.Sanitize(nil)); err != nil {
		return "", err
	}
	if p, err := principalOf(r); err == nil && fresh {
		verified.put(qrcircles.TokenKey(sig), p, reads)
	}
	return token, nil
}

// outageCause is the storage error behind fosite's: fosite's own message ("request_unauthorized")
// does not name its cause, and the log must say that the database failed, and how.
func outageCause(err error) error {
	var rfc *fosite.RFC6749Error
	for errors.As(err, &rfc) && rfc.Cause() != nil {
		err = rfc.Cause()
	}
	return err
}
