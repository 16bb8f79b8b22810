package authz

import (
	"context"
	"errors"
	"fmt"

	"github.com/ory/fosite"

	"qrcircles"
)

// Verify checks an access token in-process: the resource server's verifier when both servers
// run in one process.
func (s *Server) Verify(ctx context.Context, token string) (qrcircles.Principal, error) {
	_, ar, err := s.oauth.IntrospectToken(ctx, token, fosite.AccessToken, NewSession())
	if qrcircles.Unavailable(err) {
		// fosite says "not active" whatever the storage error; the token may be good.
		return qrcircles.Principal{}, fmt.Errorf("access token: %w: %w", qrcircles.ErrVerifierUnavailable, outageCause(err))
	}
	if err != nil {
		return qrcircles.Principal{}, fmt.Errorf("access token: %w", err)
	}
	sess, _ := ar.GetSession().(*Session)
	if sess == nil {
		return qrcircles.Principal{}, fmt.Errorf("access token: unexpected session %T", ar.GetSession())
	}
	return qrcircles.Principal{
		Subject:   sess.Subject,
		Phone:     sess.Username,
		ClientID:  ar.GetClient().GetID(),
		Scopes:    ar.GetGrantedScopes(),
		Audience:  ar.GetGrantedAudience(),
		ScanTime:  sess.ScanTime,
		ExpiresAt: sess.GetExpiresAt(fosite.AccessToken),
	}, nil
}

var _ qrcircles.Verifier = (*Server)(nil)

// outageCause is the storage error behind fosite's: fosite's own message ("request_unauthorized")
// does not name its cause, and the log must say that the database failed, and how.
func outageCause(err error) error {
	var rfc *fosite.RFC6749Error
	for errors.As(err, &rfc) && rfc.Cause() != nil {
		err = rfc.Cause()
	}
	return err
}
