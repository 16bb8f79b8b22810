package authz_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// csrfOf is the form token on a page.
func csrfOf(t *testing.T, p page) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no form token on %s (%d)", p.url, p.status)
	}
	return m[1]
}

// post sends a form to path as the browser, with its cookies.
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.h.issuer+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *browser) signedIn() bool {
	b.t.Helper()
	return b.get(b.h.issuer+"/account").url.Path == "/account"
}

func TestCSRFTokenIsBoundToTheSession(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		b := h.browser()
		login := b.get(h.issuer + "/login")
		before := csrfOf(t, login)
		account := b.signIn(login, "13900139000", "Lin")
		mine := csrfOf(t, account)
		if mine == before {
			t.Fatal("the form token did not change at sign-in")
		}

		// A token from before sign-in no longer works: not to sign out, not to ask for a code.
		b.post("/logout", url.Values{"csrf": {before}})
		if !b.signedIn() {
			t.Fatal("a token from before sign-in signed the browser out")
		}
		if p := b.post("/login", url.Values{"csrf": {before}, "phone": {"13900139002"}}); p.status != http.StatusForbidden || h.code("+8613900139002") != "" {
			t.Fatalf("a token from before sign-in asked for a code: %d", p.status)
		}

		// Nor does the token of another browser's session.
		other := h.browser()
		theirs := csrfOf(t, other.signIn(other.get(h.issuer+"/login"), "13900139001", "Wu"))
		if theirs == mine {
			t.Fatal("two sessions have the same form token")
		}
		b.post("/logout", url.Values{"csrf": {theirs}})
		if !b.signedIn() || !other.signedIn() {
			t.Fatal("another session's token signed a browser out")
		}

		// The browser's own token does, and is dead once the session ends.
		b.post("/logout", url.Values{"csrf": {mine}})
		if b.signedIn() {
			t.Fatal("the session's own token did not sign out")
		}
		if p := b.post("/login", url.Values{"csrf": {mine}, "phone": {"13900139003"}}); p.status != http.StatusForbidden || h.code("+8613900139003") != "" {
			t.Fatalf("the token of an ended session asked for a code: %d", p.status)
		}
		// A fresh pre-session token works again.
		if p := b.submit(b.get(h.issuer+"/login"), url.Values{"phone": {"13900139004"}}); p.url.Path != "/login/code" {
			t.Fatalf("a fresh token after sign-out: %s (%d)", p.url, p.status)
		}
	})
}
