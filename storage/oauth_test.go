package storage_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"qrcircles"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

const testAudience = "https://circles.example/c/abc"

func newTestClient(t *testing.T, db *storage.DB, id string) *qrcircles.OAuthClient {
	t.Helper()
	c := &qrcircles.OAuthClient{
		ID: id, SecretHash: []byte("hash-" + id), Name: "Client " + id,
		RedirectURIs:  []string{"https://app.example/cb"},
		GrantTypes:    []string{"authorization_code", "refresh_token"},
		ResponseTypes: []string{"code"},
		Scopes:        []string{"openid", "offline", "circles:join"},
		Audience:      []string{testAudience},
	}
	if err := db.CreateClient(context.Background(), c); err != nil {
		t.Fatalf("CreateClient(%s): %v", id, err)
	}
	return c
}

// newRequest is a token request of family requestID whose tokens all expire at exp.
func newRequest(clientID, requestID string, exp time.Time) *fosite.Request {
	sess := openid.NewDefaultSession()
	sess.Subject = "user-" + requestID
	sess.Claims.Subject = sess.Subject
	for _, k := range []fosite.TokenType{fosite.AuthorizeCode, fosite.AccessToken, fosite.RefreshToken} {
		sess.SetExpiresAt(k, exp)
	}
	r := fosite.NewRequest()
	r.ID = requestID
	r.Client = &fosite.DefaultClient{ID: clientID}
	r.RequestedAt = time.Now().UTC().Round(time.Second)
	r.RequestedScope = fosite.Arguments{"openid", "offline"}
	r.GrantedScope = fosite.Arguments{"openid"}
	r.RequestedAudience = fosite.Arguments{testAudience}
	r.GrantedAudience = fosite.Arguments{testAudience}
	r.Form = url.Values{
		"redirect_uri":   {"https://app.example/cb"},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"client_secret":  {"hunter2"},
	}
	r.Session = sess
	return r
}

// sessionKind is one of fosite's storage interfaces for one kind of token.
type sessionKind struct {
	name   string
	expiry fosite.TokenType
	create func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error
	get    func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error)
	delete func(ctx context.Context, db *storage.DB, sig string) error
}

