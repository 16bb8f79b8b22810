package authz_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"qrcircles/authz"
	"qrcircles/resource/audit"
	"qrcircles/storage"
	"qrcircles/storage/storagetest"
)

const signedOutURI = "http://127.0.0.1:9/signed-out"

// signedInWithIDToken signs a person in to the partner and returns their browser and ID token.
func signedInWithIDToken(t *testing.T, h *harness, p *partner, phone string) (*browser, string) {
	t.Helper()
	b := h.browser()
	verifier := oauth2.GenerateVerifier()
	tok, err := p.conf.Exchange(context.Background(), p.authorize(t, b, phone, "Person "+phone, verifier, "nonce-abcdefgh"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	idt, _ := tok.Extra("id_token").(string)
	if idt == "" {
		t.Fatal("no ID token")
	}
	return b, idt
}

func signedIn(b *browser) bool { return b.get(b.h.issuer+"/account").url.Path == "/account" }

func TestRPInitiatedLogout(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		withLogout := func(s *authz.ClientSpec) { s.PostLogoutRedirectURIs = []string{signedOutURI} }
		p := newPartnerWith(t, h, withLogout, "openid")
		other := newPartnerWith(t, h, withLogout, "openid")
		_, othersHint := signedInWithIDToken(t, h, other, "13600136099")
		tests := []struct {
			name    string
			query   func(hint string) url.Values
			confirm bool // the person is asked first
			refused bool // an error page: no redirect, still signed in
			lang    string
		}{
			{"valid hint, registered URI: signed out at once, state back", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {signedOutURI}, "state": {"st-1"}}
			}, false, false, ""},
			{"valid hint with its client_id", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint}, "client_id": {p.id}, "post_logout_redirect_uri": {signedOutURI}, "state": {"st-2"}}
			}, false, false, ""},
			{"no hint: the person confirms first", func(string) url.Values {
				return url.Values{"client_id": {p.id}, "post_logout_redirect_uri": {signedOutURI}, "state": {"st-3"}}
			}, true, false, ""},
			{"another person's hint: the person confirms first", func(string) url.Values {
				return url.Values{"id_token_hint": {othersHint}, "post_logout_redirect_uri": {signedOutURI}, "state": {"st-4"}}
			}, true, false, ""},
			{"confirmation in the language of ui_locales", func(string) url.Values {
				return url.Values{"client_id": {p.id}, "post_logout_redirect_uri": {signedOutURI}, "state": {"st-5"}, "ui_locales": {"zh-CN en"}}
			}, true, false, "zh-Hans"},
			{"tampered hint", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint[:len(hint)-4] + "AAAA"}, "post_logout_redirect_uri": {signedOutURI}}
			}, false, true, ""},
			{"hint not issued by this server", func(string) url.Values {
				return url.Values{"id_token_hint": {"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."}, "client_id": {p.id}}
			}, false, true, ""},
			{"client_id is not the hint's audience", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint}, "client_id": {other.id}, "post_logout_redirect_uri": {signedOutURI}}
			}, false, true, ""},
			{"unregistered post_logout_redirect_uri", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {"https://evil.example/bye"}, "state": {"st"}}
			}, false, true, ""},
			{"redirect URI registered for login, not for logout", func(hint string) url.Values {
				return url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {partnerRedirect}}
			}, false, true, ""},
			{"post_logout_redirect_uri without a client", func(string) url.Values {
				return url.Values{"post_logout_redirect_uri": {signedOutURI}}
			}, false, true, ""},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				b, hint := signedInWithIDToken(t, h, p, fmt.Sprintf("136001360%02d", i))
				q := tt.query(hint)
				pg := b.get(h.issuer + "/oauth2/logout?" + q.Encode())
				if tt.refused {
					if pg.status != http.StatusBadRequest || pg.url.Host != strings.TrimPrefix(h.issuer, "http://") {
						t.Fatalf("refused request answered %d at %s", pg.status, pg.url)
					}
					if !signedIn(b) {
						t.Fatal("a refused logout signed the person out")
					}
					return
				}
				if tt.confirm {
					if pg.status != http.StatusOK || !strings.Contains(pg.body, `name="confirm"`) || !signedIn(b) {
						t.Fatalf("expected the confirmation page, signed in: %d %s\n%s", pg.status, pg.url, pg.body)
					}
					if tt.lang != "" && !strings.Contains(pg.body, `<html lang="`+tt.lang+`">`) {
						t.Fatalf("confirmation page not in %s", tt.lang)
					}
					pg = b.submit(pg, nil)
				}
				if got := pg.url.String(); got != signedOutURI+"?state="+q.Get("state") {
					t.Fatalf("went back to %q (%d)", got, pg.status)
				}
				if signedIn(b) {
					t.Fatal("still signed in after logout")
				}
			})
		}
		es, err := db.AuditLog(context.Background(), storage.AuditQuery{Action: audit.Logout})
		if err != nil || len(es) != 5 {
			t.Fatalf("%d logout audit entries, want one per logout: %v", len(es), err)
		}
	})
}

func TestLogoutConfirmationNeedsTheFormToken(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		h := newHarness(t, db)
		p := newPartnerWith(t, h, func(s *authz.ClientSpec) { s.PostLogoutRedirectURIs = []string{signedOutURI} }, "openid")
		b, _ := signedInWithIDToken(t, h, p, "13600136100")
		// What a page of another site can do: post the confirmation without the form token.
		form := url.Values{"confirm": {"yes"}, "client_id": {p.id}, "post_logout_redirect_uri": {signedOutURI}}
		req, _ := http.NewRequest("POST", h.issuer+"/oauth2/logout", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if pg := b.do(req); strings.HasPrefix(pg.url.String(), signedOutURI) || !signedIn(b) {
			t.Fatalf("a forged confirmation signed the person out: %s (%d)", pg.url, pg.status)
		}
		// Without any client or return address, the person ends on the signed-out page.
		pg := b.submit(b.get(h.issuer+"/oauth2/logout"), nil)
		if pg.status != http.StatusOK || signedIn(b) || !strings.Contains(pg.body, "You are signed out") {
			t.Fatalf("plain logout: %d %s", pg.status, pg.url)
		}
	})
}
