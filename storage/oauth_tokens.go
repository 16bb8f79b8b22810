package storage

import (
	"context"
	"fmt"

	"github.com/ory/fosite"
)

// CreateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (db *DB) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	return db.createSession(ctx, kindCode, signature, r)
}

// GetAuthorizeCodeSession returns the request of a used code together with
// fosite.ErrInvalidatedAuthorizeCode, so that fosite revokes what the code issued.
func (db *DB) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, active, err := db.getSession(ctx, kindCode, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return r, fmt.Errorf("authorization code: %w", fosite.ErrInvalidatedAuthorizeCode)
	}
	return r, nil
}

// InvalidateAuthorizeCodeSession marks the code used; of two concurrent exchanges, the second
// gets fosite.ErrSerializationFailure.
func (db *DB) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	return db.deactivate(ctx, kindCode, signature)
}

// CreateAccessTokenSession implements oauth2.AccessTokenStorage.
func (db *DB) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	return db.createSession(ctx, kindAccess, signature, r)
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage.
func (db *DB) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return db.getActiveSession(ctx, kindAccess, signature, session)
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage.
func (db *DB) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	return db.deleteSession(ctx, kindAccess, signature)
}

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage. The access token is found
// through the request id, so its signature is not kept.
func (db *DB) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	return db.createSession(ctx, kindRefresh, signature, r)
}

// GetRefreshTokenSession returns the request of a rotated or revoked refresh token together
// with fosite.ErrInactiveToken: fosite then revokes the whole family (reuse detection).
func (db *DB) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, active, err := db.getSession(ctx, kindRefresh, signature, session)
	if err != nil {
		return nil, err
	}
	if !active {
		return r, fmt.Errorf("refresh token: %w", fosite.ErrInactiveToken)
	}
	return r, nil
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (db *DB) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	return db.deleteSession(ctx, kindRefresh, signature)
}

// RotateRefreshToken marks the refresh token used and deletes the family's access tokens. The
// new tokens fosite stores next keep the request id. Of two concurrent rotations, the second
// gets fosite.ErrSerializationFailure.
func (db *DB) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	if err := db.deactivate(ctx, kindRefresh, signature); err != nil {
		return err
	}
	return db.RevokeAccessToken(ctx, requestID)
}

// RevokeRefreshToken deactivates every refresh token of the family; presenting one later is
// still recognised as reuse.
func (db *DB) RevokeRefreshToken(ctx context.Context, requestID string) error {
	err := db.conn(ctx).Exec("UPDATE oauth_sessions SET active = ? WHERE kind = ? AND request_id = ? AND active = ?",
		false, kindRefresh.name, requestID, true).Error
	if err != nil {
		return oauthErr("revoking refresh tokens of request "+requestID, err)
	}
	return nil
}

// RevokeAccessToken deletes every access token of the family.
func (db *DB) RevokeAccessToken(ctx context.Context, requestID string) error {
	defer db.revoked()
	err := db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE kind = ? AND request_id = ?",
		kindAccess.name, requestID).Error
	if err != nil {
		return oauthErr("revoking access tokens of request "+requestID, err)
	}
	return nil
}

// RevokeClientTokensFor revokes everything the client holds for the subject, across all its
// grants: refresh tokens and unused authorization codes are deactivated, so that presenting
// one later is still refused as reuse, and access tokens are deleted.
//
// The deactivation runs twice: a refresh or code exchange in flight holds its row, so the first
// pass waits for it to commit but cannot see the tokens it inserted (PostgreSQL gives each
// statement its own snapshot); the second pass and the delete do.
func (db *DB) RevokeClientTokensFor(ctx context.Context, clientID, subject string) error {
	defer db.revoked()
	deactivate := "UPDATE oauth_sessions SET active = ? WHERE client_id = ? AND subject = ? AND kind IN ? AND active = ?"
	kinds := []string{kindRefresh.name, kindCode.name}
	err := db.conn(ctx).Exec(deactivate, false, clientID, subject, kinds, true).Error
	if err == nil {
		err = db.conn(ctx).Exec(deactivate, false, clientID, subject, kinds, true).Error
	}
	if err == nil {
		err = db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE client_id = ? AND subject = ? AND kind = ?",
			clientID, subject, kindAccess.name).Error
	}
	if err != nil {
		return oauthErr("revoking the tokens of client "+clientID, err)
	}
	return nil
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (db *DB) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return db.createSession(ctx, kindPKCE, signature, r)
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (db *DB) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return db.getActiveSession(ctx, kindPKCE, signature, session)
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage.
func (db *DB) DeletePKCERequestSession(ctx context.Context, signature string) error {
	return db.deleteSession(ctx, kindPKCE, signature)
}

// CreateOpenIDConnectSession implements openid.OpenIDConnectRequestStorage. fosite passes the
// whole authorization code; only its hash is stored.
func (db *DB) CreateOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) error {
	return db.createSession(ctx, kindOIDC, code, r)
}

// GetOpenIDConnectSession decodes the stored session into r's session.
func (db *DB) GetOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) (fosite.Requester, error) {
	return db.getActiveSession(ctx, kindOIDC, code, r.GetSession())
}

// DeleteOpenIDConnectSession implements openid.OpenIDConnectRequestStorage.
func (db *DB) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	return db.deleteSession(ctx, kindOIDC, code)
}
