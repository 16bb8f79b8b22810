package authz_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// TestAPIRefusesARevokedTokenFromItsNextRequest: an access token the API has taken (and so
// keeps in memory) is refused from the next request on once it is revoked here, through the
// revocation endpoint or a refresh that retires it.
func TestAPIRefusesARevokedTokenFromItsNextRequest(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		app := newPartner(t, h, "openid", "offline_access", "circles:read")
		me := h.browser()
		taken := func(what, token string, want int) {
			t.Helper()
			if st := h.apiStatus(token); st != want {
				t.Fatalf("%s: the API answered %d, want %d", what, st, want)
			}
		}

		revoked := app.tokens(t, me, "13100131000", "Zhao")
		taken("a fresh token", revoked.AccessToken, http.StatusOK)
		req, _ := http.NewRequest("POST", h.issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {revoked.AccessToken}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape(app.id), url.QueryEscape(app.secret))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("revocation: %d", res.StatusCode)
		}
		taken("a revoked token", revoked.AccessToken, http.StatusUnauthorized)

		rotated := app.tokens(t, me, "", "")
		taken("a token before its refresh", rotated.AccessToken, http.StatusOK)
		next, err := app.refresh(rotated)
		if err != nil {
			t.Fatal(err)
		}
		taken("a token its refresh retired", rotated.AccessToken, http.StatusUnauthorized)
		taken("the refreshed token", next.AccessToken, http.StatusOK)
	})
}
