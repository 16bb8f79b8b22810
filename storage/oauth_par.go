package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"gorm.io/gorm"
)

var _ fosite.PARStorage = (*DB)(nil)

// kindPAR is a pushed authorization request (RFC 9126), keyed by its request_uri.
var kindPAR = tokenKind{"par", fosite.PushedAuthorizeRequestContext}

// storedAuthorize is what a pushed authorization request keeps beyond a plain request: the
// parts fosite reads back when the browser arrives with the request_uri.
type storedAuthorize struct {
	storedRequest
	RedirectURI   string   `json:"redirect_uri"`
	ResponseTypes []string `json:"response_types"`
	State         string   `json:"state"`
	ResponseMode  string   `json:"response_mode"`
}

// CreatePARSession stores a pushed authorization request under its request_uri; it expires
// when the request's session says (fosite.PushedAuthorizeRequestContext).
func (db *DB) CreatePARSession(ctx context.Context, requestURI string, r fosite.AuthorizeRequester) error {
	row, err := sessionRow(kindPAR, requestURI, r)
	if err != nil {
		return err
	}
	stored := storedAuthorize{storedRequest: encodeRequest(r), ResponseTypes: r.GetResponseTypes(),
		State: r.GetState(), ResponseMode: string(r.GetResponseMode())}
	if u := r.GetRedirectURI(); u != nil {
		stored.RedirectURI = u.String()
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("pushed request: encoding: %w", err)
	}
	row.RequestData = string(raw)
	if err := db.conn(ctx).Create(&row).Error; err != nil {
		return oauthErr("storing pushed request", err)
	}
	return nil
}

// GetPARSession takes the pushed request: it is deleted as it is read, so a request_uri works
// once, also when two browsers present it at the same moment. An expired one is not found.
func (db *DB) GetPARSession(ctx context.Context, requestURI string) (fosite.AuthorizeRequester, error) {
	var row oauthSession
	key := signatureKey(requestURI)
	err := db.conn(ctx).Where("kind = ? AND signature = ?", kindPAR.name, key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, notFound("pushed request")
	}
	if err != nil {
		return nil, oauthErr("reading pushed request", err)
	}
	res := db.conn(ctx).Exec("DELETE FROM oauth_sessions WHERE kind = ? AND signature = ?", kindPAR.name, key)
	if res.Error != nil {
		return nil, oauthErr("taking pushed request", res.Error)
	}
	if res.RowsAffected != 1 {
		return nil, notFound("pushed request (already used)")
	}
	if row.ExpiresAt != nil && row.ExpiresAt.Before(time.Now()) {
		return nil, notFound("pushed request (expired)")
	}
	return db.toAuthorizeRequest(ctx, row)
}

// DeletePARSession is called by fosite after GetPARSession, which has deleted the request.
func (db *DB) DeletePARSession(ctx context.Context, requestURI string) error {
	return db.deleteSession(ctx, kindPAR, requestURI)
}

func (db *DB) toAuthorizeRequest(ctx context.Context, row oauthSession) (*fosite.AuthorizeRequest, error) {
	var s storedAuthorize
	if err := json.Unmarshal([]byte(row.RequestData), &s); err != nil {
		return nil, fmt.Errorf("pushed request: decoding: %w", err)
	}
	r, err := db.toRequest(ctx, row, nil)
	if err != nil {
		return nil, err
	}
	ar := fosite.NewAuthorizeRequest()
	ar.Request = *r
	ar.ResponseTypes = arguments(s.ResponseTypes)
	ar.State = s.State
	ar.ResponseMode = fosite.ResponseModeType(s.ResponseMode)
	if s.RedirectURI != "" {
		if ar.RedirectURI, err = url.Parse(s.RedirectURI); err != nil {
			return nil, fmt.Errorf("pushed request: redirect URI: %w", err)
		}
	}
	return ar, nil
}
