package authz_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"qrcircles/authz"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// corsAnswer is what a browser would learn from a CORS request: the allowed origin (if any)
// and the status.
func corsAnswer(t *testing.T, h *harness, method, path, origin string, form url.Values) (string, *http.Response) {
	t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, _ := http.NewRequest(method, h.issuer+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Origin", origin)
	if method == http.MethodOptions {
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header.Get("Access-Control-Allow-Origin"), res
}

func browserApp(t *testing.T, h *harness, name, origin string) string {
	t.Helper()
	c, _, err := h.az.Clients().Create(context.Background(), authz.ClientSpec{
		Name: name, Public: true, RedirectURIs: []string{origin + "/callback"}, WebOrigins: []string{origin},
		Scopes: []string{"openid"}, Grants: []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken},
	}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func TestCORSOnlyForRegisteredOrigins(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		const originA, originB, stranger = "https://app-a.example", "https://app-b.example", "https://evil.example"
		a, b := browserApp(t, h, "App A", originA), browserApp(t, h, "App B", originB)
		token := func(client string) url.Values {
			return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}, "client_id": {client}}
		}
		revoke := func(client string) url.Values { return url.Values{"token": {"nope"}, "client_id": {client}} }
		tests := []struct {
			name, method, path, origin string
			form                       url.Values
			allowed                    bool
		}{
			{"discovery, registered origin", "GET", "/.well-known/openid-configuration", originA, nil, true},
			{"RFC 8414 metadata, registered origin", "GET", "/.well-known/oauth-authorization-server", originB, nil, true},
			{"discovery, unknown origin", "GET", "/.well-known/openid-configuration", stranger, nil, false},
			{"JWKS, registered origin", "GET", "/.well-known/jwks.json", originB, nil, true},
			{"JWKS, unknown origin", "GET", "/.well-known/jwks.json", stranger, nil, false},
			{"userinfo, registered origin", "GET", "/userinfo", originA, nil, true},
			{"userinfo, unknown origin", "GET", "/userinfo", stranger, nil, false},
			{"token, the client's own origin", "POST", "/oauth2/token", originA, token(a), true},
			{"token, another client's origin", "POST", "/oauth2/token", originB, token(a), false},
			{"token, unknown origin", "POST", "/oauth2/token", stranger, token(b), false},
			{"revocation, the client's own origin", "POST", "/oauth2/revoke", originB, revoke(b), true},
			{"revocation, another client's origin", "POST", "/oauth2/revoke", originA, revoke(b), false},
			{"PAR, the client's own origin", "POST", "/oauth2/par", originA, url.Values{"client_id": {a}}, true},
			{"PAR, another client's origin", "POST", "/oauth2/par", originB, url.Values{"client_id": {a}}, false},
			{"preflight of token, registered origin", "OPTIONS", "/oauth2/token", originB, nil, true},
			{"preflight of token, unknown origin", "OPTIONS", "/oauth2/token", stranger, nil, false},
			{"preflight of userinfo, registered origin", "OPTIONS", "/userinfo", originA, nil, true},
			{"preflight of discovery, unknown origin", "OPTIONS", "/.well-known/openid-configuration", stranger, nil, false},
			{"the origin's case and default port do not matter", "GET", "/.well-known/jwks.json", "HTTPS://App-A.example:443", nil, true},
			{"an origin's sibling is another origin", "GET", "/.well-known/jwks.json", "https://app-a.example:8443", nil, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, res := corsAnswer(t, h, tt.method, tt.path, tt.origin, tt.form)
				if want := map[bool]string{true: tt.origin, false: ""}[tt.allowed]; got != want {
					t.Fatalf("Access-Control-Allow-Origin %q, want %q (status %d)", got, want, res.StatusCode)
				}
				if !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
					t.Errorf("no Vary: Origin, so a cache could hand the answer to another origin: %v", res.Header)
				}
				if tt.method == "OPTIONS" {
					allowsPost := strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST")
					if res.StatusCode != http.StatusNoContent || allowsPost != tt.allowed {
						t.Fatalf("preflight: %d, methods %q", res.StatusCode, res.Header.Get("Access-Control-Allow-Methods"))
					}
				}
			})
		}
	})
}

func TestCORSFollowsOriginChangesAtOnce(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		const before, after = "https://old.example", "https://new.example"
		id := browserApp(t, h, "App", before)
		if got, _ := corsAnswer(t, h, "GET", "/.well-known/jwks.json", before, nil); got != before {
			t.Fatalf("registered origin refused: %q", got)
		}
		if err := h.az.Clients().SetWebOrigins(context.Background(), id, []string{after}); err != nil {
			t.Fatal(err)
		}
		if got, _ := corsAnswer(t, h, "GET", "/.well-known/jwks.json", before, nil); got != "" {
			t.Fatalf("a removed origin is still answered: %q", got)
		}
		if got, _ := corsAnswer(t, h, "GET", "/.well-known/jwks.json", after, nil); got != after {
			t.Fatalf("a new origin is not answered: %q", got)
		}
		if err := h.az.Clients().Delete(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		if got, _ := corsAnswer(t, h, "GET", "/.well-known/jwks.json", after, nil); got != "" {
			t.Fatalf("the origin of a deleted client is still answered: %q", got)
		}
	})
}