var sessionKinds = []sessionKind{
	{"code", fosite.AuthorizeCode,
		func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error {
			return db.CreateAuthorizeCodeSession(ctx, sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error) {
			return db.GetAuthorizeCodeSession(ctx, sig, s)
		},
		nil, // codes are invalidated, never deleted
	},
	{"access", fosite.AccessToken,
		func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error {
			return db.CreateAccessTokenSession(ctx, sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error) {
			return db.GetAccessTokenSession(ctx, sig, s)
		},
		func(ctx context.Context, db *storage.DB, sig string) error {
			return db.DeleteAccessTokenSession(ctx, sig)
		},
	},
	{"refresh", fosite.RefreshToken,
		func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error {
			return db.CreateRefreshTokenSession(ctx, sig, "access-"+sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error) {
			return db.GetRefreshTokenSession(ctx, sig, s)
		},
		func(ctx context.Context, db *storage.DB, sig string) error {
			return db.DeleteRefreshTokenSession(ctx, sig)
		},
	},
	{"pkce", fosite.AuthorizeCode,
		func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error {
			return db.CreatePKCERequestSession(ctx, sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error) {
			return db.GetPKCERequestSession(ctx, sig, s)
		},
		func(ctx context.Context, db *storage.DB, sig string) error {
			return db.DeletePKCERequestSession(ctx, sig)
		},
	},
	{"oidc", fosite.AuthorizeCode,
		func(ctx context.Context, db *storage.DB, sig string, r fosite.Requester) error {
			return db.CreateOpenIDConnectSession(ctx, sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string, s fosite.Session) (fosite.Requester, error) {
			r := fosite.NewRequest()
			r.Session = s
			return db.GetOpenIDConnectSession(ctx, sig, r)
		},
		func(ctx context.Context, db *storage.DB, sig string) error {
			return db.DeleteOpenIDConnectSession(ctx, sig)
		},
	},
}

func TestOAuthClientCRUD(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		want := newTestClient(t, db, "partner")
		got, err := db.Client(ctx, "partner")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != want.Name || string(got.SecretHash) != "hash-partner" || got.Public ||
			got.TokenEndpointAuthMethod != qrcircles.AuthMethodSecretBasic ||
			!slices.Equal(got.Scopes, want.Scopes) || !slices.Equal(got.Audience, want.Audience) ||
			!slices.Equal(got.RedirectURIs, want.RedirectURIs) || !slices.Equal(got.GrantTypes, want.GrantTypes) ||
			!got.CreatedAt.Equal(want.CreatedAt) {
			t.Fatalf("Client = %+v, want %+v", got, want)
		}
		got.Name, got.FirstParty, got.Scopes = "Renamed", true, []string{"openid"}
		if err := db.UpdateClient(ctx, got); err != nil {
			t.Fatal(err)
		}
		if err := db.SetClientSecretHash(ctx, "partner", []byte("new-hash")); err != nil {
			t.Fatal(err)
		}
		fc, err := db.GetClient(ctx, "partner")
		if err != nil {
			t.Fatal(err)
		}
		updated := registered(t, fc)
		if updated.Name != "Renamed" || !updated.FirstParty || !slices.Equal(updated.Scopes, []string{"openid"}) ||
			string(fc.GetHashedSecret()) != "new-hash" || !updated.CreatedAt.Equal(want.CreatedAt) ||
			fc.IsPublic() || !slices.Equal(fc.GetScopes(), updated.Scopes) || !slices.Equal(fc.GetAudience(), want.Audience) ||
			!slices.Equal(fc.GetRedirectURIs(), want.RedirectURIs) || !slices.Equal(fc.GetGrantTypes(), want.GrantTypes) {
			t.Fatalf("after update: %#v", fc)
		}
		newTestClient(t, db, "another")
		list, err := db.ListClients(ctx)
		if err != nil || len(list) != 2 || list[0].ID != "another" || list[1].ID != "partner" {
			t.Fatalf("ListClients = %v, %v", list, err)
		}
		if err := db.DeleteClient(ctx, "partner"); err != nil {
			t.Fatal(err)
		}
		assertNotFound(t, "deleted client", func() error { _, err := db.GetClient(ctx, "partner"); return err })
		assertNotFound(t, "deleting again", func() error { return db.DeleteClient(ctx, "partner") })
		assertNotFound(t, "updating missing", func() error { return db.UpdateClient(ctx, want) })
		assertNotFound(t, "secret of missing", func() error { return db.SetClientSecretHash(ctx, "partner", nil) })
	})
}

// registered is the registered client behind a client the store gave fosite.
func registered(t *testing.T, fc fosite.Client) *qrcircles.OAuthClient {
	t.Helper()
	r, ok := fc.(interface{ Registered() *qrcircles.OAuthClient })
	if !ok {
		t.Fatalf("the store's fosite client %T does not say which client it is", fc)
	}
	return r.Registered()
}

func assertNotFound(t *testing.T, what string, fn func() error) {
	t.Helper()
	err := fn()
	if !errors.Is(err, fosite.ErrNotFound) || !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("%s: %v, want fosite.ErrNotFound and storage.ErrNotFound", what, err)
	}
}

func TestOAuthClientConflict(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		newTestClient(t, db, "dup")
		err := db.CreateClient(context.Background(), &qrcircles.OAuthClient{ID: "dup"})
		if !errors.Is(err, storage.ErrConflict) {
			t.Fatalf("duplicate client: %v, want ErrConflict", err)
		}
	})
}

func TestOAuthPublicClient(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.CreateClient(ctx, &qrcircles.OAuthClient{ID: "app", Public: true}); err != nil {
			t.Fatal(err)
		}
		c, err := db.GetClient(ctx, "app")
		if err != nil {
			t.Fatal(err)
		}
		if !c.IsPublic() || c.(fosite.OpenIDConnectClient).GetTokenEndpointAuthMethod() != qrcircles.AuthMethodNone || c.GetHashedSecret() != nil {
			t.Fatalf("public client = %+v", c)
		}
		bad := &qrcircles.OAuthClient{ID: "bad", Public: true, TokenEndpointAuthMethod: qrcircles.AuthMethodSecretPost}
		if err := db.CreateClient(ctx, bad); err == nil {
			t.Fatal("a public client with a secret method was accepted")
		}
		bad = &qrcircles.OAuthClient{ID: "bad", TokenEndpointAuthMethod: qrcircles.AuthMethodNone}
		if err := db.CreateClient(ctx, bad); err == nil {
			t.Fatal("a confidential client with method none was accepted")
		}
	})
}

