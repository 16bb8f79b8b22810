package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	fositestorage "github.com/ory/fosite/storage"
	"golang.org/x/text/language"
	"gorm.io/gorm"

	"qrcircles"
)

var (
	_ oauth2.CoreStorage                 = (*DB)(nil)
	_ oauth2.TokenRevocationStorage      = (*DB)(nil)
	_ pkce.PKCERequestStorage            = (*DB)(nil)
	_ openid.OpenIDConnectRequestStorage = (*DB)(nil)
	_ fositestorage.Transactional        = (*DB)(nil)
)

// tokenKind is the kind column of oauth_sessions, with the session expiry that applies to it.
type tokenKind struct {
	name   string
	expiry fosite.TokenType
}

var (
	kindCode    = tokenKind{"code", fosite.AuthorizeCode}
	kindAccess  = tokenKind{"access", fosite.AccessToken}
	kindRefresh = tokenKind{"refresh", fosite.RefreshToken}
	kindPKCE    = tokenKind{"pkce", fosite.AuthorizeCode}
	kindOIDC    = tokenKind{"oidc", fosite.AuthorizeCode}
)

// oauthSession is an oauth_sessions row.
type oauthSession struct {
	Kind        string     `gorm:"column:kind;primaryKey"`
	Signature   string     `gorm:"column:signature;primaryKey"`
	RequestID   string     `gorm:"column:request_id"`
	ClientID    string     `gorm:"column:client_id"`
	Subject     string     `gorm:"column:subject"`
	Active      bool       `gorm:"column:active"`
	RequestedAt time.Time  `gorm:"column:requested_at"`
	ExpiresAt   *time.Time `gorm:"column:expires_at"`
	RequestData string     `gorm:"column:request_data"`
	SessionData string     `gorm:"column:session_data"`
}

func (oauthSession) TableName() string { return "oauth_sessions" }

// storedRequest is the part of a fosite.Requester kept in request_data. The client is kept by
// id only and loaded again; the session is kept apart in session_data.
type storedRequest struct {
	ID                string     `json:"id"`
	RequestedAt       time.Time  `json:"requested_at"`
	ClientID          string     `json:"client_id"`
	RequestedScope    []string   `json:"requested_scope"`
	GrantedScope      []string   `json:"granted_scope"`
	RequestedAudience []string   `json:"requested_audience"`
	GrantedAudience   []string   `json:"granted_audience"`
	Form              url.Values `json:"form"`
	Lang              string     `json:"lang,omitempty"`
}

// secretFormFields never reach the database, whatever fosite passes us.
var secretFormFields = []string{
	"client_secret", "code", "code_verifier", "refresh_token", "password",
	"client_assertion", "assertion", "subject_token", "actor_token",
}

// signatureKey is what identifies a token in the database. fosite hands the OpenID Connect
// store the whole authorization code, and JWT signatures are long: hashing every key stores no
// token and gives every key the same length.
func signatureKey(signature string) string { return qrcircles.TokenKey(signature) }

