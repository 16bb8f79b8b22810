package authz_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// switchableAudit is the database with an audit log that refuses entries while fail is set.
type switchableAudit struct {
	*storage.DB
	fail *atomic.Bool
}

func (s switchableAudit) AddAudit(ctx context.Context, e qrcircles.AuditEntry) error {
	if s.fail.Load() {
		return errors.New("audit log unavailable")
	}
	return s.DB.AddAudit(ctx, e)
}

// tokens runs the code flow in the browser and exchanges the code.
func (p *partner) tokens(t *testing.T, b *browser, phone, name string) *oauth2.Token {
	t.Helper()
	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, b, phone, name, verifier, "nonce-"+oauth2.GenerateVerifier()[:12])
	tok, err := p.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func (p *partner) refresh(tok *oauth2.Token) (*oauth2.Token, error) {
	return p.conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
}

func isInvalidGrant(err error) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == "invalid_grant"
}

// assertRevoked: introspection calls both tokens inactive, the API refuses the access token,
// and the refresh token gets no new one.
func assertRevoked(t *testing.T, h *harness, p *partner, what string, tok *oauth2.Token) {
	t.Helper()
	if in := p.introspect(t, h, tok.AccessToken); in["active"] != false {
		t.Errorf("%s: access token still active: %v", what, in)
	}
	if in := p.introspect(t, h, tok.RefreshToken); in["active"] != false {
		t.Errorf("%s: refresh token still active: %v", what, in)
	}
	if st := h.apiStatus(tok.AccessToken); st != http.StatusUnauthorized {
		t.Errorf("%s: the API answered %d, want 401", what, st)
	}
	if _, err := p.refresh(tok); !isInvalidGrant(err) {
		t.Errorf("%s: refresh: %v, want invalid_grant", what, err)
	}
}

// assertActive: the opposite, ending with a refresh (which retires the access token).
func assertActive(t *testing.T, h *harness, p *partner, what string, tok *oauth2.Token) {
	t.Helper()
	if in := p.introspect(t, h, tok.AccessToken); in["active"] != true {
		t.Errorf("%s: access token inactive: %v", what, in)
	}
	if st := h.apiStatus(tok.AccessToken); st != http.StatusOK {
		t.Errorf("%s: the API answered %d, want 200", what, st)
	}
	if _, err := p.refresh(tok); err != nil {
		t.Errorf("%s: refresh: %v", what, err)
	}
}

func TestWithdrawingConsentRevokesTheClientsTokens(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		failAudit := &atomic.Bool{}
		h := newHarness(t, db, func(o *authz.Options) { o.Store = switchableAudit{db, failAudit} })
		scopes := []string{"openid", "offline_access", "circles:read"}
		app, otherApp := newPartner(t, h, scopes...), newPartner(t, h, scopes...)
		me, someoneElse := h.browser(), h.browser()

		first := app.tokens(t, me, "13100131000", "Zhao")
		second := app.tokens(t, me, "", "") // a second grant: a token family of its own
		rotated, err := app.refresh(second)
		if err != nil {
			t.Fatal(err)
		}
		verifier := oauth2.GenerateVerifier()
		unused := app.authorize(t, me, "", "", verifier, "nonce-unused-code")
		theirs := app.tokens(t, someoneElse, "13100131001", "Qian")
		mineElsewhere := otherApp.tokens(t, me, "", "")

		withdraw := func() {
			account := me.get(h.issuer + "/account")
			me.submit(formFor(account, "/account/consents/revoke"), url.Values{"client_id": {app.id}})
		}
		u, err := db.UserByPhone(ctx, "+8613100131000")
		if err != nil {
			t.Fatal(err)
		}

		// A withdrawal whose audit entry fails is not made: the consent and the tokens stay.
		failAudit.Store(true)
		withdraw()
		failAudit.Store(false)
		if _, err := db.Consent(ctx, u.ID, app.id); err != nil {
			t.Fatalf("consent gone although its audit entry failed: %v", err)
		}
		if in := app.introspect(t, h, rotated.AccessToken); in["active"] != true {
			t.Fatalf("token revoked although the withdrawal was rolled back: %v", in)
		}

		withdraw()
		if _, err := db.Consent(ctx, u.ID, app.id); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("consent still there: %v", err)
		}
		assertRevoked(t, h, app, "first grant", first)
		assertRevoked(t, h, app, "second grant, refreshed", rotated)
		if _, err := app.conf.Exchange(ctx, unused, oauth2.VerifierOption(verifier)); !isInvalidGrant(err) {
			t.Errorf("a code issued before the withdrawal: %v, want invalid_grant", err)
		}
		assertActive(t, h, app, "the same app's tokens for someone else", theirs)
		assertActive(t, h, otherApp, "another app's tokens for me", mineElsewhere)
	})
}