func TestOAuthSessionRoundTrip(t *testing.T) {
	for _, kind := range sessionKinds {
		t.Run(kind.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				ctx := context.Background()
				newTestClient(t, db, "partner")
				exp := time.Now().UTC().Add(time.Hour).Round(time.Second)
				want := newRequest("partner", "req-1", exp)
				if err := kind.create(ctx, db, "sig-1", want); err != nil {
					t.Fatal(err)
				}
				sess := &openid.DefaultSession{}
				got, err := kind.get(ctx, db, "sig-1", sess)
				if err != nil {
					t.Fatal(err)
				}
				assertSameRequest(t, got, want, kind.expiry)
				if got.GetSession() != sess {
					t.Fatal("the session was not decoded into the caller's session")
				}
				assertNotStored(t, db, "sig-1", "hunter2")
				assertNotFound(t, "missing", func() error { _, err := kind.get(ctx, db, "sig-2", sess); return err })
				if kind.delete == nil {
					return
				}
				for range 2 { // deleting is idempotent
					if err := kind.delete(ctx, db, "sig-1"); err != nil {
						t.Fatal(err)
					}
				}
				assertNotFound(t, "deleted", func() error { _, err := kind.get(ctx, db, "sig-1", sess); return err })
			})
		})
	}
}

func assertSameRequest(t *testing.T, got fosite.Requester, want *fosite.Request, expiry fosite.TokenType) {
	t.Helper()
	sess := got.GetSession().(*openid.DefaultSession)
	wantSess := want.Session.(*openid.DefaultSession)
	switch {
	case got.GetID() != want.ID, got.GetClient().GetID() != want.Client.GetID():
		t.Fatalf("id, client = %s, %s; want %s, %s", got.GetID(), got.GetClient().GetID(), want.ID, want.Client.GetID())
	case !got.GetRequestedAt().Equal(want.RequestedAt):
		t.Fatalf("requested at %v, want %v", got.GetRequestedAt(), want.RequestedAt)
	case !slices.Equal(got.GetRequestedScopes(), want.RequestedScope), !slices.Equal(got.GetGrantedScopes(), want.GrantedScope):
		t.Fatalf("scopes %v/%v, want %v/%v", got.GetRequestedScopes(), got.GetGrantedScopes(), want.RequestedScope, want.GrantedScope)
	case !slices.Equal(got.GetRequestedAudience(), want.RequestedAudience), !slices.Equal(got.GetGrantedAudience(), want.GrantedAudience):
		t.Fatalf("audience %v/%v", got.GetRequestedAudience(), got.GetGrantedAudience())
	case got.GetRequestForm().Get("redirect_uri") != want.Form.Get("redirect_uri"),
		got.GetRequestForm().Get("code_challenge") != want.Form.Get("code_challenge"):
		t.Fatalf("form %v lost values of %v", got.GetRequestForm(), want.Form)
	case got.GetRequestForm().Has("client_secret"):
		t.Fatal("the client secret was stored with the request")
	case sess.GetSubject() != wantSess.Subject, sess.IDTokenClaims().Subject != wantSess.Claims.Subject:
		t.Fatalf("subject %q/%q, want %q", sess.GetSubject(), sess.IDTokenClaims().Subject, wantSess.Subject)
	case !sess.GetExpiresAt(expiry).Equal(wantSess.GetExpiresAt(expiry)):
		t.Fatalf("expires at %v, want %v", sess.GetExpiresAt(expiry), wantSess.GetExpiresAt(expiry))
	}
}

// assertNotStored checks that no column of oauth_sessions holds any of the values.
func assertNotStored(t *testing.T, db *storage.DB, values ...string) {
	t.Helper()
	for _, v := range values {
		var n int64
		err := db.Gorm().Raw(`SELECT count(*) FROM oauth_sessions
			WHERE signature = ? OR request_data LIKE ? OR session_data LIKE ?`, v, "%"+v+"%", "%"+v+"%").Scan(&n).Error
		if err != nil || n != 0 {
			t.Fatalf("%q found in %d rows (%v)", v, n, err)
		}
	}
}

