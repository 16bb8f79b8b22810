package authz_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"qrcircles/authz"
	"qrcircles/storage/storagetest"
)

const partnerRedirect = "http://127.0.0.1:9/callback"

// partner is a partner app: a confidential client that uses golang.org/x/oauth2 and
// github.com/coreos/go-oidc/v3 as any partner would.
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

func TestPartnerAppOnPostgres(t *testing.T) {
	h := newHarness(t, storagetest.Postgres(t))
	ctx := context.Background()
	p := newPartner(t, h, "openid", "profile", "phone", "offline_access", "circles:read")
	b := h.browser()

	verifier := oauth2.GenerateVerifier()
	code := p.authorize(t, b, "13800138000", "Li Lei", verifier, "nonce-first-login")
	tok, err := p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}

	// The ID token verifies against the published keys and says who signed in.
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := p.provider.Verifier(&oidc.Config{ClientID: p.id}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	var claims struct {
		Name  string `json:"name"`
		Phone string `json:"phone_number"`
	}
	if err := idt.Claims(&claims); err != nil || idt.Nonce != "nonce-first-login" || claims.Phone != "+8613800138000" || claims.Name != "Li Lei" {
		t.Fatalf("ID token claims %+v nonce %q: %v", claims, idt.Nonce, err)
	}
	info, err := p.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject {
		t.Fatalf("userinfo: %+v %v", info, err)
	}
	if in := p.introspect(t, h, tok.AccessToken); in["active"] != true || in["client_id"] != p.id || in["sub"] != idt.Subject || in["username"] != nil {
		t.Fatalf("introspection of a fresh token (it must not give away the phone number): %v", in)
	}

	// Refresh rotates: a new refresh token each time.
	tok2, err := p.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatal(err)
	}
	if tok2.RefreshToken == "" || tok2.RefreshToken == tok.RefreshToken || tok2.AccessToken == tok.AccessToken {
		t.Fatal("refresh did not rotate the tokens")
	}
	if in := p.introspect(t, h, tok2.AccessToken); in["active"] != true {
		t.Fatalf("refreshed token inactive: %v", in)
	}

	// Replaying the rotated refresh token is theft: the whole family is revoked.
	_, err = p.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Fatalf("replayed refresh token: %v", err)
	}
	if in := p.introspect(t, h, tok2.AccessToken); in["active"] != false {
		t.Fatalf("the family's access token survived the replay: %v", in)
	}
	if _, err := p.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok2.RefreshToken}).Token(); err == nil {
		t.Fatal("the family's newest refresh token survived the replay")
	}

	// A second authorization needs no new consent and no new login; then revocation.
	verifier = oauth2.GenerateVerifier()
	code = p.authorize(t, b, "", "", verifier, "nonce-second-login")
	tok3, err := p.conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	revoke(t, h, p, tok3.AccessToken)
	if in := p.introspect(t, h, tok3.AccessToken); in["active"] != false {
		t.Fatalf("revoked token still active: %v", in)
	}
	if _, err := p.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok3)); err == nil {
		t.Fatal("userinfo accepted a revoked token")
	}
}

func revoke(t *testing.T, h *harness, p *partner, token string) {
	t.Helper()
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/revoke", strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.id), url.QueryEscape(p.secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("revocation: %d", res.StatusCode)
	}
}