// oauthErr wraps a database error; a PostgreSQL serialization failure or deadlock also wraps
// fosite.ErrSerializationFailure, so that fosite tells the client to retry.
func oauthErr(what string, err error) error {
	if isSerializationFailure(err) {
		return fmt.Errorf("%s: %w: %w", what, fosite.ErrSerializationFailure, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound wraps both this package's and fosite's not-found errors.
func notFound(what string) error {
	return fmt.Errorf("%s: %w (%w)", what, ErrNotFound, fosite.ErrNotFound)
}

func sessionRow(kind tokenKind, signature string, r fosite.Requester) (oauthSession, error) {
	if r.GetClient() == nil {
		return oauthSession{}, fmt.Errorf("%s token: the request has no client", kind.name)
	}
	req, err := json.Marshal(encodeRequest(r))
	if err != nil {
		return oauthSession{}, fmt.Errorf("%s token: encoding the request: %w", kind.name, err)
	}
	sess, err := json.Marshal(r.GetSession())
	if err != nil {
		return oauthSession{}, fmt.Errorf("%s token: encoding the session: %w", kind.name, err)
	}
	row := oauthSession{
		Kind: kind.name, Signature: signatureKey(signature), RequestID: r.GetID(),
		ClientID: r.GetClient().GetID(), Active: true, RequestedAt: r.GetRequestedAt().UTC(),
		RequestData: string(req), SessionData: string(sess),
	}
	if s := r.GetSession(); s != nil {
		row.Subject = s.GetSubject()
		if exp := s.GetExpiresAt(kind.expiry); !exp.IsZero() {
			exp = exp.UTC()
			row.ExpiresAt = &exp
		}
	}
	return row, nil
}

func encodeRequest(r fosite.Requester) storedRequest {
	form := url.Values{}
	for k, v := range r.GetRequestForm() {
		form[k] = v
	}
	for _, k := range secretFormFields {
		delete(form, k)
	}
	s := storedRequest{
		ID: r.GetID(), RequestedAt: r.GetRequestedAt().UTC(), ClientID: r.GetClient().GetID(),
		RequestedScope: r.GetRequestedScopes(), GrantedScope: r.GetGrantedScopes(),
		RequestedAudience: r.GetRequestedAudience(), GrantedAudience: r.GetGrantedAudience(), Form: form,
	}
	if g, ok := r.(fosite.G11NContext); ok && g.GetLang() != language.Und {
		s.Lang = g.GetLang().String()
	}
	return s
}

// toRequest rebuilds the request of row. The session JSON is decoded into session, the one the
// caller passes (fosite passes nil when it only needs the request's id and client).
func (db *DB) toRequest(ctx context.Context, row oauthSession, session fosite.Session) (*fosite.Request, error) {
	var s storedRequest
	if err := json.Unmarshal([]byte(row.RequestData), &s); err != nil {
		return nil, fmt.Errorf("%s token: decoding the request: %w", row.Kind, err)
	}
	if session != nil {
		if err := json.Unmarshal([]byte(row.SessionData), session); err != nil {
			return nil, fmt.Errorf("%s token: decoding the session: %w", row.Kind, err)
		}
	}
	client, err := db.tokenClient(ctx, row.ClientID) // same ctx: same transaction
	if err != nil {
		return nil, fmt.Errorf("%s token: %w", row.Kind, err)
	}
	lang, _ := language.Parse(s.Lang) // "" parses as language.Und
	if s.Form == nil {
		s.Form = url.Values{}
	}
	return &fosite.Request{
		ID: s.ID, RequestedAt: s.RequestedAt, Client: client,
		RequestedScope: arguments(s.RequestedScope), GrantedScope: arguments(s.GrantedScope),
		RequestedAudience: arguments(s.RequestedAudience), GrantedAudience: arguments(s.GrantedAudience),
		Form: s.Form, Session: session, Lang: lang,
	}, nil
}

func arguments(l []string) fosite.Arguments {
	if l == nil {
		return fosite.Arguments{}
	}
	return l
}

func (db *DB) createSession(ctx context.Context, kind tokenKind, signature string, r fosite.Requester) error {
	row, err := sessionRow(kind, signature, r)
	if err != nil {
		return err
	}
	err = db.conn(ctx).Create(&row).Error
	if isUniqueViolation(err) {
		return fmt.Errorf("%s token: %w", kind.name, ErrConflict)
	}
	if err != nil {
		return oauthErr("storing "+kind.name+" token", err)
	}
	return nil
}

// getSession returns the request stored for the token, and whether the token is still active.
// Expired tokens are returned too: fosite checks expiry itself.
func (db *DB) getSession(ctx context.Context, kind tokenKind, signature string, session fosite.Session) (*fosite.Request, bool, error) {
	var row oauthSession
	err := db.conn(ctx).Where("kind = ? AND signature = ?", kind.name, signatureKey(signature)).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, false, notFound(kind.name + " token")
	}
	if err != nil {
		return nil, false, oauthErr("reading "+kind.name+" token", err)
	}
	r, err := db.toRequest(ctx, row, session)
	return r, row.Active, err
}

// getActiveSession is getSession for the kinds that are deleted, never deactivated.
func (db *DB) getActiveSession(ctx context.Context, kind tokenKind, signature string, session fosite.Session) (fosite.Requester, error) {
	r, _, err := db.getSession(ctx, kind, signature, session)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// deleteSession removes the token; a missing token is no error, so that deleting is idempotent.
func (db *DB) deleteSession(ctx context.Context, kind tokenKind, signature string) error {
	defer db.revoked()
	err := db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE kind = ? AND signature = ?",
		kind.name, signatureKey(signature)).Error
	if err != nil {
		return oauthErr("deleting "+kind.name+" token", err)
	}
	return nil
}

// deactivate marks an active token used. When no active row changed, a concurrent request used
// the token first (fosite.ErrSerializationFailure), or there is no such token.
func (db *DB) deactivate(ctx context.Context, kind tokenKind, signature string) error {
	key := signatureKey(signature)
	res := db.conn(ctx).Exec("UPDATE oauth_sessions SET active = ? WHERE kind = ? AND signature = ? AND active = ?",
		false, kind.name, key, true)
	if res.Error != nil {
		return oauthErr("invalidating "+kind.name+" token", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var n int64
	if err := db.conn(ctx).Model(&oauthSession{}).Where("kind = ? AND signature = ?", kind.name, key).Count(&n).Error; err != nil {
		return oauthErr("reading "+kind.name+" token", err)
	}
	if n == 0 {
		return notFound(kind.name + " token")
	}
	return fmt.Errorf("%s token already used: %w", kind.name, fosite.ErrSerializationFailure)
}

// BeginTX implements fosite's storage.Transactional: the returned context carries the
// transaction, and every method called with it runs inside.
func (db *DB) BeginTX(ctx context.Context) (context.Context, error) {
	ctx, err := db.beginTx(ctx)
	if err != nil {
		return ctx, oauthErr("oauth transaction", err)
	}
	return ctx, nil
}

// Commit implements fosite's storage.Transactional.
func (db *DB) Commit(ctx context.Context) error {
	if err := commitTx(ctx); err != nil {
		return oauthErr("oauth commit", err)
	}
	return nil
}

// Rollback implements fosite's storage.Transactional.
func (db *DB) Rollback(ctx context.Context) error {
	if err := rollbackTx(ctx); err != nil {
		return oauthErr("oauth rollback", err)
	}
	return nil
}

// DeleteExpiredOAuthSessions removes every token, code and PKCE or OpenID Connect session that
// expired before now, and returns how many. Several instances may run it at once: each row is
// deleted by whoever gets it first.
func (db *DB) DeleteExpiredOAuthSessions(ctx context.Context, now time.Time) (int64, error) {
	res := db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE expires_at < ?", now.UTC())
	if res.Error != nil {
		return 0, oauthErr("deleting expired oauth sessions", res.Error)
	}
	// A revoked token that has expired is refused for its expiry: its record can go.
	if err := db.conn(ctx).Exec("DELETE FROM revoked_tokens WHERE expires_at < ?", now.UTC()).Error; err != nil {
		return 0, oauthErr("deleting expired records of revoked tokens", err)
	}
	return res.RowsAffected, nil
}