func TestOAuthAuthorizeCodeInvalidation(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		want := newRequest("partner", "req-1", time.Now().Add(time.Minute))
		if err := db.CreateAuthorizeCodeSession(ctx, "code-1", want); err != nil {
			t.Fatal(err)
		}
		if err := db.InvalidateAuthorizeCodeSession(ctx, "code-1"); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetAuthorizeCodeSession(ctx, "code-1", &openid.DefaultSession{})
		if !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
			t.Fatalf("used code: %v, want ErrInvalidatedAuthorizeCode", err)
		}
		if got == nil || got.GetID() != "req-1" {
			t.Fatalf("used code returned request %v, want the original", got)
		}
		if err := db.InvalidateAuthorizeCodeSession(ctx, "code-1"); !errors.Is(err, fosite.ErrSerializationFailure) {
			t.Fatalf("second invalidation: %v, want ErrSerializationFailure", err)
		}
		assertNotFound(t, "invalidating a missing code", func() error { return db.InvalidateAuthorizeCodeSession(ctx, "code-2") })
	})
}

// issue stores an access and a refresh token of family requestID, named after sig.
func issue(t *testing.T, ctx context.Context, db *storage.DB, requestID, sig string) {
	t.Helper()
	r := newRequest("partner", requestID, time.Now().Add(time.Hour))
	if err := db.CreateAccessTokenSession(ctx, "at-"+sig, r); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateRefreshTokenSession(ctx, "rt-"+sig, "at-"+sig, r); err != nil {
		t.Fatal(err)
	}
}

func accessExists(t *testing.T, db *storage.DB, sig string) bool {
	t.Helper()
	_, err := db.GetAccessTokenSession(context.Background(), sig, &openid.DefaultSession{})
	if err != nil && !errors.Is(err, fosite.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// refreshState returns "active", "inactive" or "missing".
func refreshState(t *testing.T, db *storage.DB, sig string) string {
	t.Helper()
	r, err := db.GetRefreshTokenSession(context.Background(), sig, &openid.DefaultSession{})
	switch {
	case err == nil:
		return "active"
	case errors.Is(err, fosite.ErrInactiveToken) && r != nil:
		return "inactive"
	case errors.Is(err, fosite.ErrNotFound):
		return "missing"
	}
	t.Fatalf("refresh token %s: %v", sig, err)
	return ""
}

func TestOAuthRefreshRotation(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		issue(t, ctx, db, "fam", "1")
		if err := db.RotateRefreshToken(ctx, "fam", "rt-1"); err != nil {
			t.Fatal(err)
		}
		issue(t, ctx, db, "fam", "2") // what fosite stores after rotating
		got, err := db.GetRefreshTokenSession(ctx, "rt-1", &openid.DefaultSession{})
		if !errors.Is(err, fosite.ErrInactiveToken) || got == nil || got.GetID() != "fam" {
			t.Fatalf("rotated token: %v, %v; want the request and ErrInactiveToken", got, err)
		}
		if accessExists(t, db, "at-1") {
			t.Fatal("the family's access token survived the rotation")
		}
		if !accessExists(t, db, "at-2") || refreshState(t, db, "rt-2") != "active" {
			t.Fatal("the new tokens are missing")
		}
		if err := db.RotateRefreshToken(ctx, "fam", "rt-1"); !errors.Is(err, fosite.ErrSerializationFailure) {
			t.Fatalf("rotating a rotated token: %v, want ErrSerializationFailure", err)
		}
		assertNotFound(t, "rotating a missing token", func() error { return db.RotateRefreshToken(ctx, "fam", "rt-9") })
	})
}

