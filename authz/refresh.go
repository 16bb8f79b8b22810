package authz

import (
	"context"
	"slices"
	"strings"

	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/oauth2"
	fositestorage "github.com/ory/fosite/storage"
)

// refreshGrant is fosite's refresh-token grant with the "scope" parameter that fosite v0.49
// ignores (RFC 6749 §6): the new access token holds only the scopes asked for, and asking for
// one the refresh token was not granted is invalid_scope. The new refresh token keeps the
// scope of the one presented, as §6 requires, so a later refresh may ask for the rest again.
type refreshGrant struct {
	*oauth2.RefreshTokenGrantHandler
}

var _ fosite.TokenEndpointHandler = refreshGrant{}

// refreshGrantFactory takes the place of compose.OAuth2RefreshTokenGrantFactory.
func refreshGrantFactory(config fosite.Configurator, store any, strategy any) any {
	h := compose.OAuth2RefreshTokenGrantFactory(config, refreshStore{store.(refreshStorage)}, strategy)
	return refreshGrant{h.(*oauth2.RefreshTokenGrantHandler)}
}

func (h refreshGrant) HandleTokenEndpointRequest(ctx context.Context, r fosite.AccessRequester) error {
	if err := h.RefreshTokenGrantHandler.HandleTokenEndpointRequest(ctx, r); err != nil {
		return err
	}
	sess, ok := r.GetSession().(*Session)
	ar, ok2 := r.(*fosite.AccessRequest)
	if !ok || !ok2 {
		return fosite.ErrServerError.WithDebugf("refresh: unexpected request %T or session %T", r, r.GetSession())
	}
	sess.RefreshScope = nil // the session is a copy of the refresh token's
	asked := fosite.RemoveEmpty(strings.Split(r.GetRequestForm().Get("scope"), " "))
	if len(asked) == 0 {
		return nil
	}
	granted := r.GetGrantedScopes()
	var narrow fosite.Arguments
	for _, s := range asked {
		if !slices.Contains(granted, s) {
			return fosite.ErrInvalidScope.WithHintf("The refresh token was not granted scope '%s'.", s)
		}
		if !slices.Contains(narrow, s) {
			narrow = append(narrow, s)
		}
	}
	sess.RefreshScope = slices.Clone(granted)
	ar.GrantedScope = narrow
	return nil
}

// refreshStorage is what fosite's refresh grant needs of the database, with the transactions
// it uses when the storage offers them.
type refreshStorage interface {
	oauth2.TokenRevocationStorage
	fositestorage.Transactional
}

// refreshStore stores a new refresh token with the whole scope of the one it replaces when
// the access token issued beside it was narrowed (fosite stores both from one request).
type refreshStore struct{ refreshStorage }

func (s refreshStore) CreateRefreshTokenSession(ctx context.Context, signature, accessSignature string, r fosite.Requester) error {
	if sess, ok := r.GetSession().(*Session); ok && len(sess.RefreshScope) > 0 {
		if req, ok := r.(*fosite.Request); ok {
			whole := *req
			whole.GrantedScope = fosite.Arguments(slices.Clone(sess.RefreshScope))
			r = &whole
		}
	}
	return s.refreshStorage.CreateRefreshTokenSession(ctx, signature, accessSignature, r)
}
