package authz_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// storedToken is what oauth_sessions keeps of a token, for checks fosite offers no way to make.
type storedToken struct {
	Kind      string
	ExpiresAt time.Time
}

func firstPartyTokens(t *testing.T, db *storage.DB) []storedToken {
	t.Helper()
	var rows []storedToken
	err := db.Gorm().Table("oauth_sessions").Select("kind", "expires_at").
		Where("client_id = ? AND kind IN ?", authz.FirstPartyClientID, []string{"access", "refresh"}).Find(&rows).Error
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// within fails unless got lies between from+d and to+d, a second either side for rounding.
func within(t *testing.T, what string, got, from, to time.Time, d time.Duration) {
	t.Helper()
	if got.Before(from.Add(d-time.Second)) || got.After(to.Add(d+time.Second)) {
		t.Errorf("%s expires at %s, want %s after issue (between %s and %s)", what, got, d, from.Add(d), to.Add(d))
	}
}

func TestBrowserScanSessionLastsAsLongAsAnExchangedOne(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		const scanLifespan = 7 * time.Minute
		h := newHarness(t, db, func(o *authz.Options) { o.ScanSessionLifespan = scanLifespan })
		b := h.browser()

		before := time.Now()
		p := b.signIn(b.get(h.issuer+"/test/scan?code=abc"), "13000130000", "Sun")
		after := time.Now()
		if p.body != "scanned" || len(h.scanResults()) != 1 || h.scanResults()[0].ScanTime.IsZero() {
			t.Fatalf("the scan did not complete: %s (%d) %v\n%s", p.url, p.status, h.scanResults(), p.body)
		}
		rows := firstPartyTokens(t, db)
		if len(rows) != 1 || rows[0].Kind != "access" {
			t.Fatalf("the browser path stored %+v; want one access token and no refresh token", rows)
		}
		within(t, "the browser path's scan session", rows[0].ExpiresAt, before, after, scanLifespan)

		// An ordinary authorization code grant to a partner keeps the access token lifespan.
		partner := newPartner(t, h, "openid", "circles:join")
		verifier := oauth2.GenerateVerifier()
		before = time.Now()
		code := partner.authorize(t, b, "", "", verifier, "nonce-ordinary-grant")
		tok, err := partner.conf.Exchange(context.Background(), code, oauth2.VerifierOption(verifier))
		after = time.Now()
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := partner.introspect(t, h, tok.AccessToken)["exp"].(float64)
		within(t, "a partner's access token", time.Unix(int64(exp), 0), before.Truncate(time.Second), after, authz.AccessTokenLifespan)
	})
}

// TestFirstPartyClientGetsNoRefreshTokens: a first-party client stored by an older version,
// with the refresh grant, loses it on start.
func TestFirstPartyClientGetsNoRefreshTokens(t *testing.T) {
	ctx := context.Background()
	db := storagetest.Open(t)
	h := newHarness(t, db)
	c, err := db.Client(ctx, authz.FirstPartyClientID)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(c.GrantTypes, authz.GrantRefreshToken) {
		t.Fatalf("a new first-party client has grants %v", c.GrantTypes)
	}
	c.GrantTypes = append(c.GrantTypes, authz.GrantRefreshToken)
	if err := db.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := h.az.Clients().EnsureFirstParty(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if c, err = db.Client(ctx, authz.FirstPartyClientID); err != nil || slices.Contains(c.GrantTypes, authz.GrantRefreshToken) {
		t.Fatalf("after a start the first-party client has grants %v (%v)", c.GrantTypes, err)
	}
}