func TestOAuthRevokeByRequestID(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		issue(t, ctx, db, "fam-a", "a1")
		issue(t, ctx, db, "fam-a", "a2")
		issue(t, ctx, db, "fam-b", "b1")
		if err := db.RevokeRefreshToken(ctx, "fam-a"); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAccessToken(ctx, "fam-a"); err != nil {
			t.Fatal(err)
		}
		for _, sig := range []string{"a1", "a2"} {
			if accessExists(t, db, "at-"+sig) || refreshState(t, db, "rt-"+sig) != "inactive" {
				t.Fatalf("family a token %s survived revocation", sig)
			}
		}
		if !accessExists(t, db, "at-b1") || refreshState(t, db, "rt-b1") != "active" {
			t.Fatal("revoking family a revoked family b")
		}
		if err := db.RevokeAccessToken(ctx, "fam-none"); err != nil {
			t.Fatalf("revoking an unknown family: %v", err)
		}
	})
}

func TestOAuthRevokeClientTokensFor(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		newTestClient(t, db, "other")
		// grant stores a code, an access and a refresh token of one family, named after it.
		grant := func(clientID, subject, family string) {
			r := newRequest(clientID, family, time.Now().Add(time.Hour))
			r.Session.(*openid.DefaultSession).Subject = subject
			for _, err := range []error{
				db.CreateAuthorizeCodeSession(ctx, "code-"+family, r),
				db.CreateAccessTokenSession(ctx, "at-"+family, r),
				db.CreateRefreshTokenSession(ctx, "rt-"+family, "at-"+family, r),
			} {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		codeActive := func(family string) bool {
			_, err := db.GetAuthorizeCodeSession(ctx, "code-"+family, &openid.DefaultSession{})
			if err != nil && !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
				t.Fatal(err)
			}
			return err == nil
		}
		grant("partner", "7", "mine-1")
		grant("partner", "7", "mine-2")
		grant("partner", "8", "theirs")
		grant("other", "7", "elsewhere")
		if err := db.RevokeClientTokensFor(ctx, "partner", "7"); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"mine-1", "mine-2"} {
			if accessExists(t, db, "at-"+f) || refreshState(t, db, "rt-"+f) != "inactive" || codeActive(f) {
				t.Errorf("family %s survived: access %v, refresh %s, code %v", f, accessExists(t, db, "at-"+f), refreshState(t, db, "rt-"+f), codeActive(f))
			}
		}
		for _, f := range []string{"theirs", "elsewhere"} {
			if !accessExists(t, db, "at-"+f) || refreshState(t, db, "rt-"+f) != "active" || !codeActive(f) {
				t.Errorf("family %s was revoked too", f)
			}
		}
		if err := db.RevokeClientTokensFor(ctx, "partner", "9"); err != nil {
			t.Fatalf("revoking for someone with no tokens: %v", err)
		}
	})
}

// TestOAuthRevokeClientTokensForDuringARefresh withdraws while a refresh of the same grant
// holds its row: what the refresh issues once it commits is revoked too.
func TestOAuthRevokeClientTokensForDuringARefresh(t *testing.T) {
	db := storagetest.Postgres(t)
	ctx := context.Background()
	newTestClient(t, db, "partner")
	issue(t, ctx, db, "fam", "0") // subject user-fam
	tx, err := db.BeginTX(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := newRequest("partner", "fam", time.Now().Add(time.Hour))
	for _, err := range []error{
		db.RotateRefreshToken(tx, "fam", "rt-0"),
		db.CreateAccessTokenSession(tx, "at-1", r),
		db.CreateRefreshTokenSession(tx, "rt-1", "at-1", r),
	} {
		if err != nil {
			t.Fatal(errors.Join(err, db.Rollback(tx)))
		}
	}
	revoked := make(chan error, 1)
	go func() { revoked <- db.RevokeClientTokensFor(ctx, "partner", "user-fam") }()
	if !waitForLockWait(db, 10*time.Second) {
		t.Fatal(errors.Join(errors.New("the revocation never waited for the refresh"), db.Rollback(tx)))
	}
	if err := db.Commit(tx); err != nil {
		t.Fatal(err)
	}
	if err := <-revoked; err != nil {
		t.Fatal(err)
	}
	if accessExists(t, db, "at-1") || refreshState(t, db, "rt-1") != "inactive" {
		t.Fatalf("the refresh's new tokens survived: access %v, refresh %s", accessExists(t, db, "at-1"), refreshState(t, db, "rt-1"))
	}
}

// waitForLockWait reports whether some session of the test database waits for a row lock
// within d.
func waitForLockWait(db *storage.DB, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		var n int64
		db.Gorm().Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&n)
		if n > 0 {
			return true
		}
	}
	return false
}

