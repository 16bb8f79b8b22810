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
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

// push sends the authorization request that x/oauth2 would put in the URL to the PAR
// endpoint instead, authenticated as at the token endpoint, and returns the status and answer.
func (p *partner) push(t *testing.T, h *harness, secret string, opts ...oauth2.AuthCodeOption) (int, map[string]any) {
	t.Helper()
	u, _ := url.Parse(p.conf.AuthCodeURL("state-123", opts...))
	req, _ := http.NewRequest("POST", h.issuer+"/oauth2/par", strings.NewReader(u.Query().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(p.id), url.QueryEscape(secret))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// pushed pushes a request and returns the URL the browser is sent to.
func (p *partner) pushed(t *testing.T, h *harness, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	status, out := p.push(t, h, p.secret, opts...)
	uri, _ := out["request_uri"].(string)
	if status != http.StatusCreated || !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || out["expires_in"] == nil {
		t.Fatalf("PAR: %d %v", status, out)
	}
	return h.issuer + "/oauth2/auth?" + url.Values{"client_id": {p.id}, "request_uri": {uri}}.Encode()
}

func TestPushedAuthorizationRequestRoundTrip(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		p := newPartner(t, h, "openid", "profile")
		verifier := oauth2.GenerateVerifier()
		authURL := p.pushed(t, h, oauth2.S256ChallengeOption(verifier), oidc.Nonce("nonce-pushed-1"))

		// Sign-in and consent are detours; the pushed request goes on after each.
		b := h.browser()
		pg := b.signIn(b.get(authURL), "13500135000", "Pushed")
		if !strings.Contains(pg.body, `name="decision"`) {
			t.Fatalf("expected the consent page: %s (%d)\n%s", pg.url, pg.status, pg.body)
		}
		q := atClient(t, b.submit(pg, url.Values{"decision": {"allow"}}))
		tok, err := p.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := p.provider.Verifier(&oidc.Config{ClientID: p.id}).Verify(ctx, raw)
		if err != nil || idt.Nonce != "nonce-pushed-1" {
			t.Fatalf("ID token of a pushed request: %v %v", idt, err)
		}

		// The request_uri works once.
		if pg := b.get(authURL); strings.HasPrefix(pg.url.String(), partnerRedirect) || pg.status != http.StatusBadRequest ||
			!strings.Contains(pg.body, "invalid_request_uri") {
			t.Fatalf("a used request_uri: %s (%d) %s", pg.url, pg.status, pg.body)
		}
	})
}

func TestPushedAuthorizationRequestsThatMustFail(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db, func(o *authz.Options) { o.PARLifespan = 2 * time.Second })
		p := newPartner(t, h, "openid")
		required := newPartnerWith(t, h, func(s *authz.ClientSpec) { s.RequirePAR = true }, "openid")
		challenge := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())

		t.Run("PAR-required client without PAR", func(t *testing.T) {
			q := atClient(t, h.browser().get(required.conf.AuthCodeURL("state-123", challenge)))
			if q.Get("error") != "invalid_request" || q.Get("code") != "" {
				t.Fatalf("want invalid_request, got %v", q)
			}
			if pg := h.browser().get(required.pushed(t, h, challenge)); pg.url.Path != "/login" {
				t.Fatalf("the same client with PAR: %s (%d)", pg.url, pg.status)
			}
		})
		t.Run("expired request_uri", func(t *testing.T) {
			authURL := p.pushed(t, h, challenge)
			time.Sleep(2500 * time.Millisecond) // the request_uri lives 2 s (long enough for the other cases on a busy machine)
			if pg := h.browser().get(authURL); pg.url.Path == "/login" || pg.status != http.StatusBadRequest {
				t.Fatalf("an expired request_uri: %s (%d)", pg.url, pg.status)
			}
		})
		t.Run("request_uri of another client", func(t *testing.T) {
			authURL, _ := url.Parse(p.pushed(t, h, challenge))
			q := authURL.Query()
			q.Set("client_id", required.id)
			pg := h.browser().get(h.issuer + "/oauth2/auth?" + q.Encode())
			if pg.url.Path == "/login" || pg.url.Query().Get("code") != "" || pg.url.Query().Get("error") != "invalid_request" {
				t.Fatalf("another client's request_uri: %s (%d)", pg.url, pg.status)
			}
		})
		t.Run("parameters outside the pushed request count for nothing", func(t *testing.T) {
			// prompt=none added in the URL would answer login_required at once.
			pg := h.browser().get(p.pushed(t, h, challenge) + "&prompt=none&redirect_uri=" + url.QueryEscape("https://evil.example/cb"))
			if pg.url.Path != "/login" {
				t.Fatalf("outside parameters were used: %s (%d) %s", pg.url, pg.status, pg.body)
			}
		})
		for _, tt := range []struct {
			name   string
			secret string
			opts   []oauth2.AuthCodeOption
			status int
			error  string
		}{
			{"wrong client secret", "wrong", []oauth2.AuthCodeOption{challenge}, http.StatusUnauthorized, "invalid_client"},
			{"plain PKCE method", "", []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("code_challenge", "x"), oauth2.SetAuthURLParam("code_challenge_method", "plain")}, http.StatusBadRequest, "invalid_request"},
			{"unregistered redirect URI", "", []oauth2.AuthCodeOption{challenge, oauth2.SetAuthURLParam("redirect_uri", "https://evil.example/cb")}, http.StatusBadRequest, "invalid_request"},
			{"a request_uri inside", "", []oauth2.AuthCodeOption{challenge, oauth2.SetAuthURLParam("request_uri", "urn:x")}, http.StatusBadRequest, "invalid_request"},
			{"unknown prompt", "", []oauth2.AuthCodeOption{challenge, oauth2.SetAuthURLParam("prompt", "sometimes")}, http.StatusBadRequest, "invalid_request"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				secret := p.secret
				if tt.secret != "" {
					secret = tt.secret
				}
				status, out := p.push(t, h, secret, tt.opts...)
				if status != tt.status || out["error"] != tt.error || out["request_uri"] != nil {
					t.Fatalf("want %d %s, got %d %v", tt.status, tt.error, status, out)
				}
			})
		}
	})
}

func TestDiscoveryAdvertisesTheNewEndpoints(t *testing.T) {
	h := newHarness(t, storagetest.Open(t))
	res, err := http.Get(h.issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var d map[string]any
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	if d["pushed_authorization_request_endpoint"] != h.issuer+"/oauth2/par" || d["require_pushed_authorization_requests"] != false ||
		d["end_session_endpoint"] != h.issuer+"/oauth2/logout" {
		t.Fatalf("discovery: %v", d)
	}
}
