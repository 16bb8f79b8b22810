package authz_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"qrcircles"
	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// consentEntries returns the audit entries of one consent action.
func consentEntries(t *testing.T, db *storage.DB, action string) []qrcircles.AuditEntry {
	t.Helper()
	es, err := db.AuditLog(context.Background(), storage.AuditQuery{Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestConsentGrantAndWithdrawAreAudited(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		p := newPartner(t, h, "openid", "profile")
		b := h.browser()
		verifier := oauth2.GenerateVerifier()
		first := b.signIn(b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))), "13300133001", "Wu")
		b.submit(first, url.Values{"decision": {"deny"}})
		if es := consentEntries(t, db, qrcircles.AuditConsentGrant); len(es) != 0 {
			t.Fatalf("declining recorded a grant: %+v", es)
		}

		p.authorize(t, b, "", "", verifier, "nonce-abcdefgh") // allows on the consent page
		u, err := db.UserByPhone(context.Background(), "+8613300133001")
		if err != nil {
			t.Fatal(err)
		}
		want := qrcircles.AuditEntry{ActorID: u.ID, Target: "client:" + p.id, Detail: `{"scopes":"openid profile"}`}
		checkConsentEntries(t, consentEntries(t, db, qrcircles.AuditConsentGrant), want)

		account := b.get(h.issuer + "/account")
		b.submit(formFor(account, "/account/consents/revoke"), url.Values{"client_id": {"no-such-client"}})
		if es := consentEntries(t, db, qrcircles.AuditConsentWithdraw); len(es) != 0 {
			t.Fatalf("withdrawing a consent never given recorded: %+v", es)
		}
		b.submit(formFor(account, "/account/consents/revoke"), nil)
		b.submit(formFor(account, "/account/consents/revoke"), nil) // again: nothing left to withdraw
		checkConsentEntries(t, consentEntries(t, db, qrcircles.AuditConsentWithdraw), want)
		if _, err := db.Consent(context.Background(), u.ID, p.id); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("consent still there after withdrawing: %v", err)
		}
	})
}

func checkConsentEntries(t *testing.T, got []qrcircles.AuditEntry, want qrcircles.AuditEntry) {
	t.Helper()
	if len(got) != 1 || got[0].ActorID != want.ActorID || got[0].Target != want.Target || got[0].Detail != want.Detail {
		t.Fatalf("audit entries %+v; want one like %+v", got, want)
	}
}

// failingAudit is the database with an audit log that refuses every entry.
type failingAudit struct{ *storage.DB }

func (failingAudit) AddAudit(context.Context, qrcircles.AuditEntry) error {
	return errors.New("audit log unavailable")
}

// TestConsentChangeNeedsItsAuditEntry: the consent and its entry share a transaction, so a
// change whose entry cannot be written is not made.
func TestConsentChangeNeedsItsAuditEntry(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		h := newHarness(t, db, func(o *authz.Options) { o.Store = failingAudit{db} })
		p := newPartner(t, h, "openid", "profile")
		b := h.browser()
		verifier := oauth2.GenerateVerifier()
		first := b.signIn(b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier))), "13300133002", "Qian")
		if pg := b.submit(first, url.Values{"decision": {"allow"}}); pg.status < 500 {
			t.Fatalf("allowing without an audit log: %d %s", pg.status, pg.url)
		}
		u, err := db.UserByPhone(ctx, "+8613300133002")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Consent(ctx, u.ID, p.id); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("consent kept although its audit entry failed: %v", err)
		}

		err = db.PutConsent(ctx, qrcircles.Consent{UserID: u.ID, ClientID: p.id, Scopes: "openid", GrantedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		b.submit(formFor(b.get(h.issuer+"/account"), "/account/consents/revoke"), nil)
		if _, err := db.Consent(ctx, u.ID, p.id); err != nil {
			t.Fatalf("consent withdrawn although its audit entry failed: %v", err)
		}
	})
}