func TestOAuthTransaction(t *testing.T) {
	for _, commit := range []bool{false, true} {
		t.Run(fmt.Sprintf("commit=%v", commit), func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				newTestClient(t, db, "partner")
				ctx, err := db.BeginTX(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				issue(t, ctx, db, "fam", "1")
				if _, err := db.GetAccessTokenSession(ctx, "at-1", &openid.DefaultSession{}); err != nil {
					t.Fatalf("reading inside the transaction: %v", err)
				}
				end := db.Rollback
				if commit {
					end = db.Commit
				}
				if err := end(ctx); err != nil {
					t.Fatal(err)
				}
				if accessExists(t, db, "at-1") != commit || (refreshState(t, db, "rt-1") == "active") != commit {
					t.Fatalf("after commit=%v the tokens exist=%v", commit, !commit)
				}
			})
		})
	}
}

// TestOAuthConcurrentRefreshRotation is fosite's refresh flow run by ten clients presenting the
// same refresh token at once: exactly one gets new tokens.
func TestOAuthConcurrentRefreshRotation(t *testing.T) {
	db := storagetest.Postgres(t)
	newTestClient(t, db, "partner")
	issue(t, context.Background(), db, "fam", "0")
	const n = 10
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = refreshOnce(db, fmt.Sprint(i+1))
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, fosite.ErrSerializationFailure):
			t.Errorf("client %d: %v, want ErrSerializationFailure", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d rotations committed, want exactly 1", won)
	}
	var active int64
	db.Gorm().Raw("SELECT count(*) FROM oauth_sessions WHERE kind = 'refresh' AND active").Scan(&active)
	if active != 1 {
		t.Fatalf("%d active refresh tokens, want 1", active)
	}
}

func refreshOnce(db *storage.DB, sig string) error {
	ctx, err := db.BeginTX(context.Background())
	if err != nil {
		return err
	}
	r := newRequest("partner", "fam", time.Now().Add(time.Hour))
	err = db.RotateRefreshToken(ctx, "fam", "rt-0")
	if err == nil {
		err = db.CreateAccessTokenSession(ctx, "at-"+sig, r)
	}
	if err == nil {
		err = db.CreateRefreshTokenSession(ctx, "rt-"+sig, "at-"+sig, r)
	}
	if err != nil {
		return errors.Join(err, db.Rollback(ctx))
	}
	return db.Commit(ctx)
}

// TestOAuthDeadlockIsSerializationFailure makes two transactions rotate two refresh tokens in
// opposite orders: PostgreSQL aborts one, and fosite must see ErrSerializationFailure.
func TestOAuthDeadlockIsSerializationFailure(t *testing.T) {
	db := storagetest.Postgres(t)
	newTestClient(t, db, "partner")
	issue(t, context.Background(), db, "fam-a", "a")
	issue(t, context.Background(), db, "fam-b", "b")
	orders := [][2]string{{"a", "b"}, {"b", "a"}}
	var holding sync.WaitGroup
	holding.Add(len(orders))
	errs := make([]error, len(orders))
	var wg sync.WaitGroup
	for i, order := range orders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = rotateBoth(db, order, &holding)
		}()
	}
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if !errors.Is(err, fosite.ErrSerializationFailure) || !strings.Contains(err.Error(), "deadlock") {
			t.Errorf("deadlock victim: %v, want a deadlock wrapped as ErrSerializationFailure", err)
		}
	}
	if failed != 1 {
		t.Fatalf("%d transactions failed, want 1: %v", failed, errs)
	}
}

// rotateBoth rotates order[0], waits until the other transaction holds its first row too, then
// rotates order[1], closing the cycle.
func rotateBoth(db *storage.DB, order [2]string, holding *sync.WaitGroup) error {
	ctx, err := db.BeginTX(context.Background())
	if err == nil {
		err = db.RotateRefreshToken(ctx, "fam-"+order[0], "rt-"+order[0])
	}
	holding.Done()
	if err != nil {
		return errors.Join(err, db.Rollback(ctx))
	}
	if !waitTimeout(holding, 10*time.Second) {
		return errors.Join(errors.New("the other transaction never got its first row"), db.Rollback(ctx))
	}
	if err = db.RotateRefreshToken(ctx, "fam-"+order[1], "rt-"+order[1]); err != nil {
		return errors.Join(err, db.Rollback(ctx))
	}
	return db.Commit(ctx)
}

