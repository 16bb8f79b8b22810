package authz_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"qrcircles/authz"
)

const partnerRedirect = "http://127.0.0.1:9/callback"

// partner is a partner app: a confidential client that uses golang.org/x/oauth2 and
// github.com/coreos/go-oidc/v3 as any partner would. The whole journey with these libraries
// (sign-in, ID token, userinfo, introspection, refresh and its replay, token exchange, join,
// revocation) is TestInteropGoOAuth2 in cmd/qrcircles, against the whole server.
type partner struct {
	id, secret string
	provider   *oidc.Provider
	conf       oauth2.Config
}

func newPartner(t *testing.T, h *harness, scopes ...string) *partner {
	t.Helper()
	return newPartnerWith(t, h, func(*authz.ClientSpec) {}, scopes...)
}

// newPartnerWith is newPartner with a registration that tweak changes.
func newPartnerWith(t *testing.T, h *harness, tweak func(*authz.ClientSpec), scopes ...string) *partner {
	t.Helper()
	ctx := context.Background()
	spec := authz.ClientSpec{
		Name: "Partner App", RedirectURIs: []string{partnerRedirect}, Scopes: scopes,
		Grants: []string{authz.GrantAuthorizationCode, authz.GrantRefreshToken},
	}
	tweak(&spec)
	c, secret, err := h.az.Clients().Create(ctx, spec, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	provider, err := oidc.NewProvider(ctx, h.issuer) // discovery
	if err != nil {
		t.Fatal(err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader // the registered method; no silent fallback
	return &partner{id: c.ID, secret: secret, provider: provider, conf: oauth2.Config{
		ClientID: c.ID, ClientSecret: secret, Endpoint: endpoint, RedirectURL: partnerRedirect, Scopes: scopes,
	}}
}

// authorize runs the browser part of the code flow and returns the code.
func (p *partner) authorize(t *testing.T, b *browser, phone, name string, verifier, nonce string) string {
	t.Helper()
	pg := b.get(p.conf.AuthCodeURL("state-123", oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)))
	if pg.url.Path == "/login" {
		pg = b.signIn(pg, phone, name)
	}
	if strings.Contains(pg.body, "decision") { // the consent page
		pg = b.submit(pg, url.Values{"decision": {"allow"}})
	}
	if !strings.HasPrefix(pg.url.String(), partnerRedirect) {
		t.Fatalf("expected a redirect to the partner, got %s (%d)\n%s", pg.url, pg.status, pg.body)
	}
	q := pg.url.Query()
	if q.Get("state") != "state-123" || q.Get("code") == "" {
		t.Fatalf("callback query: %v", q)
	}
	return q.Get("code")
}

func (p *partner) introspect(t *testing.T, h *harness, token string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/introspect", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.id), url.QueryEscape(p.secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != 200 {
		t.Fatalf("introspection: %d %v", res.StatusCode, err)
	}
	return out
}