// waitTimeout waits for wg, or reports false after d, so that a broken store fails the test
// instead of hanging it.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func TestOAuthClientAssertionJTI(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		if err := db.ClientAssertionJWTValid(ctx, "jti-1"); err != nil {
			t.Fatalf("unknown jti: %v", err)
		}
		if err := db.SetClientAssertionJWT(ctx, "jti-1", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.ClientAssertionJWTValid(ctx, "jti-1"); !errors.Is(err, fosite.ErrJTIKnown) {
			t.Fatalf("known jti: %v, want ErrJTIKnown", err)
		}
		if err := db.SetClientAssertionJWT(ctx, "jti-1", time.Now().Add(time.Hour)); !errors.Is(err, fosite.ErrJTIKnown) {
			t.Fatalf("recording a known jti: %v, want ErrJTIKnown", err)
		}
		if err := db.SetClientAssertionJWT(ctx, "jti-old", time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := db.ClientAssertionJWTValid(ctx, "jti-old"); err != nil {
			t.Fatalf("expired jti: %v", err)
		}
		// Recording another jti forgets the expired one, so it may be recorded again.
		if err := db.SetClientAssertionJWT(ctx, "jti-2", time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetClientAssertionJWT(ctx, "jti-old", time.Now().Add(time.Hour)); err != nil {
			t.Fatalf("re-recording an expired jti: %v", err)
		}
	})
}

func TestOAuthDeleteExpiredSessions(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		now := time.Now().UTC()
		for _, kind := range sessionKinds {
			if err := kind.create(ctx, db, "old-"+kind.name, newRequest("partner", "old", now.Add(-time.Second))); err != nil {
				t.Fatal(err)
			}
			if err := kind.create(ctx, db, "new-"+kind.name, newRequest("partner", "new", now.Add(time.Hour))); err != nil {
				t.Fatal(err)
			}
		}
		// Several instances cleaning at once remove each row once.
		counts := make([]int64, 3)
		errs := make([]error, 3)
		var wg sync.WaitGroup
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				counts[i], errs[i] = db.DeleteExpiredOAuthSessions(ctx, now)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if total := counts[0] + counts[1] + counts[2]; total != int64(len(sessionKinds)) {
			t.Fatalf("removed %v rows, want %d", counts, len(sessionKinds))
		}
		for _, kind := range sessionKinds {
			assertNotFound(t, "expired "+kind.name, func() error {
				_, err := kind.get(ctx, db, "old-"+kind.name, &openid.DefaultSession{})
				return err
			})
			if _, err := kind.get(ctx, db, "new-"+kind.name, &openid.DefaultSession{}); err != nil {
				t.Fatalf("unexpired %s: %v", kind.name, err)
			}
		}
	})
}

func TestOAuthDeleteClientDeletesTokens(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		issue(t, ctx, db, "fam", "1")
		if err := db.DeleteClient(ctx, "partner"); err != nil {
			t.Fatal(err)
		}
		if accessExists(t, db, "at-1") || refreshState(t, db, "rt-1") != "missing" {
			t.Fatal("the deleted client's tokens survived")
		}
	})
}

func TestOAuthExpiredTokenIsStillReturned(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		r := newRequest("partner", "fam", time.Now().Add(-time.Hour))
		if err := db.CreateAccessTokenSession(ctx, "at-1", r); err != nil {
			t.Fatal(err)
		}
		if !accessExists(t, db, "at-1") {
			t.Fatal("an expired token was hidden: fosite checks expiry itself")
		}
	})
}

func TestOAuthGetWithoutSession(t *testing.T) {
	// fosite's revocation handler passes a nil session: it needs only the id and the client.
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		newTestClient(t, db, "partner")
		issue(t, ctx, db, "fam", "1")
		r, err := db.GetRefreshTokenSession(ctx, "rt-1", nil)
		if err != nil || r.GetID() != "fam" || r.GetClient().GetID() != "partner" {
			t.Fatalf("GetRefreshTokenSession(nil session) = %v, %v", r, err)
		}
	})
}
